import type { Frame } from "./schema.ts";
import type { StackLanguage } from "./stack.ts";

// Finds the exception inside a log record, whichever logger wrote it. Sources are tried in a fixed
// order; each of type, message and stack comes from the first source that has it.

type Obj = Record<string, unknown>;
type RawFrame = Omit<Frame, "inApp">;

export interface RawException {
  type: string | null;
  message: string | null;
  stack: string | null;
  /** Structured frames when the logger emitted them (structlog dict tracebacks, logback JsonEncoder). */
  frames: RawFrame[] | null;
  language: StackLanguage;
}

function s(v: unknown): string | null {
  return typeof v === "string" && v !== "" ? v : null;
}
function obj(v: unknown): Obj | null {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : null;
}
function at(rec: Obj, key: string): unknown {
  if (Object.hasOwn(rec, key)) return rec[key];
  const dot = key.indexOf(".");
  if (dot < 0) return undefined;
  const head = obj(rec[key.slice(0, dot)]);
  return head ? at(head, key.slice(dot + 1)) : undefined;
}

/** The record's own keys that can hold an exception (normalize.ts marks which are present). */
export const EXCEPTION_KEYS = [
  "err",
  "error",
  "error.type",
  "error.message",
  "error.stack_trace",
  "attributes",
  "Attributes",
  "exception.type",
  "exception.message",
  "exception.stacktrace",
  "exception",
  "exc_info",
  "exc_text",
  "stack_trace",
  "throwable",
  "stack",
  "errorVerbose",
  "stacktrace",
] as const;
const K = Object.fromEntries(EXCEPTION_KEYS.map((k, i) => [k, 1 << i])) as Record<
  (typeof EXCEPTION_KEYS)[number],
  number
>;
/** Every key present: read them all. */
export const ALL_EXCEPTION_KEYS = (1 << EXCEPTION_KEYS.length) - 1;

/**
 * `present`: a bit per EXCEPTION_KEYS entry, set when the record has that key (a caller that has
 * already enumerated the record's keys passes it, so absent keys are not looked up one by one).
 */
export function exceptionFromRecord(rec: Obj, present = ALL_EXCEPTION_KEYS): RawException {
  const out: RawException = { type: null, message: null, stack: null, frames: null, language: "unknown" };
  // A key the record does not have is not looked up (this runs for every error record).
  const get = (key: (typeof EXCEPTION_KEYS)[number]): unknown => (present & K[key] ? rec[key] : undefined);

  // pino / bunyan: err{type|name, message, stack}; slog/zap: err as a string.
  const err = get("err");
  const errObj = obj(err);
  if (errObj) take(out, errObj.type ?? errObj.name ?? errObj.className, errObj.message, errObj.stack);
  else if (typeof err === "string") take(out, null, err, null);

  // ECS: error{type, message, stack_trace} (nested or flattened); zap/slog: error as a string.
  const error = get("error");
  const errorObj = obj(error);
  if (errorObj)
    take(
      out,
      errorObj.type ?? errorObj.name ?? errorObj.kind,
      errorObj.message,
      errorObj.stack_trace ?? errorObj.stack,
    );
  else if (typeof error === "string") take(out, null, error, null);
  else if (present & (K["error.type"] | K["error.message"] | K["error.stack_trace"]))
    take(out, get("error.type"), get("error.message"), get("error.stack_trace"));

  // OpenTelemetry semantic conventions, as attributes or flattened.
  if (present & (K.attributes | K.Attributes)) {
    const attrs = obj(get("attributes")) ?? obj(get("Attributes"));
    if (attrs)
      take(
        out,
        at(attrs, "exception.type"),
        at(attrs, "exception.message"),
        at(attrs, "exception.stacktrace"),
      );
  }
  if (present & (K["exception.type"] | K["exception.message"] | K["exception.stacktrace"]))
    take(out, get("exception.type"), get("exception.message"), get("exception.stacktrace"));

  // structlog: exception is a formatted string, or a list of dict tracebacks.
  if (present & K.exception) {
    const exc = get("exception");
    if (typeof exc === "string") take(out, null, null, exc);
    else if (Array.isArray(exc) && exc.length && !out.frames) fromDictTracebacks(exc, out);
    else if (obj(exc)) {
      const e = obj(exc)!;
      take(out, e.type ?? e.exc_type, e.message ?? e.exc_value, e.stacktrace ?? e.stack_trace ?? e.stack);
    }
  }

  // python-json-logger: exc_info (formatted traceback); logstash encoder: stack_trace.
  if (out.stack === null) {
    takeStack(out, get("exc_info") ?? get("exc_text"));
    takeStack(out, get("stack_trace"));
  }

  // logback JsonEncoder: throwable{className, message, stepArray, cause}.
  if (present & K.throwable) {
    const thr = obj(get("throwable"));
    if (thr && !out.frames) fromThrowable(thr, out);
  }

  // winston errors({stack:true}): stack at top level; zap: stacktrace (+ errorVerbose).
  if (out.stack === null) {
    takeStack(out, get("stack"));
    takeStack(out, get("errorVerbose") ?? get("stacktrace"));
  }
  return out;
}

