// Prompts for /review.
import { UNTRUSTED_DATA_RULE } from "../../llm/untrusted.ts";
import { languageLine, type PrPromptContext, prContextSections } from "../prompt-context.ts";

export interface ReviewPromptOptions {
  /** At most this many findings. Default 8. */
  maxFindings?: number;
}

export function reviewPrompt(
  ctx: PrPromptContext,
  opts: ReviewPromptOptions = {},
): { system: string; user: string } {
  const max = opts.maxFindings ?? 8;
  const system = [
    "You are a senior engineer reviewing a GitHub pull request.",
    `Report at most ${max} findings that matter: bugs, security problems, data loss, broken contracts, missing error handling. No style nits, no praise, no restating the diff.`,
    "Each finding cites the file and the new-file line range (startLine..endLine) as numbered in the diff; cite only added or context lines shown in the diff.",
    "Output JSON: effort (1–5, how hard the PR is to review), summary (2–4 sentences), findings[{file, startLine, endLine, severity: critical|major|minor|info, title, explanation}], securityConcerns[] (empty if none), tests {assessment, missing?[]}, canBeSplit {possible, suggestions[{title, files[]}]}.",
    "Use the FACTS section as ground truth about tests, dependencies and risky paths.",
    UNTRUSTED_DATA_RULE,
  ].join("\n");
  return {
    system: system + languageLine(ctx.language),
    user: prContextSections(ctx).join("\n\n"),
  };
}
