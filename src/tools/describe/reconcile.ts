// The model's walkthrough checked against the PR's real files. A model invents paths and skips real
// ones; the walkthrough posted lists exactly the changed files, in the diff's order, and "Not
// described" names every file the reader gets no model summary for.
import type { DiffFile } from "../../diff/types.ts";
import type { NotCovered } from "../markdown.ts";
import type { DescribeOutput } from "./schema.ts";

export interface Reconciled {
  describe: DescribeOutput;
  notDescribed: NotCovered[];
  /** Paths the model named that this PR does not change (dropped from the walkthrough). */
  unknown: string[];
}

const stats = (f: DiffFile) => `${f.status}, +${f.additions} −${f.deletions}`;

/**
 * `modelAnswered` is false when the walkthrough was built without the model (no LLM, nothing to
 * send): its rows are then the deterministic ones and only the files left out count as not described.
 */
export function reconcileWalkthrough(
  d: DescribeOutput,
  files: readonly DiffFile[],
  notReviewed: readonly NotCovered[],
  modelAnswered: boolean,
): Reconciled {
  const byPath = new Map<string, DiffFile>();
  for (const f of files) {
    byPath.set(f.path, f);
    // A model describing a rename often names the old path.
    if (f.oldPath && !byPath.has(f.oldPath)) byPath.set(f.oldPath, f);
  }
  const described = new Map<string, string>();
  const unknown: string[] = [];
  for (const w of d.walkthrough) {
    const f = byPath.get(w.file);
    if (!f) unknown.push(w.file);
    else if (!described.has(f.path) && w.summary.trim()) described.set(f.path, w.summary);
  }
  const left = new Map(notReviewed.map((n) => [n.path, n.reason]));
  const notDescribed: NotCovered[] = [...notReviewed];
  const walkthrough = files.map((f) => {
    const summary = described.get(f.path);
    if (summary !== undefined) return { file: f.path, summary };
    const reason = left.get(f.path);
    if (reason === undefined && modelAnswered) {
      notDescribed.push({ path: f.path, reason: "the model did not describe it" });
      return { file: f.path, summary: `${stats(f)} (not described by the model)` };
    }
    return {
      file: f.path,
      summary: reason === undefined ? stats(f) : `${stats(f)} (not described: ${reason})`,
    };
  });
  return { describe: { ...d, walkthrough }, notDescribed, unknown };
}
