import { LEVEL_RANK, LEVEL_WORDS, type Level } from "./levels.ts";
import type { ErrorPolicy, Frame, NormalizedRecord } from "./schema.ts";
import { headerType, parseStack, type StackLanguage } from "./stack.ts";
import { EXCEPTION_KEYS, exceptionFromRecord } from "./exception.ts";
import { defaultInApp, type InAppMatcher } from "./inapp.ts";

// Turns one parsed JSON log record, from any of the supported loggers, into one shape. Each field
// has an alias list with a fixed precedence: the first alias present wins, so a record carrying
// both `service.name` and `name` always resolves the same way.

type Obj = Record<string, unknown>;

interface Path {
  key: string;
  head: string | null;
  tail: Path | null;
}

// Alias paths are split once; lookups then allocate nothing (this runs for every error record).
function compile(path: string): Path {
  const dot = path.indexOf(".");
  return dot < 0
    ? { key: path, head: null, tail: null }
    : { key: path, head: path.slice(0, dot), tail: compile(path.slice(dot + 1)) };
}
const compiled = new Map<string, Path>();
function pathOf_(p: string): Path {
  let c = compiled.get(p);
  if (!c) {
    c = compile(p);
    compiled.set(p, c);
  }
  return c;
}

function lookup(rec: Obj, c: Path): unknown {
  const v = rec[c.key];
  if (v !== undefined || c.head === null) return v;
  const h = rec[c.head];
  return h !== null && typeof h === "object" ? lookup(h as Obj, c.tail!) : undefined;
}

/** Looks up `a.b.c` as a flat key first (ECS/OTel flattened), then as nested objects. */
export function pick(rec: Obj, path: string): unknown {
  return lookup(rec, pathOf_(path));
}

function str(v: unknown): string | null {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  // OTel AnyValue: {stringValue: "…"}
  if (v && typeof v === "object" && typeof (v as Obj).stringValue === "string")
    return (v as Obj).stringValue as string;
  return null;
}

export const ALIASES = {
  level: [
    "level",
    "levelname",
    "severity_text",
    "severityText",
    "log.level",
    "severity",
    "level_value",
    "severity_number",
    "severityNumber",
  ],
  time: [
    "time",
    "timestamp",
    "@timestamp",
    "ts",
    "asctime",
    "time_unix_nano",
    "timeUnixNano",
    "observedTimeUnixNano",
  ],
  message: ["msg", "message", "event", "body", "log.message"],
  service: [
    "service.name",
    "service",
    "resource.service.name",
    "resource.attributes.service.name",
    "otelServiceName",
    "app",
    "application",
  ],
  path: [
    "url.path",
    "req.path",
    "req.url",
    "request.path",
    "http.target",
    "http.url",
    "attributes.url.path",
    "attributes.http.target",
    "path",
    "url",
  ],
  method: [
    "http.request.method",
    "req.method",
    "request.method",
    "attributes.http.request.method",
    "attributes.http.method",
    "http.method",
    "method",
  ],
  status: [
    "http.response.status_code",
    "res.statusCode",
    "res.status",
    "response.status",
    "attributes.http.response.status_code",
    "attributes.http.status_code",
    "http.status_code",
    "statusCode",
    "status_code",
    "status",
  ],
  traceId: [
    "trace.id",
    "trace_id",
    "traceId",
    "traceID",
    "otelTraceID",
    "mdc.traceId",
    "mdc.trace_id",
    "dd.trace_id",
    "logging.googleapis.com/trace",
    "req.id",
  ],
  release: [
    "service.version",
    "release",
    "version",
    "app_version",
    "resource.service.version",
    "resource.attributes.service.version",
    "git_sha",
  ],
} as const;

const PINO_LEVELS: Array<[number, Level]> = [
  [60, "fatal"],
  [50, "error"],
  [40, "warn"],
  [30, "info"],
  [20, "debug"],
  [0, "trace"],
];

export { LEVEL_WORDS };

