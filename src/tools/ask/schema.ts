// The /ask answer.
import { z } from "zod";
import { lineNumber, path, text } from "../fields.ts";

export const askSchema = z.object({
  answer: text("the answer", 12_000).min(1, { error: "expected a non-empty answer" }),
  references: z.array(z.object({ file: path, line: lineNumber.optional() })).optional(),
});

export type AskOutput = z.output<typeof askSchema>;
