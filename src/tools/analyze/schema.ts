// The first-principles analysis the LLM returns for an issue. Forgiving about form (a likelihood
// in any case), strict about shape: every list is bounded so a runaway answer cannot flood a comment.
import { z } from "zod";
import { text } from "../fields.ts";

const item = (what: string) => text(what, 600).min(1, { error: `expected ${what} as non-empty text` });

const likelihood = z
  .string({ error: "expected likelihood high, medium or low" })
  .trim()
  .toLowerCase()
  .pipe(z.enum(["high", "medium", "low"], { error: "expected likelihood high, medium or low" }));

export const analysisSchema = z.object({
  summary: text("a one-sentence summary", 400).min(1, { error: "expected a non-empty summary" }),
  facts: z.array(item("a fact stated in the issue")).max(12),
  assumptions: z.array(item("an assumption")).max(10),
  unknowns: z.array(item("an unknown")).max(10),
  components: z
    .array(
      z.object({
        name: text("a component name", 120).min(1, { error: "expected a component name" }),
        role: text("the component's role", 400),
      }),
    )
    .max(10),
  hypotheses: z
    .array(
      z.object({
        statement: item("a hypothesis"),
        likelihood,
        evidence: text("the evidence for the hypothesis", 600),
        test: text("how to confirm or refute it", 600),
      }),
    )
    .min(1, { error: "expected at least one hypothesis" })
    .max(6),
  path: z.array(item("a step towards a solution")).min(1, { error: "expected at least one step" }).max(10),
});

export type Analysis = z.output<typeof analysisSchema>;
