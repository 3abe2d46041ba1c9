// Which (side, line) pairs GitHub accepts for an inline review comment: a line must be inside one of
// the file's diff hunks (RIGHT: a context or added line, new-file numbering; LEFT: a context or
// deleted line, old-file numbering), and a multi-line comment's start must be in the same hunk.
// Written independently of Steward's src/diff so that the simulator judges it.

export interface Anchor {
  path: string;
  line?: number;
  side?: string;
  start_line?: number;
  start_side?: string;
  position?: number;
}

interface Hunk {
  left: Set<number>;
  right: Set<number>;
  /** Diff positions (1-based lines after the first @@), the deprecated `position` anchor. */
  positions: number;
  text: string;
}

export function hunksOf(patch: string): Hunk[] {
  const hunks: Hunk[] = [];
  let cur: Hunk | undefined;
  let oldLine = 0;
  let newLine = 0;
  let position = 0;
  for (const raw of patch.split("\n")) {
    const m = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(raw);
    if (m) {
      if (cur) position++; // a later @@ line counts as a position
      oldLine = Number(m[1]);
      newLine = Number(m[2]);
      cur = { left: new Set(), right: new Set(), positions: position, text: raw };
      hunks.push(cur);
      continue;
    }
    if (!cur) continue;
    position++;
    cur.positions = position;
    cur.text += `\n${raw}`;
    if (raw.startsWith("\\")) continue;
    if (raw.startsWith("+")) cur.right.add(newLine++);
    else if (raw.startsWith("-")) cur.left.add(oldLine++);
    else {
      cur.left.add(oldLine++);
      cur.right.add(newLine++);
    }
  }
  return hunks;
}

/** Why GitHub would reject this anchor on `patch`, or undefined when it is accepted. */
export function anchorProblem(patch: string | undefined, a: Anchor): string | undefined {
  if (patch === undefined) return "Path could not be resolved";
  const hunks = hunksOf(patch);
  if (a.position !== undefined) {
    const max = hunks.at(-1)?.positions ?? 0;
    return a.position >= 1 && a.position <= max ? undefined : "Position could not be resolved";
  }
  if (a.line === undefined) return "line is required";
  const side = a.side ?? "RIGHT";
  const inHunk = (h: Hunk, s: string, l: number) => (s === "LEFT" ? h.left : h.right).has(l);
  const hunk = hunks.find((h) => inHunk(h, side, a.line as number));
  if (!hunk) return "Line could not be resolved";
  if (a.start_line !== undefined) {
    const startSide = a.start_side ?? side;
    if (!inHunk(hunk, startSide, a.start_line)) return "Start line could not be resolved";
    if (startSide === side && a.start_line >= a.line) return "start_line must precede line";
  }
  return undefined;
}

/** The diff hunk GitHub stores with a review comment (the hunk text up to the commented line). */
export function diffHunkFor(patch: string | undefined, a: Anchor): string {
  if (!patch) return "";
  const side = a.side ?? "RIGHT";
  const hunk = hunksOf(patch).find((h) => (side === "LEFT" ? h.left : h.right).has(a.line ?? -1));
  return hunk?.text ?? patch.split("\n")[0] ?? "";
}
