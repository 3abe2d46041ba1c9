// Reading hunks: `@@ -a,b +c,d @@ heading` and the body lines it announces. The header counts are
// trusted only as far as the body bears them out; a truncated hunk is closed with the counts it
// really has, so line numbers always agree with the header.
import type { DiffLine, Hunk } from "./types.ts";

const HUNK_RE = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@ ?(.*)$/;

export interface HunkHeader {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  heading: string;
}

export function parseHunkHeader(line: string): HunkHeader | null {
  const m = HUNK_RE.exec(line);
  if (!m) return null;
  const nums = [m[1], m[2] ?? "1", m[3], m[4] ?? "1"].map((v) => Number.parseInt(v!, 10));
  if (nums.some((n) => !Number.isSafeInteger(n))) return null;
  return { oldStart: nums[0]!, oldLines: nums[1]!, newStart: nums[2]!, newLines: nums[3]!, heading: m[5]! };
}

export interface LineCursor {
  lines: string[];
  i: number;
}

/**
 * Consumes the body of the hunk whose header was just read. Stops when both counts are used up or
 * at the first line that cannot belong to a hunk; `warn` is told about a short hunk.
 */
export function readHunkBody(header: HunkHeader, cur: LineCursor, warn: (msg: string) => void): Hunk {
  const lines: DiffLine[] = [];
  let oldLeft = header.oldLines;
  let newLeft = header.newLines;
  let oldNo = header.oldStart;
  let newNo = header.newStart;
  const startIndex = cur.i;
  while (cur.i < cur.lines.length) {
    const raw = cur.lines[cur.i]!;
    const tag = raw[0];
    if (tag === "\\") {
      // "\ No newline at end of file" belongs to the line before it, whichever side that was.
      const prev = lines[lines.length - 1];
      if (prev) prev.noNewlineAtEof = true;
      cur.i++;
      continue;
    }
    if (oldLeft <= 0 && newLeft <= 0) break;
    if (tag === " " || (raw === "" && oldLeft > 0 && newLeft > 0 && cur.i < cur.lines.length - 1)) {
      if (oldLeft <= 0 || newLeft <= 0) break;
      lines.push({ kind: "ctx", oldLine: oldNo++, newLine: newNo++, text: raw.slice(1) });
      oldLeft--;
      newLeft--;
    } else if (tag === "-" && oldLeft > 0) {
      lines.push({ kind: "del", oldLine: oldNo++, newLine: null, text: raw.slice(1) });
      oldLeft--;
    } else if (tag === "+" && newLeft > 0) {
      lines.push({ kind: "add", oldLine: null, newLine: newNo++, text: raw.slice(1) });
      newLeft--;
    } else {
      break;
    }
    cur.i++;
  }
  const oldLines = header.oldLines - Math.max(0, oldLeft);
  const newLines = header.newLines - Math.max(0, newLeft);
  if (oldLeft > 0 || newLeft > 0) {
    warn(
      `hunk at line ${startIndex} (@@ -${header.oldStart},${header.oldLines} +${header.newStart},${header.newLines} @@) ` +
        `ends early: kept ${oldLines} old and ${newLines} new lines`,
    );
  }
  return {
    oldStart: header.oldStart,
    oldLines,
    newStart: header.newStart,
    newLines,
    heading: header.heading,
    lines,
  };
}