export function toLevel(raw: unknown, key?: string): Level {
  if (typeof raw === "number") {
    if (key === "level_value")
      return raw >= 50000
        ? "fatal"
        : raw >= 40000
          ? "error"
          : raw >= 30000
            ? "warn"
            : raw >= 20000
              ? "info"
              : "debug";
    if (key === "severity_number" || key === "severityNumber")
      return raw >= 21
        ? "fatal"
        : raw >= 17
          ? "error"
          : raw >= 13
            ? "warn"
            : raw >= 9
              ? "info"
              : raw >= 5
                ? "debug"
                : "trace";
    for (const [n, l] of PINO_LEVELS) if (raw >= n) return l;
    return "trace";
  }
  const s = str(raw);
  if (!s) return "info";
  const known = levelOfWord.get(s);
  if (known !== undefined) return known;
  const w = s.toLowerCase();
  // hasOwn: "constructor" or "__proto__" as a level must not resolve to Object.prototype members.
  if (Object.hasOwn(LEVEL_WORDS, w)) {
    // Only the spellings of level words are kept (key-independent, and few), so this stays small.
    if (levelOfWord.size < 1024) levelOfWord.set(s, LEVEL_WORDS[w]!);
    return LEVEL_WORDS[w]!;
  }
  return /^\d+$/.test(s) ? toLevel(Number(s), key) : "info";
}
const levelOfWord = new Map<string, Level>();

const nanoKey = new Map<string, boolean>();
function isNanoKey(key: string): boolean {
  let v = nanoKey.get(key);
  if (v === undefined) {
    v = /nano/i.test(key);
    if (nanoKey.size < 64) nanoKey.set(key, v);
  }
  return v;
}

/** `2024-01-02 03:04:05,123` (Python logging's asctime) → `….123`; anything else unchanged. */
function commaMillis(s: string): string {
  const n = s.length;
  if (n < 4 || s.charCodeAt(n - 4) !== 0x2c) return s;
  for (let i = n - 3; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return s;
  }
  return `${s.slice(0, n - 4)}.${s.slice(n - 3)}`;
}

export function toTime(raw: unknown, key?: string): number | null {
  if (typeof raw === "number" && Number.isFinite(raw)) {
    if (key && isNanoKey(key)) return Math.floor(raw / 1e6);
    if (raw > 1e17) return Math.floor(raw / 1e6); // ns
    if (raw > 1e14) return Math.floor(raw / 1e3); // µs
    if (raw > 1e11) return Math.floor(raw); // ms
    return Math.round(raw * 1000); // s (zap `ts`, python `created`)
  }
  if (typeof raw === "string") {
    if (/^\d+(\.\d+)?$/.test(raw)) return toTime(Number(raw), key);
    const t = Date.parse(commaMillis(raw));
    return Number.isNaN(t) ? null : t;
  }
  return null;
}

// Field resolution without probing every alias: an alias `a.b.c` can only resolve when the record
// has an own key `a.b.c` or `a`, so one pass over the record's keys marks the viable aliases and
// only those are looked up, still in precedence order (same result as trying all of them).
type Field = keyof typeof ALIASES;
const FIELDS = Object.keys(ALIASES) as Field[];
const F = Object.fromEntries(FIELDS.map((f, i) => [f, i])) as Record<Field, number>;
// Per own key of a record: the aliases it can resolve (field * 32 + alias index), its bit among
// the exception keys (exception.ts), and a slot where its value is kept while the record is being
// normalised, so one pass over the keys serves them all.
interface KeyUse {
  codes: number[];
  exception: number;
  slot: number;
}
const BY_KEY = new Map<string, KeyUse>();
const use = (k: string): KeyUse => {
  let u = BY_KEY.get(k);
  if (!u) {
    u = { codes: [], exception: 0, slot: BY_KEY.size };
    BY_KEY.set(k, u);
  }
  return u;
};
for (const [fi, f] of FIELDS.entries()) {
  for (const [ai, alias] of ALIASES[f].entries()) {
    for (const h of new Set([alias, alias.split(".")[0]!])) use(h).codes.push(fi * 32 + ai);
  }
}
for (const [i, k] of EXCEPTION_KEYS.entries()) use(k).exception |= 1 << i;

/** An alias path with the slots of its whole key and (for `a.b…`) of its head. */
interface Slotted {
  path: Path;
  slot: number;
  headSlot: number;
}
const FIELD_SLOTS: Slotted[][] = FIELDS.map((f) =>
  ALIASES[f].map((alias) => {
    const path = pathOf_(alias);
    return { path, slot: use(alias).slot, headSlot: path.head === null ? -1 : use(path.head).slot };
  }),
);

