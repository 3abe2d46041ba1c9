import { CAPS, overCap } from "../caps.ts";
import type { Frame } from "./schema.ts";

// Parses stack *strings* (V8, Python, Java, Go) into frames. Pure and total: any input yields a
// result, never an exception. In-app marking is a separate step (inapp.ts) so it can be configured.
// Log messages (up to 1 MiB) come from anyone who can make the service log: every pattern here is
// linear-time (npm run check:redos), and a line longer than CAPS.stackLine is never read as a frame.

export type StackLanguage = "v8" | "python" | "java" | "go" | "unknown";

export interface ParsedStack {
  language: StackLanguage;
  /** Exception type of the reported exception, taken from the stack's own header line. */
  type: string | null;
  message: string | null;
  frames: Omit<Frame, "inApp">[];
}

const V8_LOC = /^(.*?):(\d+)(?::(\d+))?$/;
// Matched against the line with trailing whitespace already removed: a trailing `\s*` after `(.+)` is quadratic.
const PY_FRAME = /^\s*File "([^"]+)", line (\d+)(?:, in (.+))?$/;
const JAVA_FRAME = /^\s*at ([\w$.<>/-]+?)\.([\w$<>-]+)\((?:([^:)]*)(?::(\d+))?)?\)/;
const GO_ARGS = /\([^()]*\)$/;
const GO_LOC = /^\t(.+?):(\d+)(?: \+0x[0-9a-f]+)?\s*$/;
// The type is the leading run of identifier characters and dots, followed by `:` or the end. (It used to
// spell out `(?:Error|Exception|…)?[\w$]*` after `[\w$.]*`, which matched the same strings in quadratic time.)
const TYPE_LINE = /^([A-Za-z_$][\w$.]*)(?::\s?(.*))?$/;

// Errors repeat: the same stack (or, after a deploy or with a varying message, the same frame
// lines) comes back thousands of times. Parsed frames are cached per line and whole results per
// stack text; cached values are frozen, so a caller that tried to modify one would fail loudly
// instead of corrupting later results. Both caches are bounded (cleared when full).
const MAX_LINE_CACHE = 10_000;
const MAX_CACHED_LINE = 1024;
const MAX_STACK_CACHE_CHARS = 2 * 1024 * 1024;
type RawFrame = Omit<Frame, "inApp">;

