// Prompts for /ask, on the whole PR or on selected lines of a review thread.
import { fenceUntrusted, UNTRUSTED_DATA_RULE } from "../../llm/untrusted.ts";
import { languageLine, type PrPromptContext, prContextSections } from "../prompt-context.ts";

export interface LineSelection {
  path: string;
  startLine: number;
  endLine: number;
  /** The selected lines as they are in the diff (with +/-/space prefixes). */
  text: string;
  /** The whole hunk around the selection, for context. */
  hunk?: string;
}

export function askPrompt(ctx: PrPromptContext, question: string): { system: string; user: string } {
  const system = [
    "You answer a question about a GitHub pull request, using its diff and description.",
    "Be direct and specific; cite files and new-file line numbers when useful. If the diff does not contain the answer, say so instead of guessing.",
    "Output JSON: answer (Markdown), references?[{file, line?}].",
    UNTRUSTED_DATA_RULE,
  ].join("\n");
  const user = [...prContextSections(ctx), fenceUntrusted("question", question)].join("\n\n");
  return { system: system + languageLine(ctx.language), user };
}

export function askLinePrompt(
  pr: { title: string; language?: string },
  lines: LineSelection,
  question: string,
): { system: string; user: string } {
  const system = [
    "You answer a question about specific lines of a GitHub pull request.",
    // The path is the PR author's text: it goes in a fenced block, never in the system prompt.
    `The question is about lines ${lines.startLine}–${lines.endLine} of the file named in the "file" block. Answer about those lines; say so if the context shown is not enough.`,
    "Output JSON: answer (Markdown), references?[{file, line?}].",
    UNTRUSTED_DATA_RULE,
  ].join("\n");
  const parts = [
    fenceUntrusted("PR title", pr.title),
    fenceUntrusted("file", lines.path),
    fenceUntrusted("selected lines", lines.text),
  ];
  if (lines.hunk) parts.push(fenceUntrusted("diff hunk around the selection", lines.hunk));
  parts.push(fenceUntrusted("question", question));
  return { system: system + languageLine(pr.language), user: parts.join("\n\n") };
}
