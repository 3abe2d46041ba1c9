// A deliberately small Markdown fence tracker: enough to know, line by line, whether we are inside
// a ``` or ~~~ code block, so a long body can be cut without leaving a fence open. Fences inside
// blockquotes or list items are not tracked (a cut there only affects rendering, never content).

export interface Fence {
  char: "`" | "~";
  length: number;
  /** The line to re-open this fence with in the next part (indent, fence, shortened info string). */
  opener: string;
  /** The line that closes it. */
  closer: string;
}

// Runs longer than 16 are treated as text: it keeps the re-open/close overhead bounded, and such
// fences do not occur in what Steward writes.
const FENCE_RE = /^( {0,3})(`{3,16}|~{3,16})([^\r\n]*)\r?\n?$/;

/** The fence state after `line` (one line, with or without its newline), given the state before it. */
export function nextFence(open: Fence | undefined, line: string): Fence | undefined {
  const m = FENCE_RE.exec(line);
  if (!m) return open;
  const run = m[2]!;
  const char = run[0] as "`" | "~";
  const rest = m[3]!;
  if (open) {
    const closes = char === open.char && run.length >= open.length && rest.trim() === "";
    return closes ? undefined : open;
  }
  if (char === "`" && rest.includes("`")) return undefined; // an inline code span, not a fence
  return {
    char,
    length: run.length,
    opener: `${m[1]}${run}${rest.trim().slice(0, 40)}`,
    closer: `${m[1]}${run}`,
  };
}

/** Split into lines, each keeping its "\n" (the last may lack one). */
export function splitLines(text: string): string[] {
  if (text === "") return [];
  return text.split(/(?<=\n)/);
}
