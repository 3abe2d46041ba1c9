// Can GitHub take a review comment at this anchor? One bad anchor makes GitHub reject the whole
// review with 422, so every finding is checked here before it is posted.
import type { AnchorCheck, DiffFile, Hunk, ReviewAnchor, Side } from "./types.ts";

export interface AnchorRange {
  side: Side;
  /** Index of the hunk in `file.hunks`. */
  hunk: number;
  start: number;
  end: number;
}

/** Lines per side that accept comments: RIGHT = added or context, LEFT = deleted or context. */
export function anchorableRanges(file: DiffFile): AnchorRange[] {
  if (file.binary) return [];
  const out: AnchorRange[] = [];
  file.hunks.forEach((h, i) => {
    const right = h.lines.filter((l) => l.kind !== "del").map((l) => l.newLine!);
    const left = h.lines.filter((l) => l.kind !== "add").map((l) => l.oldLine!);
    if (right.length > 0)
      out.push({ side: "RIGHT", hunk: i, start: right[0]!, end: right[right.length - 1]! });
    if (left.length > 0) out.push({ side: "LEFT", hunk: i, start: left[0]!, end: left[left.length - 1]! });
  });
  return out;
}

function hunkOf(hunks: Hunk[], side: Side, line: number): number {
  return hunks.findIndex((h) =>
    h.lines.some((l) =>
      side === "RIGHT" ? l.kind !== "del" && l.newLine === line : l.kind !== "add" && l.oldLine === line,
    ),
  );
}

function lineLabel(side: Side): string {
  return side === "RIGHT"
    ? "an added or unchanged line of the new file"
    : "a deleted or unchanged line of the old file";
}

export function canAnchor(files: readonly DiffFile[], a: ReviewAnchor): AnchorCheck {
  const file = files.find((f) => f.path === a.path || (f.newPath === null && f.oldPath === a.path));
  if (!file) return { ok: false, reason: `${a.path} is not part of this diff` };
  if (file.binary)
    return { ok: false, reason: `${a.path} is binary; GitHub cannot take line comments on it` };
  if (file.hunks.length === 0) return { ok: false, reason: `${a.path} has no changed lines to comment on` };
  if (!Number.isInteger(a.line) || a.line < 1)
    return { ok: false, reason: `line ${a.line} is not a line number` };
  if (a.side === "RIGHT" && file.status === "deleted") {
    return { ok: false, reason: `${a.path} was deleted; only LEFT (old) lines can be commented on` };
  }
  const end = hunkOf(file.hunks, a.side, a.line);
  if (end < 0) {
    return {
      ok: false,
      reason: `${a.path}:${a.line} (${a.side}) is not ${lineLabel(a.side)} inside a hunk of the diff`,
    };
  }
  if (a.start_line === undefined) {
    if (a.start_side !== undefined) return { ok: false, reason: "start_side given without start_line" };
    return { ok: true };
  }
  const startSide = a.start_side ?? a.side;
  if (!Number.isInteger(a.start_line) || a.start_line < 1) {
    return { ok: false, reason: `start_line ${a.start_line} is not a line number` };
  }
  if (startSide === a.side && a.start_line > a.line) {
    return { ok: false, reason: `start_line ${a.start_line} is after line ${a.line}` };
  }
  if (a.start_line === a.line && startSide === a.side) {
    return { ok: false, reason: "start_line equals line; omit start_line for a single-line comment" };
  }
  const start = hunkOf(file.hunks, startSide, a.start_line);
  if (start < 0) {
    return {
      ok: false,
      reason: `${a.path}:${a.start_line} (${startSide}) is not ${lineLabel(startSide)} inside a hunk of the diff`,
    };
  }
  if (start !== end) {
    return {
      ok: false,
      reason: `lines ${a.start_line}–${a.line} span two hunks; a range must stay inside one hunk`,
    };
  }
  if (startSide !== a.side) {
    // A LEFT→RIGHT range is allowed, but the start must come before the end within the hunk.
    const h = file.hunks[end]!;
    const idx = (side: Side, n: number) =>
      h.lines.findIndex((l) =>
        side === "RIGHT" ? l.kind !== "del" && l.newLine === n : l.kind !== "add" && l.oldLine === n,
      );
    if (idx(startSide, a.start_line) > idx(a.side, a.line)) {
      return {
        ok: false,
        reason: `start (${startSide} ${a.start_line}) comes after the end (${a.side} ${a.line}) in the hunk`,
      };
    }
  }
  return { ok: true };
}
