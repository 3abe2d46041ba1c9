// Recognises stack-trace frames and error lines of the runtimes issues usually come from: JS/Node,
// Python, Java/Kotlin, .NET, Go, Rust, Ruby, PHP. Shared by the score (is there a trace?) and the
// issue↔code mapper (which file and function?). Every pattern is anchored and bounded: one pass per line.
import { stripAsAlias } from "../../linear-text.ts";

export interface Frame {
  file?: string;
  func?: string;
  line?: number;
  /** The source line, trimmed. */
  raw: string;
}

const JS =
  /^\s*at (?:async )?(?:(.{1,200}?) \()?((?:file:\/\/|webpack:\/\/)?[^\s()]{1,400}?):(\d+)(?::\d+)?\)?\s*$/;
const JS_FIREFOX = /^\s*([\w$.<>/]{0,200})@(\S{1,400}?):(\d+):\d+\s*$/;
const PYTHON = /^\s*File "([^"]{1,400})", line (\d+)(?:, in ([\w<>.]{1,200}))?/;
const JAVA = /^\s*at ([\w$.<>/]{1,300})\(([\w$.-]{1,200}\.(?:java|kt|scala|groovy|clj)):(\d+)\)/;
const JAVA_NATIVE = /^\s*at ([\w$.<>/]{1,300})\((?:Native Method|Unknown Source)\)/;
const DOTNET = /^\s*at ([\w.`<>+|]{1,300})\([^)]{0,300}\)(?: in (.{1,400}?):line (\d+))?\s*$/;
const GO_FILE = /^\s*(\/?[\w./@-]{1,400}\.go):(\d+)(?: \+0x[0-9a-f]+)?\s*$/;
// redos-ok: lines are cut to MAX_LINE_CHARS (2,000) by prepareText and bodies to MAX_SCAN_CHARS; every repeat is bounded ({1,300}, {0,300})
const GO_FUNC = /^([\w./*()@-]{1,300})\(.{0,300}\)\s*$/;
// redos-ok: lines are cut to MAX_LINE_CHARS (2,000) by prepareText and bodies to MAX_SCAN_CHARS; every repeat is bounded ({1,300})
const RUST_FUNC = /^\s*\d+: ([\w:<>{}$ ]{1,300}?)(?:::h[0-9a-f]{16})?\s*$/;
// redos-ok: lines are cut to MAX_LINE_CHARS (2,000) by prepareText and bodies to MAX_SCAN_CHARS; every repeat is bounded ({0,300}, {1,400})
const RUST_PANIC = /panicked at (?:'.{0,300}', )?([\w./-]{1,400}\.rs):(\d+):\d+/;
const RUBY = /^\s*(?:from )?([^\s:]{1,400}\.rb):(\d+):in [`']([^'`]{1,200})'/;
const PHP = /^\s*#\d+ (.{1,400}\.php)\((\d+)\): ([\w\\:>-]{1,200})\(/;

const TRACE_HEADERS =
  /Traceback \(most recent call last\)|^goroutine \d+ \[|panicked at|^Exception in thread|^stack backtrace:|^Caused by: [\w.$]+(?:Exception|Error)|^Stack trace:/;

/** Splits `Foo.bar.baz` into its last member, the part that names a function in code. */
function lastMember(qualified: string): string {
  const cleaned = stripAsAlias(qualified.replace(/^new /, ""), "any");
  const parts = cleaned.split(/\.|::|->|\\/).filter(Boolean);
  return parts[parts.length - 1] ?? cleaned;
}

function cleanFile(file: string): string {
  return file.replace(/^(?:file|webpack):\/\/\/?/, "").split("?", 1)[0]!;
}

/** Parses one line as a frame. `prev` is the preceding line (Go and Rust put the function there). */
export function parseFrame(line: string, prev = ""): Frame | null {
  const raw = line.trim();
  let m = JAVA.exec(line);
  if (m) return { file: m[2], func: lastMember(m[1]!), line: Number(m[3]), raw };
  m = JAVA_NATIVE.exec(line);
  if (m) return { func: lastMember(m[1]!), raw };
  m = PYTHON.exec(line);
  if (m) return { file: m[1], func: m[3], line: Number(m[2]), raw };
  m = RUBY.exec(line);
  if (m)
    return { file: m[1], func: m[3]!.replace(/^block (?:\(\d+ levels\) )?in /, ""), line: Number(m[2]), raw };
  m = PHP.exec(line);
  if (m) return { file: m[1], func: lastMember(m[3]!), line: Number(m[2]), raw };
  m = GO_FILE.exec(line);
  if (m) {
    const f = GO_FUNC.exec(prev.trim());
    return {
      file: m[1],
      func: f ? lastMember(f[1]!.replace(/\(\*?[\w]+\)\./, "")) : undefined,
      line: Number(m[2]),
      raw,
    };
  }
  m = /^\s*at (\S{1,400}\.rs):(\d+):\d+\s*$/.exec(line);
  if (m) {
    const f = RUST_FUNC.exec(prev);
    return { file: m[1], func: f ? lastMember(f[1]!) : undefined, line: Number(m[2]), raw };
  }
  m = DOTNET.exec(line);
  if (m && (m[2] || /\.[\w<>`]+$/.test(m[1]!))) {
    return { file: m[2], func: lastMember(m[1]!), line: m[3] ? Number(m[3]) : undefined, raw };
  }
  m = JS.exec(line);
  if (m && /[/\\.]|<anonymous>|^node:/.test(m[2]!)) {
    const func = m[1] ? lastMember(m[1]) : undefined;
    const file = cleanFile(m[2]!);
    return { file: file === "<anonymous>" ? undefined : file, func, line: Number(m[3]), raw };
  }
  m = JS_FIREFOX.exec(line);
  if (m && /[/.]/.test(m[2]!))
    return { file: cleanFile(m[2]!), func: m[1] ? lastMember(m[1]) : undefined, line: Number(m[3]), raw };
  m = RUST_PANIC.exec(line);
  if (m) return { file: m[1], line: Number(m[2]), raw };
  return null;
}

