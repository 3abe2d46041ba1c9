// Field schemas shared by the PR tools' LLM output: forgiving about form (numbers as strings, stray
// spaces, "a/" prefixes), strict about meaning (positive whole line numbers).
import { z } from "zod";

export const lineNumber = z.coerce
  .number({ error: "expected a line number" })
  .int({ error: "expected a whole line number" })
  .positive({ error: "expected a line number of 1 or more" });

export const text = (what: string, max = 4000) =>
  z
    .string({ error: `expected ${what} as a string` })
    .trim()
    .max(max, { error: `expected ${what} of at most ${max} characters` });

export const path = z
  .string({ error: "expected a file path from the diff" })
  .trim()
  .min(1, { error: "expected a file path from the diff" })
  .transform((p) => p.replace(/^(\.\/|[ab]\/)/, ""));

/** true/false, also as "true"/"yes"/"no" strings; `z.coerce.boolean` would read "false" as true. */
export const bool = z.union([
  z.boolean(),
  z
    .enum(["true", "false", "yes", "no", "True", "False", "Yes", "No"])
    .transform((s) => s === "true" || s === "yes" || s === "True" || s === "Yes"),
]);

/** A range on the new side of the diff; a reversed range is put in order rather than rejected. */
export function lineRange<T extends { startLine: number; endLine: number }>(v: T): T {
  return v.startLine <= v.endLine ? v : { ...v, startLine: v.endLine, endLine: v.startLine };
}
