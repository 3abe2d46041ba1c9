// The /improve answers: the generation pass (suggestions with code) and the scoring pass (one score
// per suggestion, by index, after seeing all chunks).
import { z } from "zod";
import { lineNumber, lineRange, path, text } from "../fields.ts";

export const SUGGESTION_LABELS = [
  "possible bug",
  "security",
  "performance",
  "error handling",
  "maintainability",
  "best practice",
  "readability",
  "typo",
] as const;
export type SuggestionLabel = (typeof SUGGESTION_LABELS)[number];

export const score = z.coerce
  .number({ error: "expected a score from 0 to 10" })
  .int({ error: "expected a whole score from 0 to 10" })
  .min(0, { error: "expected a score from 0 to 10" })
  .max(10, { error: "expected a score from 0 to 10" });

const label = z
  .string()
  .meta({ enum: [...SUGGESTION_LABELS] })
  .transform((l) => {
    const v = l.trim().toLowerCase().replace(/[_-]+/g, " ");
    return (SUGGESTION_LABELS as readonly string[]).includes(v) ? (v as SuggestionLabel) : "best practice";
  });

/** Code as the model wrote it; only trailing whitespace and a wrapping fence are removed. */
const codeText = (what: string) =>
  z
    .string({ error: `expected ${what} as a string` })
    .max(20_000, { error: `expected ${what} of at most 20000 characters` })
    .transform((c) =>
      c
        .replace(/^```[\w-]*\n/, "")
        // trimEnd first: a `\s*$` after the fence is quadratic on long whitespace runs.
        .trimEnd()
        .replace(/\n?```$/, "")
        .trimEnd(),
    );

export const suggestionSchema = z
  .object({
    file: path,
    startLine: lineNumber,
    endLine: lineNumber,
    existingCode: codeText("the existing code"),
    improvedCode: codeText("the improved code"),
    label,
    score,
    summary: text("a one-line summary", 300)
      .min(1, { error: "expected a non-empty one-line summary" })
      .transform((s) => s.split(/\r?\n/)[0]!.trim()),
  })
  .transform(lineRange);

export type Suggestion = z.output<typeof suggestionSchema>;

export const improveSchema = z.object({
  suggestions: z.array(suggestionSchema).max(30, { error: "expected at most 30 suggestions" }),
});
export type ImproveOutput = z.output<typeof improveSchema>;

/** The scoring pass re-reads every suggestion (all chunks) and scores each by its index. */
export const scoringSchema = z.object({
  scores: z.array(
    z.object({
      index: z.coerce.number().int().min(0, { error: "expected the suggestion's index, 0 or more" }),
      score,
      why: text("a short reason", 500).optional(),
    }),
  ),
});
export type ScoringOutput = z.output<typeof scoringSchema>;

/** Applies scoring-pass scores; a suggestion the pass did not score keeps its own score. */
export function applyScores(suggestions: Suggestion[], scoring: ScoringOutput): Suggestion[] {
  const byIndex = new Map(scoring.scores.map((s) => [s.index, s.score]));
  return suggestions.map((s, i) => {
    const v = byIndex.get(i);
    return v === undefined ? s : { ...s, score: v };
  });
}
