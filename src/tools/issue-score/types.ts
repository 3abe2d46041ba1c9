// Shapes of the documentation score. Pure data: the scorer produces them, the renderer, the CLI and
// the issue job consume them.

export type IssueType = "bug" | "feature" | "question";

export interface IssueInput {
  title: string;
  body: string | null | undefined;
  /** Label names, or label objects as GitHub sends them. */
  labels?: ReadonlyArray<string | { name?: string | null }>;
}

export interface ScoredElement {
  /** Stable id, e.g. "steps_to_reproduce". */
  id: string;
  /** Human label, e.g. "Steps to reproduce". */
  label: string;
  present: boolean;
  /** Points this element is worth in the rubric of the issue's type (all weights sum to 10). */
  weight: number;
  /** Where it was found, or why it counts as missing (e.g. "section left as _No response_"). */
  evidence?: string;
}

export interface ScoreResult {
  /** 0–10, one decimal. */
  score: number;
  type: IssueType;
  /** Why this type: `label:<name>`, `form:<heading>`, `text:<cue>` or `default`. */
  typeSource: string;
  elements: ScoredElement[];
  /** Ids of the missing elements, most valuable first. */
  missing: string[];
  /** Present when the caller passed a threshold. */
  threshold?: number;
  /** `score < threshold`, present with `threshold`. */
  belowThreshold?: boolean;
  /** The body was longer than the scan cap; only its start was read. */
  truncated?: boolean;
}

export interface ScoreOptions {
  threshold?: number;
}
