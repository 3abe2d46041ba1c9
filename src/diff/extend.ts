// More context for the model: extra lines around each hunk, reaching back to the enclosing
// function or class header, from file contents the caller already has. And the opposite for tight
// budgets: compression drops what a reviewer cannot comment on.
import type { DiffFile, DiffLine, Hunk } from "./types.ts";
import { CAPS, capText } from "../caps.ts";

export type ContentSide = "old" | "new";
/** Full text of a file at one side of the diff, or null/undefined when unknown. Synchronous: load first. */
export type GetContent = (path: string, side: ContentSide) => string | null | undefined;

export interface ExtendOptions {
  before?: number;
  after?: number;
  /** How far above `before` to look for an enclosing function/class header. */
  headerLookback?: number;
  getContent?: GetContent;
}

const HEADERS: { ext: RegExp; re: RegExp }[] = [
  // redos-ok: the file's own lines, cut to CAPS.headerLine characters before matching (extendFile), and at most before+lookback lines per hunk: bounded cost per line
  {
    ext: /\.(m|c)?[jt]sx?$/,
    re: /^\s*(export\s+)?(default\s+)?(async\s+)?(function\b|class\b|(abstract\s+)?class\b|(const|let)\s+\w+\s*=\s*(async\s*)?(\(|function))|^\s*((public|private|protected|static|async|get|set)\s+)*\w+\s*\([^;]*\)\s*(:\s*[^=]+)?\{\s*$/,
  },
  { ext: /\.pyi?$/, re: /^\s*(async\s+def|def|class)\s+\w+/ },
  { ext: /\.go$/, re: /^(func\s|type\s+\w+\s+(struct|interface)\b)/ },
  { ext: /\.rs$/, re: /^\s*(pub(\([^)]*\))?\s+)?(async\s+)?(fn|impl|struct|enum|trait|mod)\b/ },
  { ext: /\.rb$/, re: /^\s*(def|class|module)\s/ },
  {
    ext: /\.php$/,
    re: /^\s*((public|private|protected|static|abstract|final)\s+)*(function|class|trait|interface)\s/,
  },
  // redos-ok: the file's own lines, cut to CAPS.headerLine characters before matching (extendFile), and at most before+lookback lines per hunk: bounded cost per line
  {
    ext: /\.(java|kt|kts|cs|scala|swift)$/,
    re: /^\s*((public|private|protected|internal|static|final|abstract|override|open|data|sealed|suspend)\s+)*(class|interface|enum|record|object|fun|func|def|[\w<>[\],\s]+\s+\w+\s*\([^;]*\)\s*(throws [\w., ]+)?\{?\s*$)/,
  },
  // redos-ok: the file's own lines, cut to CAPS.headerLine characters before matching (extendFile), and at most before+lookback lines per hunk: bounded cost per line
  {
    ext: /\.(c|h|cc|cpp|hpp|cxx|m|mm)$/,
    re: /^(\w[\w\s*&:<>,]*\s+\**)?\w[\w:~]*\s*\([^;]*\)\s*(const\s*)?\{?\s*$|^(class|struct)\s+\w+/,
  },
];

/** The function/class header pattern for a path, or null for languages we do not know. */
export function headerPattern(path: string): RegExp | null {
  for (const h of HEADERS) if (h.ext.test(path)) return h.re;
  return null;
}

function splitContent(text: string): string[] {
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines.map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
}

function firstNewLine(h: Hunk): DiffLine | undefined {
  return h.lines.find((l) => l.kind !== "del");
}

/**
 * Extends every hunk of `file` with context read from its contents. Files whose content is unknown
 * or does not match the hunks are returned unchanged (wrong context is worse than none).
 */
export function extendFile(file: DiffFile, opts: ExtendOptions = {}): DiffFile {
  const before = opts.before ?? 5;
  const after = opts.after ?? 1;
  const lookback = opts.headerLookback ?? 10;
  if (!opts.getContent || file.binary || file.hunks.length === 0 || file.status === "deleted") return file;
  const text = opts.getContent(file.path, "new");
  if (typeof text !== "string") return file;
  const content = splitContent(text);
  for (const h of file.hunks) {
    const first = firstNewLine(h);
    if (first && content[first.newLine! - 1] !== first.text) return file;
  }
  const header = /\.(md|txt|rst)$/i.test(file.path) ? null : headerPattern(file.path);
  const hunks: Hunk[] = [];
  const eff = (h: Hunk) => ({
    // git writes `-a,0` / `+c,0` as "after line a/c"; normalise to "starts at".
    old: h.oldLines === 0 ? h.oldStart + 1 : h.oldStart,
    neu: h.newLines === 0 ? h.newStart + 1 : h.newStart,
  });
  for (let k = 0; k < file.hunks.length; k++) {
    const h = file.hunks[k]!;
    const { old: oS, neu: nS } = eff(h);
    const prev = hunks[hunks.length - 1];
    const floor = prev ? eff(prev).neu + prev.newLines : 1; // first new line we may add
    let want = Math.max(floor, nS - before);
    if (header) {
      for (let n = nS - 1; n >= Math.max(floor, nS - before - lookback); n--) {
        if (header.test(capText(content[n - 1] ?? "", CAPS.headerLine))) {
          want = Math.min(want, n);
          break;
        }
      }
    }
    const next = file.hunks[k + 1];
    const ceiling = next ? eff(next).neu - 1 : content.length; // last new line we may add
    const end = Math.min(ceiling, nS + h.newLines - 1 + after);
    const pre: DiffLine[] = [];
    for (let n = want; n < nS; n++) {
      pre.push({ kind: "ctx", oldLine: oS - (nS - n), newLine: n, text: content[n - 1] ?? "" });
    }
    const post: DiffLine[] = [];
    for (let n = nS + h.newLines; n <= end; n++) {
      post.push({
        kind: "ctx",
        oldLine: oS + h.oldLines + (n - nS - h.newLines),
        newLine: n,
        text: content[n - 1] ?? "",
      });
    }
    if (pre.length === 0 && post.length === 0) {
      if (prev && eff(prev).neu + prev.newLines === nS && eff(prev).old + prev.oldLines === oS) {
        mergeInto(prev, h);
      } else hunks.push({ ...h, lines: [...h.lines] });
      continue;
    }
    const grown: Hunk = {
      oldStart: oS - pre.length,
      oldLines: h.oldLines + pre.length + post.length,
      newStart: nS - pre.length,
      newLines: h.newLines + pre.length + post.length,
      heading: h.heading,
      lines: [...pre, ...h.lines, ...post],
    };
    if (prev && eff(prev).neu + prev.newLines === grown.newStart) mergeInto(prev, grown);
    else hunks.push(grown);
  }
  return { ...file, hunks };
}

function mergeInto(prev: Hunk, h: Hunk): void {
  if (prev.oldLines === 0 && h.oldLines > 0) prev.oldStart += 1;
  if (prev.newLines === 0 && h.newLines > 0) prev.newStart += 1;
  prev.lines.push(...h.lines);
  prev.oldLines += h.oldLines;
  prev.newLines += h.newLines;
}

/** Whether a hunk only deletes: nothing in it can carry a RIGHT-side comment or suggestion. */
export function isDeletionOnly(h: Hunk): boolean {
  return h.lines.every((l) => l.kind !== "add");
}

/** Compressed form for tight budgets: deletion-only hunks dropped; deleted files keep no hunks. */
export function compressFile(file: DiffFile): DiffFile {
  if (file.status === "deleted") return { ...file, hunks: [] };
  return { ...file, hunks: file.hunks.filter((h) => !isDeletionOnly(h)) };
}