// The record being normalised: which aliases can resolve, and the values of its keys that matter,
// read in the same pass as the keys (a keyed read inside for-in needs no property lookup). One
// record is normalised at a time (normalizeRecord runs to completion and does not re-enter), so
// these are shared rather than allocated per record; `epoch` tells this record's values from stale ones.
const MASKS = new Int32Array(FIELDS.length);
const VALUES: unknown[] = new Array(BY_KEY.size).fill(undefined);
const STAMPS = new Float64Array(BY_KEY.size);
let epoch = 0;

class Resolved {
  readonly #masks = MASKS;
  /** Which of EXCEPTION_KEYS the record has. */
  readonly exceptionKeys: number = 0;
  /** Alias index of the last `first` hit. */
  alias = -1;

  constructor(rec: Obj) {
    const masks = this.#masks;
    masks.fill(0);
    const e = ++epoch;
    let exception = 0;
    for (const k in rec) {
      const u = BY_KEY.get(k);
      if (u === undefined) continue;
      VALUES[u.slot] = rec[k];
      STAMPS[u.slot] = e;
      exception |= u.exception;
      for (const c of u.codes) masks[c >> 5]! |= 1 << (c & 31);
    }
    this.exceptionKeys = exception;
  }

  /** The first present, non-empty alias value of a field (firstOf semantics). */
  first(field: number): unknown {
    let m = this.#masks[field]!;
    const paths = FIELD_SLOTS[field]!;
    const e = epoch;
    while (m !== 0) {
      const ai = 31 - Math.clz32(m & -m);
      m &= m - 1;
      // lookup(rec, path), from the values read in the constructor: the whole key first, then
      // the head's object.
      const p = paths[ai]!;
      let v = STAMPS[p.slot] === e ? VALUES[p.slot] : undefined;
      if (v === undefined && p.headSlot >= 0 && STAMPS[p.headSlot] === e) {
        const h = VALUES[p.headSlot];
        if (h !== null && typeof h === "object") v = lookup(h as Obj, p.path.tail!);
      }
      if (v !== undefined && v !== null && v !== "") {
        this.alias = ai;
        return v;
      }
    }
    this.alias = -1;
    return undefined;
  }
}

function levelOf(r: Resolved): Level {
  const v = r.first(F.level);
  return v === undefined ? "info" : toLevel(v, ALIASES.level[r.alias]);
}

function timeOf(r: Resolved): number | null {
  const v = r.first(F.time);
  return v === undefined ? null : toTime(v, ALIASES.time[r.alias]);
}

const SCHEME_AUTHORITY = /^[a-z]+:\/\/[^/]*/i;

function pathOf(r: Resolved): string | null {
  const raw = str(r.first(F.path));
  if (!raw) return null;
  // Absolute URLs keep only the path; the query string can carry tokens and ids. (A scheme starts
  // with a letter: the usual `/path` skips the regex.)
  const c = raw.charCodeAt(0) | 0x20;
  const noScheme = c >= 0x61 && c <= 0x7a ? raw.replace(SCHEME_AUTHORITY, "") : raw;
  const q = cutAt(noScheme);
  return (q >= 0 ? noScheme.slice(0, q) : noScheme) || "/";
}

/** The first `?` or `#`, or -1. */
function cutAt(s: string): number {
  const q = s.indexOf("?");
  const h = s.indexOf("#");
  return q < 0 || (h >= 0 && h < q) ? h : q;
}

function serviceOf(rec: Obj, r: Resolved, fallback: string | null): string | null {
  const s = str(r.first(F.service));
  if (s) return s;
  // pino/bunyan put the app name in `name`; Python logging uses `name` for the logger, so only
  // trust it alongside a numeric (pino/bunyan) level.
  if (typeof rec.level === "number" && typeof rec.name === "string") return rec.name;
  return fallback;
}

export interface NormalizeOptions {
  inApp?: InAppMatcher;
  /** Per-service matcher (the target repository's `in_app`); undefined → `inApp`. */
  inAppFor?: (service: string | null) => InAppMatcher | undefined;
  defaultService?: string | null;
}