/** Each of type, message and stack is taken from the first source that has it. */
function take(out: RawException, type: unknown, message: unknown, stack: unknown): void {
  if (out.type === null) out.type = s(type);
  if (out.message === null) out.message = s(message);
  if (out.stack === null) out.stack = s(stack);
}

function takeStack(out: RawException, stack: unknown): void {
  if (out.stack === null) out.stack = s(stack);
}

function fromDictTracebacks(list: unknown[], out: RawException): void {
  const chain = list.map(obj).filter((x): x is Obj => x !== null);
  if (!chain.length) return;
  const head = chain[0]!;
  out.type ??= s(head.exc_type);
  out.message ??= s(head.exc_value);
  // Printed order (and our string parser's order) is earliest exception first.
  const frames: RawFrame[] = [];
  const text: string[] = [];
  for (let i = chain.length - 1; i >= 0; i--) {
    const e = chain[i]!;
    text.push("Traceback (most recent call last):");
    for (const f of Array.isArray(e.frames) ? e.frames : []) {
      const fo = obj(f);
      if (!fo) continue;
      const file = s(fo.filename) ?? "";
      const line = typeof fo.lineno === "number" ? fo.lineno : undefined;
      const fn = s(fo.name) ?? "";
      frames.push({ function: fn, file, line });
      text.push(`  File "${file}", line ${line ?? "?"}, in ${fn}`);
    }
    text.push(`${s(e.exc_type) ?? "Exception"}: ${s(e.exc_value) ?? ""}`);
    if (i > 0) text.push("", "The above exception was the direct cause of the following exception:", "");
  }
  out.frames = frames;
  out.language = "python";
  out.stack ??= text.join("\n");
}

function fromThrowable(thr: Obj, out: RawException): void {
  out.type ??= s(thr.className);
  out.message ??= s(thr.message);
  const frames: RawFrame[] = [];
  const text: string[] = [];
  let cur: Obj | null = thr;
  let depth = 0;
  while (cur && depth++ < 20) {
    const head = `${s(cur.className) ?? "java.lang.Throwable"}${s(cur.message) ? `: ${cur.message}` : ""}`;
    text.push(depth === 1 ? head : `Caused by: ${head}`);
    for (const st of Array.isArray(cur.stepArray) ? cur.stepArray : []) {
      const so = obj(st);
      if (!so) continue;
      const cls = s(so.className) ?? "";
      const m = s(so.methodName) ?? "";
      const file = s(so.fileName) ?? undefined;
      const line = typeof so.lineNumber === "number" ? so.lineNumber : undefined;
      frames.push({ module: cls, function: m, file, line });
      text.push(`\tat ${cls}.${m}(${file ?? "Unknown Source"}${line !== undefined ? `:${line}` : ""})`);
    }
    cur = obj(cur.cause);
  }
  out.frames = frames;
  out.language = "java";
  out.stack ??= text.join("\n");
}
