// Prompts for /describe.
import { UNTRUSTED_DATA_RULE } from "../../llm/untrusted.ts";
import { languageLine, type PrPromptContext, prContextSections } from "../prompt-context.ts";
import { PR_TYPES } from "./schema.ts";

export function describePrompt(ctx: PrPromptContext): { system: string; user: string } {
  const system = [
    "You write the description of a GitHub pull request from its diff.",
    `Output JSON: types[] (from: ${PR_TYPES.join(", ")}), title (imperative, ≤ 72 characters), summary[] (1–5 bullets, each ≤ 20 words, what changed and why), walkthrough[{file, summary}] (one line per changed file shown in the diff), diagram (optional mermaid flowchart of the main flow, only when it helps; plain mermaid source, no fence).`,
    "Describe only what the diff shows; do not guess at files that were not shown.",
    UNTRUSTED_DATA_RULE,
  ].join("\n");
  return { system: system + languageLine(ctx.language), user: prContextSections(ctx).join("\n\n") };
}
