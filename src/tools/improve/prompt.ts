// Prompts for /improve: one generation call per diff chunk, then one scoring pass over all results.
import { fenceUntrusted, UNTRUSTED_DATA_RULE } from "../../llm/untrusted.ts";
import { languageLine, type PrPromptContext, prContextSections } from "../prompt-context.ts";
import { SUGGESTION_LABELS, type Suggestion } from "./schema.ts";

export interface ImprovePromptOptions {
  /** Suggestions per chunk. Default 5. */
  maxSuggestions?: number;
  /** 1-based chunk number and count, when the diff was split. */
  chunk?: { index: number; of: number };
}

export function improvePrompt(
  ctx: PrPromptContext,
  opts: ImprovePromptOptions = {},
): { system: string; user: string } {
  const max = opts.maxSuggestions ?? 5;
  const system = [
    "You propose concrete code improvements for a GitHub pull request.",
    `Give at most ${max} suggestions, only on added lines, that fix a real problem (bug, security, error handling, performance) or clearly improve maintainability. No docstrings, import order, type-hint or formatting suggestions; nothing that already exists in the code.`,
    "existingCode must be copied exactly from lines startLine..endLine of the new file (line numbers as shown in the diff); improvedCode replaces exactly those lines, with the file's indentation.",
    `Output JSON: suggestions[{file, startLine, endLine, existingCode, improvedCode, label (${SUGGESTION_LABELS.join(", ")}), score (0–10: 9–10 real bug or vulnerability, 6–8 clear improvement, ≤5 minor), summary (one line)}].`,
    UNTRUSTED_DATA_RULE,
  ].join("\n");
  const sections = prContextSections(ctx);
  if (opts.chunk && opts.chunk.of > 1) {
    sections.unshift(
      `This is part ${opts.chunk.index} of ${opts.chunk.of} of the diff; suggest only for the files shown.`,
    );
  }
  return { system: system + languageLine(ctx.language), user: sections.join("\n\n") };
}

/** The scoring pass sees every suggestion from every chunk and re-scores them on one scale. */
export function scoringPrompt(suggestions: Suggestion[]): { system: string; user: string } {
  const system = [
    "You score code-review suggestions for a GitHub pull request on one consistent scale.",
    "Score each 0–10: 9–10 fixes a real bug, crash or vulnerability; 7–8 error handling or a clear correctness improvement; 4–6 maintainability; 0–3 style, speculative ('verify/ensure' advice), docstrings, or wrong. Score 0 if improvedCode does not fit existingCode.",
    "Output JSON: scores[{index, score, why}] with one entry per suggestion, index as given.",
    UNTRUSTED_DATA_RULE,
  ].join("\n");
  const list = suggestions
    .map(
      (s, i) =>
        `#${i} ${s.file}:${s.startLine}-${s.endLine} [${s.label}] ${s.summary}\n--- existing\n${s.existingCode}\n+++ improved\n${s.improvedCode}`,
    )
    .join("\n\n");
  return { system, user: fenceUntrusted("suggestions to score", list || "(none)") };
}
