// The prompt for the first-principles analysis of an issue. The issue text is untrusted data.
import { fenceUntrusted, UNTRUSTED_DATA_RULE } from "../../llm/untrusted.ts";

/** Issue text beyond this many characters is cut before prompting (bodies can be 1 MB). */
export const MAX_PROMPT_BODY = 24_000;

export interface AnalyzeInput {
  repo: string;
  number: number;
  title: string;
  body: string;
  labels: string[];
  /** Up to a few earlier comments, oldest first. */
  comments?: string[];
  /** Facts the deterministic tools already established (score elements, mapped files). */
  notes?: string[];
}

export function analyzePrompt(input: AnalyzeInput): { system: string; user: string } {
  const system = [
    "You analyse a GitHub issue from first principles, for the maintainers who will work on it.",
    "Separate what the reporter states (facts) from what they or you assume (assumptions) and what nobody knows yet (unknowns).",
    "Break the problem into its fundamental components (the parts of the system involved and what each does).",
    "Give hypotheses for the cause (or, for a feature request, for the design), ranked most likely first, each with its evidence and a concrete way to confirm or refute it.",
    "End with a short, ordered path to a solution. Do not invent file names, versions or error messages that are not in the issue.",
    "Output JSON: summary, facts[], assumptions[], unknowns[], components[{name, role}], hypotheses[{statement, likelihood (high|medium|low), evidence, test}], path[].",
    UNTRUSTED_DATA_RULE,
  ].join("\n");
  const body =
    input.body.length > MAX_PROMPT_BODY
      ? `${input.body.slice(0, MAX_PROMPT_BODY)}\n[… truncated]`
      : input.body;
  const parts = [
    `Repository: ${input.repo}, issue #${input.number}.`,
    input.labels.length ? fenceUntrusted("labels", input.labels.join(", ")) : "Labels: none.",
    fenceUntrusted("issue title", input.title),
    fenceUntrusted("issue body", body || "(empty)"),
  ];
  (input.comments ?? []).forEach((c, i) => {
    parts.push(fenceUntrusted(`comment ${i + 1}`, c.slice(0, 4_000)));
  });
  if (input.notes?.length)
    parts.push(`Established by Steward's deterministic checks:\n- ${input.notes.join("\n- ")}`);
  return { system, user: parts.join("\n\n") };
}
