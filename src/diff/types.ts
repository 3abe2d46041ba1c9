// Shared shapes of the diff engine. Pure data: the parser produces them, the packer, the anchor
// checker, the review tools and the GitHub gateway consume them.

export type LineKind = "add" | "del" | "ctx";

export interface DiffLine {
  kind: LineKind;
  /** Line number in the old file (null for added lines). */
  oldLine: number | null;
  /** Line number in the new file (null for deleted lines). */
  newLine: number | null;
  text: string;
  /** True when the line was followed by "\ No newline at end of file". */
  noNewlineAtEof?: boolean;
}

export interface Hunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  /** Text after the second `@@` (git's function-context heading), possibly empty. */
  heading: string;
  lines: DiffLine[];
}

export type FileStatus = "added" | "modified" | "deleted" | "renamed" | "copied";

export interface DiffFile {
  /** Path before the change; null for added files. */
  oldPath: string | null;
  /** Path after the change; null for deleted files. */
  newPath: string | null;
  /** The path users see: the new path, or the old path of a deleted file. */
  path: string;
  status: FileStatus;
  binary: boolean;
  oldMode?: string;
  newMode?: string;
  hunks: Hunk[];
  additions: number;
  deletions: number;
  /** Similarity index of a rename/copy, 0–100, when git reported one. */
  similarity?: number;
  /** The file's bytes were not valid UTF-8; bad sequences were replaced with U+FFFD. */
  invalidUtf8?: boolean;
  /** GitHub sent no patch (binary or too large to diff); the file has no hunks to show. */
  patchMissing?: boolean;
}

/** Result of parsing a whole diff: the files plus what was odd about the input. */
export interface ParsedDiff {
  files: DiffFile[];
  /** Human-readable notes on input that was skipped or repaired. Never thrown. */
  warnings: string[];
}

export type Side = "LEFT" | "RIGHT";

/** A review-comment anchor as GitHub's create-review API takes it. */
export interface ReviewAnchor {
  path: string;
  side: Side;
  line: number;
  start_line?: number;
  start_side?: Side;
}

export type AnchorCheck = { ok: true } | { ok: false; reason: string };
