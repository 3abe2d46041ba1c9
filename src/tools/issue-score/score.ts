import { classifyIssue } from "./classify.ts";
import { makeContext } from "./detect.ts";
import { RUBRICS } from "./rubrics.ts";
import { prepareText, snippet } from "./text.ts";
import type { IssueInput, ScoreOptions, ScoredElement, ScoreResult } from "./types.ts";

function labelNames(labels: IssueInput["labels"]): string[] {
  if (!Array.isArray(labels)) return [];
  const out: string[] = [];
  for (const l of labels) {
    const name = typeof l === "string" ? l : typeof l?.name === "string" ? l.name : null;
    if (name) out.push(name);
  }
  return out;
}

/**
 * Scores how well an issue is documented, 0–10, with the evidence for each element. Pure and
 * deterministic: the same input always gives the same result, whatever the body contains.
 */
export function scoreIssue(input: IssueInput, opts: ScoreOptions = {}): ScoreResult {
  const title = typeof input?.title === "string" ? input.title.slice(0, 1_000) : "";
  const text = prepareText(input?.body);
  const { type, source } = classifyIssue(title, labelNames(input?.labels), text.sections, text.prose);
  const ctx = makeContext(title, text);

  const elements: ScoredElement[] = RUBRICS[type].map((spec) => {
    const base = { id: spec.id, label: spec.label, weight: spec.weight };
    const answered = text.sections.find((s) => !s.empty && spec.heading.test(s.heading));
    if (answered) return { ...base, present: true, evidence: `section "${snippet(answered.heading, 60)}"` };
    const found = spec.detect(ctx);
    if (found) return { ...base, present: true, evidence: found };
    const unanswered = text.sections.find((s) => s.empty && spec.heading.test(s.heading));
    return unanswered
      ? { ...base, present: false, evidence: `section "${snippet(unanswered.heading, 60)}" left unanswered` }
      : { ...base, present: false };
  });

  // Sum in hundredths so the result does not depend on float addition order.
  const hundredths = elements.reduce((sum, e) => sum + (e.present ? Math.round(e.weight * 100) : 0), 0);
  const score = Math.round(hundredths / 10) / 10;
  const missing = elements
    .map((e, order) => ({ e, order }))
    .filter(({ e }) => !e.present)
    .sort((a, b) => b.e.weight - a.e.weight || a.order - b.order)
    .map(({ e }) => e.id);

  const result: ScoreResult = { score, type, typeSource: source, elements, missing };
  if (opts.threshold !== undefined && Number.isFinite(opts.threshold)) {
    result.threshold = opts.threshold;
    result.belowThreshold = score < opts.threshold;
  }
  if (text.truncated) result.truncated = true;
  return result;
}
