// The /describe answer: type labels from a fixed set, a suggested title, summary bullets, a per-file
// walkthrough and an optional mermaid diagram.
import { z } from "zod";
import { path, text } from "../fields.ts";

export const PR_TYPES = [
  "bug fix",
  "feature",
  "enhancement",
  "refactor",
  "tests",
  "documentation",
  "dependencies",
  "ci",
  "performance",
  "security",
  "chore",
] as const;
export type PrType = (typeof PR_TYPES)[number];

const TYPE_SYNONYMS: Record<string, PrType> = {
  bug: "bug fix",
  bugfix: "bug fix",
  fix: "bug fix",
  "bug fix": "bug fix",
  feature: "feature",
  feat: "feature",
  "new feature": "feature",
  enhancement: "enhancement",
  improvement: "enhancement",
  refactor: "refactor",
  refactoring: "refactor",
  test: "tests",
  tests: "tests",
  docs: "documentation",
  doc: "documentation",
  documentation: "documentation",
  deps: "dependencies",
  dependency: "dependencies",
  dependencies: "dependencies",
  ci: "ci",
  build: "ci",
  perf: "performance",
  performance: "performance",
  security: "security",
  chore: "chore",
  other: "chore",
};

/** Unknown labels are dropped rather than failing the call: the rest of the answer is still good. */
const prTypes = z
  .array(z.string().meta({ enum: [...PR_TYPES] }))
  .transform((list) => [
    ...new Set(
      list.map((t) => TYPE_SYNONYMS[t.trim().toLowerCase()]).filter((t): t is PrType => t !== undefined),
    ),
  ]);

export const describeSchema = z.object({
  types: prTypes,
  title: text("a suggested title", 200).min(1, { error: "expected a non-empty title" }),
  summary: z
    .array(text("a summary bullet", 500))
    .min(1, { error: "expected at least one summary bullet" })
    .max(10, { error: "expected at most 10 summary bullets" }),
  walkthrough: z.array(z.object({ file: path, summary: text("a one-line file summary", 500) })).default([]),
  diagram: text("a mermaid diagram", 4000)
    .transform((d) => {
      // Models wrap the diagram in a fence or leave it empty; keep just the mermaid source.
      const s = d
        ?.replace(/^```(?:mermaid)?\s*\n?/, "")
        .replace(/\n?```\s*$/, "")
        .trim();
      return s ? s : undefined;
    })
    .optional(),
});

export type DescribeOutput = z.output<typeof describeSchema>;
