import { LEVEL_RANK, type ErrorPolicy, type Level, type NormalizedRecord } from "./schema.ts";
import { headerType, parseStack, type StackLanguage } from "./stack.ts";
import { exceptionFromRecord } from "./exception.ts";
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

function firstOf(rec: Obj, paths: readonly string[]): unknown {
  for (const p of paths) {
    const v = lookup(rec, pathOf_(p));
    if (v !== undefined && v !== null && v !== "") return v;
  }
  return undefined;
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

const LEVEL_WORDS: Record<string, Level> = {
  trace: "trace",
  finest: "trace",
  finer: "trace",
  debug: "debug",
  fine: "debug",
  config: "debug",
  info: "info",
  information: "info",
  notice: "info",
  warn: "warn",
  warning: "warn",
  error: "error",
  err: "error",
  severe: "error",
  dpanic: "error",
  fatal: "fatal",
  critical: "fatal",
  crit: "fatal",
  alert: "fatal",
  emerg: "fatal",
  emergency: "fatal",
  panic: "fatal",
};

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
  return LEVEL_WORDS[s.toLowerCase()] ?? (/^\d+$/.test(s) ? toLevel(Number(s), key) : "info");
}

export function toTime(raw: unknown, key?: string): number | null {
  if (typeof raw === "number" && Number.isFinite(raw)) {
    if (key && /nano/i.test(key)) return Math.floor(raw / 1e6);
    if (raw > 1e17) return Math.floor(raw / 1e6); // ns
    if (raw > 1e14) return Math.floor(raw / 1e3); // µs
    if (raw > 1e11) return Math.floor(raw); // ms
    return Math.round(raw * 1000); // s (zap `ts`, python `created`)
  }
  if (typeof raw === "string") {
    if (/^\d+(\.\d+)?$/.test(raw)) return toTime(Number(raw), key);
    const t = Date.parse(raw.replace(/,(\d{3})$/, ".$1"));
    return Number.isNaN(t) ? null : t;
  }
  return null;
}

function levelOf(rec: Obj): Level {
  for (const k of ALIASES.level) {
    const v = pick(rec, k);
    if (v !== undefined && v !== null && v !== "") return toLevel(v, k);
  }
  return "info";
}

function timeOf(rec: Obj): number | null {
  for (const k of ALIASES.time) {
    const v = pick(rec, k);
    if (v !== undefined && v !== null && v !== "") return toTime(v, k);
  }
  return null;
}

function pathOf(rec: Obj): string | null {
  const raw = str(firstOf(rec, ALIASES.path));
  if (!raw) return null;
  // Absolute URLs keep only the path; the query string can carry tokens and ids.
  const noScheme = raw.replace(/^[a-z]+:\/\/[^/]*/i, "");
  const q = noScheme.search(/[?#]/);
  return (q >= 0 ? noScheme.slice(0, q) : noScheme) || "/";
}

function serviceOf(rec: Obj, fallback: string | null): string | null {
  const s = str(firstOf(rec, ALIASES.service));
  if (s) return s;
  // pino/bunyan put the app name in `name`; Python logging uses `name` for the logger, so only
  // trust it alongside a numeric (pino/bunyan) level.
  if (typeof rec.level === "number" && typeof rec.name === "string") return rec.name;
  return fallback;
}

export interface NormalizeOptions {
  inApp?: InAppMatcher;
  defaultService?: string | null;
}

export function normalizeRecord(rec: Obj, opts: NormalizeOptions = {}): NormalizedRecord {
  const ex = exceptionFromRecord(rec);
  let frames = ex.frames;
  let language: StackLanguage = ex.language;
  let exceptionType = ex.type;
  let message = ex.message;
  if (ex.stack && !frames) {
    const parsed = parseStack(ex.stack);
    language = parsed.language;
    frames = parsed.frames.map((f) => ({ ...f, inApp: false }));
    exceptionType ??= parsed.type;
    message ??= parsed.message;
  }
  if (!exceptionType && ex.stack) exceptionType = headerType(ex.stack.split("\n", 1)[0] ?? "").type;
  const isIn = opts.inApp ?? defaultInApp;
  const marked = (frames ?? []).map((f) => ({ ...f, inApp: isIn(f, language) }));
  const logMsg = str(firstOf(rec, ALIASES.message));
  const statusRaw = firstOf(rec, ALIASES.status);
  const status =
    typeof statusRaw === "number"
      ? statusRaw
      : typeof statusRaw === "string" && /^\d{3}$/.test(statusRaw)
        ? Number(statusRaw)
        : null;
  return {
    service: serviceOf(rec, opts.defaultService ?? null),
    level: levelOf(rec),
    time: timeOf(rec),
    exceptionType: exceptionType ?? null,
    message: message || logMsg || "",
    frames: marked,
    stack: ex.stack,
    path: pathOf(rec),
    method: str(firstOf(rec, ALIASES.method))?.toUpperCase() ?? null,
    status: status !== null && status >= 100 && status <= 999 ? status : null,
    traceId: str(firstOf(rec, ALIASES.traceId)),
    release: str(firstOf(rec, ALIASES.release)),
  };
}

export function isError(r: NormalizedRecord, policy: ErrorPolicy): boolean {
  if (LEVEL_RANK[r.level] >= LEVEL_RANK[policy.minLevel]) return true;
  if (policy.exception && (r.exceptionType !== null || r.stack !== null)) return true;
  return policy.status > 0 && r.status !== null && r.status >= policy.status;
}
