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

export function exceptionFromRecord(rec: Obj): RawException {
  const out: RawException = { type: null, message: null, stack: null, frames: null, language: "unknown" };
  const take = (type: unknown, message: unknown, stack: unknown) => {
    out.type ??= s(type);
    out.message ??= s(message);
    out.stack ??= s(stack);
  };

  // pino / bunyan: err{type|name, message, stack}; slog/zap: err as a string.
  const err = rec.err;
  const errObj = obj(err);
  if (errObj) take(errObj.type ?? errObj.name ?? errObj.className, errObj.message, errObj.stack);
  else if (typeof err === "string") take(null, err, null);

  // ECS: error{type, message, stack_trace} (nested or flattened); zap/slog: error as a string.
  const error = rec.error;
  const errorObj = obj(error);
  if (errorObj)
    take(
      errorObj.type ?? errorObj.name ?? errorObj.kind,
      errorObj.message,
      errorObj.stack_trace ?? errorObj.stack,
    );
  else if (typeof error === "string") take(null, error, null);
  else take(rec["error.type"], rec["error.message"], rec["error.stack_trace"]);

  // OpenTelemetry semantic conventions, as attributes or flattened.
  const attrs = obj(rec.attributes) ?? obj(rec.Attributes);
  if (attrs)
    take(at(attrs, "exception.type"), at(attrs, "exception.message"), at(attrs, "exception.stacktrace"));
  take(rec["exception.type"], rec["exception.message"], rec["exception.stacktrace"]);

  // structlog: exception is a formatted string, or a list of dict tracebacks.
  const exc = rec.exception;
  if (typeof exc === "string") take(null, null, exc);
  else if (Array.isArray(exc) && exc.length && !out.frames) fromDictTracebacks(exc, out);
  else if (obj(exc)) {
    const e = obj(exc)!;
    take(e.type ?? e.exc_type, e.message ?? e.exc_value, e.stacktrace ?? e.stack_trace ?? e.stack);
  }

  // python-json-logger: exc_info (formatted traceback); logstash encoder: stack_trace.
  take(null, null, rec.exc_info ?? rec.exc_text);
  take(null, null, rec.stack_trace);

  // logback JsonEncoder: throwable{className, message, stepArray, cause}.
  const thr = obj(rec.throwable);
  if (thr && !out.frames) fromThrowable(thr, out);

  // winston errors({stack:true}): stack at top level; zap: stacktrace (+ errorVerbose).
  take(null, null, rec.stack);
  take(null, null, rec.errorVerbose ?? rec.stacktrace);
  return out;
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