export function normalizeRecord(rec: Obj, opts: NormalizeOptions = {}): NormalizedRecord {
  const r = new Resolved(rec);
  const ex = exceptionFromRecord(rec, r.exceptionKeys);
  let frames: ReadonlyArray<Omit<Frame, "inApp">> | null = ex.frames;
  let language: StackLanguage = ex.language;
  let exceptionType = ex.type;
  let message = ex.message;
  if (ex.stack && !frames) {
    const parsed = parseStack(ex.stack);
    language = parsed.language;
    frames = parsed.frames;
    exceptionType ??= parsed.type;
    message ??= parsed.message;
  }
  if (!exceptionType && ex.stack) exceptionType = headerType(firstLine(ex.stack)).type;
  const service = serviceOf(rec, r, opts.defaultService ?? null);
  const isIn = opts.inAppFor?.(service) ?? opts.inApp ?? defaultInApp;
  const marked = frames ? markFrames(frames, isIn, language) : [];
  const logMsg = str(r.first(F.message));
  const statusRaw = r.first(F.status);
  const status =
    typeof statusRaw === "number"
      ? statusRaw
      : typeof statusRaw === "string" && /^\d{3}$/.test(statusRaw)
        ? Number(statusRaw)
        : null;
  return {
    service,
    level: levelOf(r),
    time: timeOf(r),
    exceptionType: exceptionType ?? null,
    message: message || logMsg || "",
    frames: marked,
    stack: ex.stack,
    path: pathOf(r),
    method: str(r.first(F.method))?.toUpperCase() ?? null,
    status: status !== null && status >= 100 && status <= 999 ? status : null,
    traceId: str(r.first(F.traceId)),
    release: str(r.first(F.release)),
  };
}

function firstLine(s: string): string {
  const nl = s.indexOf("\n");
  return nl < 0 ? s : s.slice(0, nl);
}

// A frames array from stack.ts is shared by every record with the same frames (and always comes
// with the same language), so its in-app marking is computed once per matcher; the marked array is
// frozen like its source, which also lets fingerprint.ts cache its components by identity.
const markedMemo = new WeakMap<InAppMatcher, WeakMap<object, Frame[]>>();
function markFrames(
  frames: ReadonlyArray<Omit<Frame, "inApp">>,
  isIn: InAppMatcher,
  language: StackLanguage,
): Frame[] {
  const shared = Object.isFrozen(frames);
  let memo = shared ? markedMemo.get(isIn) : undefined;
  if (shared && !memo) {
    memo = new WeakMap();
    markedMemo.set(isIn, memo);
  }
  const hit = memo?.get(frames);
  if (hit) return hit;
  const marked: Frame[] = [];
  for (const f of frames)
    marked.push({ ...f, inApp: Object.isFrozen(f) ? inAppCached(isIn, f, language) : isIn(f, language) });
  if (!memo) return marked;
  for (const f of marked) Object.freeze(f);
  memo.set(frames, Object.freeze(marked) as Frame[]);
  return marked;
}

// Parsed stack frames are shared (stack.ts caches them), so the in-app verdict for a frame object
// is cached too, per matcher; structured frames are new objects each time and simply miss.
const inAppMemo = new WeakMap<InAppMatcher, WeakMap<object, boolean>[]>();
const LANGS: StackLanguage[] = ["v8", "python", "java", "go", "unknown"];
function inAppCached(isIn: InAppMatcher, f: Omit<Frame, "inApp">, language: StackLanguage): boolean {
  let perLang = inAppMemo.get(isIn);
  if (!perLang) {
    perLang = LANGS.map(() => new WeakMap());
    inAppMemo.set(isIn, perLang);
  }
  const m = perLang[LANGS.indexOf(language)]!;
  let v = m.get(f);
  if (v === undefined) {
    v = isIn(f, language);
    m.set(f, v);
  }
  return v;
}

export function isError(r: NormalizedRecord, policy: ErrorPolicy): boolean {
  if (LEVEL_RANK[r.level] >= LEVEL_RANK[policy.minLevel]) return true;
  if (policy.exception && (r.exceptionType !== null || r.stack !== null)) return true;
  return policy.status > 0 && r.status !== null && r.status >= policy.status;
}
