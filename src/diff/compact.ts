// Leaner forms of a file for tight budgets: context cut down to a line or two around the changes
// (hunks split where the kept context no longer meets), and the line ranges of hunks left out,
// in words users can look up.
import type { DiffFile, DiffLine, Hunk } from "./types.ts";

/** A hunk as line ranges: the new-file lines it covers, or the old-file lines when it only deletes. */
export interface LineRange {
  side: "new" | "old";
  start: number;
  end: number;
}

/** Splits `h` into sub-hunks that keep only `keep` context lines around each change. */
function trimHunk(h: Hunk, keep: number): Hunk[] {
  const n = h.lines.length;
  const wanted = new Array<boolean>(n).fill(false);
  for (let i = 0; i < n; i++) {
    if (h.lines[i]!.kind === "ctx") continue;
    for (let k = Math.max(0, i - keep); k <= Math.min(n - 1, i + keep); k++) wanted[k] = true;
  }
  if (wanted.every(Boolean)) return [h];
  // Positions where each line sits (git writes `-a,0` as "after line a": normalise to "at a+1").
  let o = h.oldLines === 0 ? h.oldStart + 1 : h.oldStart;
  let nw = h.newLines === 0 ? h.newStart + 1 : h.newStart;
  const out: Hunk[] = [];
  let cur: { o: number; n: number; lines: DiffLine[] } | null = null;
  const close = () => {
    if (!cur) return;
    const oldLines = cur.lines.filter((l) => l.kind !== "add").length;
    const newLines = cur.lines.filter((l) => l.kind !== "del").length;
    out.push({
      oldStart: oldLines === 0 ? cur.o - 1 : cur.o,
      oldLines,
      newStart: newLines === 0 ? cur.n - 1 : cur.n,
      newLines,
      heading: h.heading,
      lines: cur.lines,
    });
    cur = null;
  };
  for (let i = 0; i < n; i++) {
    const l = h.lines[i]!;
    if (wanted[i]) {
      cur ??= { o, n: nw, lines: [] };
      cur.lines.push(l);
    } else close();
    if (l.kind !== "add") o++;
    if (l.kind !== "del") nw++;
  }
  close();
  return out;
}

/** `file` with at most `keep` context lines around each change; the same object when nothing changes. */
export function trimContext(file: DiffFile, keep: number): DiffFile {
  let changed = false;
  const hunks: Hunk[] = [];
  for (const h of file.hunks) {
    const parts = trimHunk(h, Math.max(0, keep));
    if (parts.length !== 1 || parts[0] !== h) changed = true;
    hunks.push(...parts);
  }
  return changed ? { ...file, hunks } : file;
}

export function hunkRange(h: Hunk): LineRange {
  if (h.newLines > 0) return { side: "new", start: h.newStart, end: h.newStart + h.newLines - 1 };
  return { side: "old", start: h.oldStart, end: h.oldStart + Math.max(0, h.oldLines - 1) };
}

/** "lines 12–40, 88–90, old lines 5–9 (+3 more)": at most `max` ranges spelled out. */
export function describeRanges(ranges: readonly LineRange[], max = 4): string {
  const one = (r: LineRange) =>
    `${r.side === "old" ? "old " : ""}${r.start === r.end ? `line ${r.start}` : `lines ${r.start}–${r.end}`}`;
  const shown = ranges.slice(0, max).map(one).join(", ");
  return ranges.length > max ? `${shown} (+${ranges.length - max} more)` : shown;
}