class LineCache<V> {
  readonly #m = new Map<string, V>();
  get(line: string): V | undefined {
    return this.#m.get(line);
  }
  set(line: string, v: V): V {
    if (line.length > MAX_CACHED_LINE) return v;
    if (this.#m.size >= MAX_LINE_CACHE) this.#m.clear();
    this.#m.set(line, v);
    return v;
  }
}

const langOfLine = new LineCache<StackLanguage>();

// Every frame pattern below starts with whitespace (JavaScript's \s) or with one of these words.
const FRAME_STARTS = ["at ", "File ", "Traceback (most recent call last)", "goroutine "];
const START_SPACE = /^\s/;

function lineLanguage(l: string): StackLanguage {
  if (overCap(l, CAPS.stackLine)) return "unknown";
  // An exception's header line ("TypeError: order 41 failed") is read once per record and varies,
  // so it is neither cached nor worth the patterns.
  if (!START_SPACE.test(l) && !FRAME_STARTS.some((w) => l.startsWith(w))) return "unknown";
  const hit = langOfLine.get(l);
  if (hit !== undefined) return hit;
  let lang: StackLanguage = "unknown";
  if (PY_FRAME.test(l.trimEnd()) || l.startsWith("Traceback (most recent call last)")) lang = "python";
  else if (
    /^\s*at [\w$.<>/-]+\([^)]*\.(?:java|kt|scala|groovy|clj):\d+\)/.test(l) ||
    /^\s*at .*\((?:Native Method|Unknown Source)\)/.test(l)
  )
    lang = "java";
  else if (/^goroutine \d+ \[/.test(l) || GO_LOC.test(l) || /^ {4,}\S+\.go:\d+/.test(l)) lang = "go";
  else if (/^\s*at \S/.test(l)) lang = "v8";
  // Only positive answers are cached: unknown lines are mostly one-off messages.
  return lang === "unknown" ? lang : langOfLine.set(l, lang);
}

export function detectLanguage(lines: string[]): StackLanguage {
  for (const l of lines) {
    const lang = lineLanguage(l);
    if (lang !== "unknown") return lang;
  }
  return "unknown";
}

const stackCache = new Map<string, ParsedStack>();
let stackCacheChars = 0;
// When stacks carry unique text (a request id in the message line), caching whole stacks only
// churns the heap; the per-line caches still apply. So the whole-stack cache watches its hit rate
// and pauses itself while it is useless.
const WINDOW = 1024;
let lookups = 0;
let hits = 0;
let pausedFor = 0;

export function parseStack(text: string): ParsedStack {
  if (typeof text !== "string") return parseUncached(text);
  if (pausedFor > 0) {
    pausedFor--;
    return frozen(parseViaRest(text) ?? parseUncached(text));
  }
  const hit = stackCache.get(text);
  lookups++;
  if (hit) {
    hits++;
    return hit;
  }
  if (lookups >= WINDOW) {
    if (hits * 20 < lookups) {
      pausedFor = 16 * WINDOW;
      stackCache.clear();
      stackCacheChars = 0;
    }
    lookups = 0;
    hits = 0;
  }
  const viaRest = parseViaRest(text);
  // Frames already known under another first line: a stack whose message varies (ids). Keeping
  // it whole would only churn the cache; its frames are shared all the same.
  if (viaRest && restWasCached) return viaRest;
  const r = frozen(viaRest ?? parseUncached(text));
  if (text.length <= MAX_STACK_CACHE_CHARS / 64) {
    if (stackCacheChars + text.length > MAX_STACK_CACHE_CHARS) {
      stackCache.clear();
      stackCacheChars = 0;
    }
    stackCache.set(text, r);
    stackCacheChars += text.length;
  }
  return r;
}

// V8 and Java stacks put the message on the first line and only frames after it; the message
// varies (ids), the frames repeat. Their frames are cached by the text after the first line. The
// split is exact for these two parsers: a first line that is not a frame (and, for Java, not a
// `Caused by:`) is the header, and the rest gives the same frames it gives in the whole text.
interface RestEntry {
  language: "v8" | "java";
  frames: RawFrame[];
}
const restCache = new Map<string, RestEntry | null>();
/** Whether the last parseViaRest found its frames in restCache. */
let restWasCached = false;
let restCacheChars = 0;

function parseViaRest(text: string): ParsedStack | null {
  const nl = text.indexOf("\n");
  if (nl < 0 || text.includes("\r")) return null;
  const head = text.slice(0, nl);
  const trimmed = head.trim();
  if (!trimmed || lineLanguage(head) !== "unknown") return null;
  const rest = text.slice(nl + 1);
  let e = restCache.get(rest);
  restWasCached = e !== undefined;
  if (e === undefined) {
    const lines = rest.split("\n");
    const language = detectLanguage(lines);
    const frames =
      language === "v8" ? parseV8(lines).frames : language === "java" ? parseJava(lines).frames : null;
    e =
      frames && (language === "v8" || language === "java")
        ? { language, frames: Object.freeze(frames) as RawFrame[] }
        : null;
    if (rest.length <= MAX_STACK_CACHE_CHARS / 64) {
      if (restCacheChars + rest.length > MAX_STACK_CACHE_CHARS) {
        restCache.clear();
        restCacheChars = 0;
      }
      restCache.set(rest, e);
      restCacheChars += rest.length;
    }
  }
  if (!e) return null;
  if (e.language === "v8") {
    if (v8Frame(head)) return null;
    return { language: "v8", ...headerType(trimmed.replace(/^Uncaught /, "")), frames: e.frames };
  }
  if (javaFrame(head) || /^(Caused by:|Suppressed:|\.\.\. \d+ (more|common frames omitted))/.test(trimmed))
    return null;
  return {
    language: "java",
    ...headerType(trimmed.replace(/^Exception in thread "[^"]*" /, "")),
    frames: e.frames,
  };
}

function frozen(r: ParsedStack): ParsedStack {
  if (!Object.isFrozen(r.frames)) {
    for (const f of r.frames) Object.freeze(f);
    Object.freeze(r.frames);
  }
  return Object.freeze(r);
}

function splitLines(text: string): string[] {
  return text.includes("\r") ? text.split(/\r?\n/) : text.split("\n");
}

function parseUncached(text: string): ParsedStack {
  const lines = typeof text === "string" ? splitLines(text) : [];
  const language = detectLanguage(lines);
  switch (language) {
    case "python":
      return parsePython(lines);
    case "java":
      return parseJava(lines);
    case "go":
      return parseGo(lines);
    case "v8":
      return parseV8(lines);
    default:
      return { language, ...headerType(firstNonEmpty(lines)), frames: [] };
  }
}

function firstNonEmpty(lines: string[]): string {
  for (const l of lines) if (l.trim()) return l.trim();
  return "";
}

/** `TypeError: boom` → {type, message}. A header without a type-like token yields type null. */
export function headerType(line: string): { type: string | null; message: string | null } {
  const m = TYPE_LINE.exec(line.trim());
  if (!m) return { type: null, message: line.trim() || null };
  const type = m[1]!;
  // A bare word followed by a colon ("error: x", "Uncaught …") is not a type unless it looks like one.
  const looksLikeType = /[A-Z]/.test(type[0]!) || type.includes(".") || /Error|Exception/.test(type);
  if (!looksLikeType) return { type: null, message: line.trim() || null };
  return { type, message: m[2] ?? null };
}

const LINE_TERMINATOR = /[\n\r\u2028\u2029]/;

/**
 * `at [async ]fn (loc)` or `at [async ]loc` → its parts, or null. Written out by hand: the regex it
 * replaces (`^\s*at (?:async )?(?:(.*?) \((.+?)\)|(.+?))\s*$`) is quadratic, and log messages reach it.
 */
export function v8FrameParts(raw: string): { fn: string; loc: string } | null {
  if (overCap(raw, CAPS.stackLine)) return null;
  const lead = raw.length - raw.trimStart().length;
  if (!raw.startsWith("at ", lead)) return null;
  const rest = raw.slice(lead + 3);
  return (rest.startsWith("async ") ? v8FrameBody(rest.slice(6)) : null) ?? v8FrameBody(rest);
}

/** What follows `at ` (and `async `): `fn (loc)` or `loc`, trailing whitespace ignored. */
function v8FrameBody(rest: string): { fn: string; loc: string } | null {
  const body = rest.trimEnd();
  // Only whitespace: the old lazy `(.+?)` took its first character as the location.
  if (body === "") return rest !== "" && !LINE_TERMINATOR.test(rest[0]!) ? { fn: "", loc: rest[0]! } : null;
  if (LINE_TERMINATOR.test(body)) return null;
  // The first ` (` whose rest, up to a final `)`, is not empty: what the lazy `(.*?)` chose.
  if (body.endsWith(")")) {
    const open = body.indexOf(" (");
    if (open >= 0 && open + 2 < body.length - 1)
      return { fn: body.slice(0, open), loc: body.slice(open + 2, -1) };
  }
  return { fn: "", loc: body };
}

const v8Lines = new LineCache<RawFrame>();
function v8Frame(raw: string): RawFrame | null {
  const hit = v8Lines.get(raw);
  if (hit) return hit;
  const parts = v8FrameParts(raw);
  if (!parts) return null;
  const { fn, loc } = parts;
  const l = V8_LOC.exec(loc);
  const f: RawFrame = {
    function: fn,
    file: l ? l[1] : loc,
    line: l ? Number(l[2]) : undefined,
    col: l?.[3] ? Number(l[3]) : undefined,
  };
  return v8Lines.set(raw, Object.freeze(f));
}

function parseV8(lines: string[]): ParsedStack {
  const frames: RawFrame[] = [];
  let header = "";
  for (const raw of lines) {
    const f = v8Frame(raw);
    if (!f) {
      if (!frames.length && !header && raw.trim()) header = raw.trim().replace(/^Uncaught /, "");
      continue;
    }
    frames.push(f);
  }
  return { language: "v8", ...headerType(header), frames };
}

const pyLines = new LineCache<RawFrame>();
function pyFrame(raw: string): RawFrame | null {
  const hit = pyLines.get(raw);
  if (hit) return hit;
  if (overCap(raw, CAPS.stackLine)) return null;
  const m = PY_FRAME.exec(raw.trimEnd());
  if (!m) return null;
  return pyLines.set(raw, Object.freeze({ function: (m[3] ?? "").trim(), file: m[1], line: Number(m[2]) }));
}

function parsePython(lines: string[]): ParsedStack {
  // Chained tracebacks print the earliest exception first; the one raised last (reported) is last.
  const frames: RawFrame[] = [];
  let last: { type: string | null; message: string | null } = { type: null, message: null };
  let inTrace = false;
  for (const raw of lines) {
    const f = pyFrame(raw);
    if (f) {
      inTrace = true;
      frames.push(f);
      continue;
    }
    if (raw.startsWith("Traceback (most recent call last)")) {
      inTrace = true;
      continue;
    }
    // The exception line is the first unindented line after the frames.
    if (inTrace && raw && !/^\s/.test(raw)) {
      if (/^(During handling of the above exception|The above exception was the direct cause)/.test(raw))
        continue;
      last = headerType(raw);
      inTrace = false;
    }
  }
  return { language: "python", ...last, frames };
}

const javaLines = new LineCache<RawFrame>();
function javaFrame(raw: string): RawFrame | null {
  const hit = javaLines.get(raw);
  if (hit) return hit;
  if (overCap(raw, CAPS.stackLine)) return null;
  const m = JAVA_FRAME.exec(raw);
  if (!m) return null;
  const f: RawFrame = {
    module: m[1],
    function: m[2]!,
    file: m[3] || undefined,
    line: m[4] ? Number(m[4]) : undefined,
  };
  return javaLines.set(raw, Object.freeze(f));
}

function parseJava(lines: string[]): ParsedStack {
  const frames: RawFrame[] = [];
  let header = "";
  for (const raw of lines) {
    const f = javaFrame(raw);
    if (f) {
      frames.push(f);
      continue;
    }
    const t = raw.trim();
    if (!header && t && !/^(Caused by:|Suppressed:|\.\.\. \d+ (more|common frames omitted))/.test(t)) {
      header = t.replace(/^Exception in thread "[^"]*" /, "");
    }
  }
  return { language: "java", ...headerType(header), frames };
}

function parseGo(lines: string[]): ParsedStack {
  const frames: RawFrame[] = [];
  let header = "";
  let goroutines = 0;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    if (/^goroutine \d+ \[/.test(raw)) {
      // Only the first (panicking) goroutine describes the error; others are bystanders.
      if (++goroutines > 1) break;
      continue;
    }
    const next = lines[i + 1];
    const loc =
      next !== undefined && !overCap(next, CAPS.stackLine) ? GO_LOC.exec(next.replace(/^ {4,}/, "\t")) : null;
    const isFunc = loc && !/^\s/.test(raw) && !raw.startsWith("created by ") && GO_ARGS.test(raw.trimEnd());
    if (isFunc) {
      const full = raw.trimEnd().replace(GO_ARGS, "");
      const { module, fn } = splitGoFunc(full);
      frames.push({ module, function: fn, file: loc[1], line: Number(loc[2]) });
      i++;
      continue;
    }
    if (!header && !goroutines && raw.trim() && !frames.length) header = raw.trim();
  }
  let type: string | null = null;
  let message: string | null = header || null;
  const p = /^panic: (.*?)(?: \[recovered\])?$/.exec(header);
  if (p) {
    type = /^runtime error:/.test(p[1]!) ? "runtime error" : "panic";
    message = p[1]!.replace(/^runtime error: /, "");
  }
  return { language: "go", type, message, frames };
}

/** `github.com/a/b.(*T).m.func1` → module `github.com/a/b`, function `(*T).m.func1`. */
export function splitGoFunc(full: string): { module: string; fn: string } {
  const slash = full.lastIndexOf("/");
  const dot = full.indexOf(".", slash + 1);
  if (dot < 0) return { module: "", fn: full };
  return { module: full.slice(0, dot), fn: full.slice(dot + 1) };
}
