// Markdown for the similar-issues comment. Links are `#N` so GitHub renders titles and state.

import { neutralize } from "../../github/neutralize.ts";
import type { SimilarHit, SimilarResult } from "./find.ts";

export const SIMILAR_MARKER = "<!-- steward:similar -->";
export const MAX_RESULTS = 5;

function line(h: SimilarHit): string[] {
  const kind = h.kind === "pr" ? "PR " : "";
  // Titles are written by whoever opened the issue: literal text, capped before shaping.
  const title = neutralize(h.title, "inline", { max: 120 });
  const out = [`- ${kind}#${h.number} ${title} (similarity ${h.score.toFixed(2)})`];
  if (h.closedBy.length) out.push(`  - possibly fixed by ${h.closedBy.map((n) => `#${n}`).join(", ")}`);
  return out;
}

/** Returns null when there is nothing worth posting. */
export function renderSimilarComment(
  result: SimilarResult,
  opts: { duplicateLabel?: string } = {},
): string | null {
  const dups = result.duplicates.slice(0, MAX_RESULTS);
  const related = result.related.slice(0, MAX_RESULTS - dups.length);
  if (dups.length === 0 && related.length === 0) return null;
  const parts = [SIMILAR_MARKER];
  if (dups.length) {
    parts.push("### Possible duplicates", "", ...dups.flatMap(line), "");
    parts.push(
      `If one of these is the same problem, please add details there and close this issue. Steward never closes issues itself${opts.duplicateLabel ? `; it added the \`${opts.duplicateLabel}\` label` : ""}.`,
      "",
    );
  }
  if (related.length) parts.push("### Related", "", ...related.flatMap(line), "");
  parts.push("<sub>Similarity is 0–1 from text overlap (titles, bodies, identifiers, error types).</sub>");
  return parts.join("\n");
}
