import type { Frame } from "./schema.ts";

// Parses stack *strings* (V8, Python, Java, Go) into frames. Pure and total: any input yields a
// result, never an exception. In-app marking is a separate step (inapp.ts) so it can be configured.

export type StackLanguage = "v8" | "python" | "java" | "go" | "unknown";

export interface ParsedStack {
  language: StackLanguage;
  /** Exception type of the reported exception, taken from the stack's own header line. */
  type: string | null;
  message: string | null;
  frames: Omit<Frame, "inApp">[];
}

const V8_FRAME = /^\s*at (?:async )?(?:(.*?) \((.+?)\)|(.+?))\s*$/;
const V8_LOC = /^(.*?):(\d+)(?::(\d+))?$/;
const PY_FRAME = /^\s*File "([^"]+)", line (\d+)(?:, in (.+))?\s*$/;
const JAVA_FRAME = /^\s*at ([\w$.<>/-]+?)\.([\w$<>-]+)\((?:([^:)]*)(?::(\d+))?)?\)/;
const GO_ARGS = /\([^()]*\)$/;
const GO_LOC = /^\t(.+?):(\d+)(?: \+0x[0-9a-f]+)?\s*$/;
const TYPE_LINE =
  /^([A-Za-z_$][\w$.]*(?:Error|Exception|Exit|Interrupt|Warning|Fault|Failure|Throwable)?[\w$]*)(?::\s?(.*))?$/;

export function detectLanguage(lines: string[]): StackLanguage {
  for (const l of lines) {
    if (PY_FRAME.test(l) || l.startsWith("Traceback (most recent call last)")) return "python";
    if (
      /^\s*at [\w$.<>/-]+\([^)]*\.(?:java|kt|scala|groovy|clj):\d+\)/.test(l) ||
      /^\s*at .*\((?:Native Method|Unknown Source)\)/.test(l)
    )
      return "java";
    if (/^goroutine \d+ \[/.test(l) || GO_LOC.test(l) || /^ {4,}\S+\.go:\d+/.test(l)) return "go";
    if (/^\s*at \S/.test(l)) return "v8";
  }
  return "unknown";
}

export function parseStack(text: string): ParsedStack {
  const lines = typeof text === "string" ? text.split(/\r?\n/) : [];
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

function parseV8(lines: string[]): ParsedStack {
  const frames: Omit<Frame, "inApp">[] = [];
  let header = "";
  for (const raw of lines) {
    const m = V8_FRAME.exec(raw);
    if (!m || !/^\s*at /.test(raw)) {
      if (!frames.length && !header && raw.trim()) header = raw.trim().replace(/^Uncaught /, "");
      continue;
    }
    const fn = m[1] ?? "";
    const loc = m[2] ?? m[3] ?? "";
    const l = V8_LOC.exec(loc);
    frames.push({
      function: fn,
      file: l ? l[1] : loc,
      line: l ? Number(l[2]) : undefined,
      col: l?.[3] ? Number(l[3]) : undefined,
    });
  }
  return { language: "v8", ...headerType(header), frames };
}

function parsePython(lines: string[]): ParsedStack {
  // Chained tracebacks print the earliest exception first; the one raised last (reported) is last.
  const frames: Omit<Frame, "inApp">[] = [];
  let last: { type: string | null; message: string | null } = { type: null, message: null };
  let inTrace = false;
  for (const raw of lines) {
    const m = PY_FRAME.exec(raw);
    if (m) {
      inTrace = true;
      frames.push({ function: (m[3] ?? "").trim(), file: m[1], line: Number(m[2]) });
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

function parseJava(lines: string[]): ParsedStack {
  const frames: Omit<Frame, "inApp">[] = [];
  let header = "";
  for (const raw of lines) {
    const m = JAVA_FRAME.exec(raw);
    if (m) {
      frames.push({
        module: m[1],
        function: m[2]!,
        file: m[3] || undefined,
        line: m[4] ? Number(m[4]) : undefined,
      });
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
  const frames: Omit<Frame, "inApp">[] = [];
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
    const loc = next !== undefined ? GO_LOC.exec(next.replace(/^ {4,}/, "\t")) : null;
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
