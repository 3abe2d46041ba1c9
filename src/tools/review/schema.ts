// The /review answer. Permissive where models vary (numbers as strings, case, stray spaces, a
// swapped line range), strict where it matters: lines are positive integers, severity is one of four.
import { z } from "zod";
import { bool, lineNumber, lineRange, path, text } from "../fields.ts";

export const SEVERITIES = ["critical", "major", "minor", "info"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Models write "Major", " minor" or "high"; map common synonyms instead of failing the call. */
const SEVERITY_SYNONYMS: Record<string, Severity> = {
  critical: "critical",
  blocker: "critical",
  high: "major",
  major: "major",
  medium: "minor",
  minor: "minor",
  low: "info",
  info: "info",
  nit: "info",
  suggestion: "info",
};

export const severity = z
  .string({ error: 'expected one of "critical", "major", "minor", "info"' })
  .meta({ enum: [...SEVERITIES] })
  .transform((s, ctx) => {
    const v = SEVERITY_SYNONYMS[s.trim().toLowerCase()];
    if (!v) {
      ctx.addIssue({ code: "custom", message: 'expected one of "critical", "major", "minor", "info"' });
      return z.NEVER;
    }
    return v;
  });

export const findingSchema = z
  .object({
    file: path,
    startLine: lineNumber,
    endLine: lineNumber,
    severity,
    title: text("a short title", 200).min(1, { error: "expected a non-empty title" }),
    explanation: text("an explanation"),
  })
  .transform(lineRange);

export type Finding = z.output<typeof findingSchema>;

export const reviewSchema = z.object({
  effort: z.coerce
    .number({ error: "expected effort as a whole number from 1 to 5" })
    .int({ error: "expected effort as a whole number from 1 to 5" })
    .min(1, { error: "expected effort as a whole number from 1 to 5" })
    .max(5, { error: "expected effort as a whole number from 1 to 5" }),
  summary: text("a summary"),
  findings: z.array(findingSchema).max(50, { error: "expected at most 50 findings" }),
  securityConcerns: z.array(text("a security concern", 2000)).default([]),
  tests: z.object({
    assessment: text("a test assessment", 2000),
    missing: z.array(text("a missing test", 500)).optional(),
  }),
  canBeSplit: z.object({
    possible: bool,
    suggestions: z.array(z.object({ title: text("a title", 200), files: z.array(path) })).default([]),
  }),
});

export type ReviewOutput = z.output<typeof reviewSchema>;