export function isTraceHeader(line: string): boolean {
  return TRACE_HEADERS.test(line.trim());
}

const ERROR_LINE =
  /^\s*(?:Uncaught (?:\(in promise\) )?)?(?:[\w$]{1,100}\.){0,8}([A-Z][\w$]{0,100}(?:Error|Exception|Panic|Fault))(?: \[[\w-]{1,60}\])?:\s+(.{3,300})/;
const GENERIC_ERROR = /^\s*(?:npm )?(?:error|fatal|panic|ERR!)(?:\[E\d{1,6}\])?:?\s+(.{3,300})/i;

/** An error line: `TypeError: x is not a function`, `error[E0382]: borrow of moved value`. */
export function parseErrorLine(line: string): { type?: string; message: string } | null {
  const m = ERROR_LINE.exec(line);
  if (m) return { type: m[1], message: m[2]!.trim() };
  const g = GENERIC_ERROR.exec(line);
  if (g && /[a-z]{3}/i.test(g[1]!)) return { message: g[1]!.trim() };
  return null;
}

export interface TraceScan {
  frames: Frame[];
  headers: string[];
  errors: { type?: string; message: string; raw: string }[];
}

/** Frames, trace headers and error lines of a body, each list capped. */
export function scanTraces(lines: readonly string[], cap = 500): TraceScan {
  const out: TraceScan = { frames: [], headers: [], errors: [] };
  let prev = "";
  for (const line of lines) {
    if (out.frames.length < cap) {
      const f = parseFrame(line, prev);
      if (f) out.frames.push(f);
    }
    if (out.headers.length < cap && isTraceHeader(line)) out.headers.push(line.trim());
    if (out.errors.length < cap) {
      const e = parseErrorLine(line);
      if (e) out.errors.push({ ...e, raw: line.trim() });
    }
    prev = line;
  }
  return out;
}
