// Decides which rubric applies. Labels are the maintainers' word, so they win; an issue form's
// headings are the author's choice of template; text cues are the weakest signal.

import type { Section } from "./text.ts";
import type { IssueType } from "./types.ts";

const LABEL_TYPES: [IssueType, RegExp][] = [
  ["bug", /\b(?:bug|defect|crash|regression|broken|error)\b/],
  ["feature", /\b(?:feature|enhancement|request|proposal|idea|suggestion|improvement|rfc)\b/],
  ["question", /\b(?:question|support|help|how ?to|usage|discussion)\b/],
];

const FORM_TYPES: [IssueType, RegExp][] = [
  [
    "bug",
    /steps to reproduce|expected behaviou?r|actual behaviou?r|current behaviou?r|describe the bug|what happened|reproduction|bug report/i,
  ],
  [
    "feature",
    /feature|describe the solution|proposed solution|alternatives|motivation|is your .{0,20}request related|proposal|use ?case/i,
  ],
  ["question", /question|what have you tried/i],
];

const TITLE_TAG: [IssueType, RegExp][] = [
  ["bug", /^\s*(?:\[bug\]|bug\s*[:(-]|fix\s*:)|\[bug\]/i],
  [
    "feature",
    /^\s*(?:\[(?:feat(?:ure)?|feature request|enhancement|rfc|proposal|request)\]|(?:feat(?:ure)?|rfc|proposal|feature request)\s*[:(-])/i,
  ],
  ["question", /^\s*(?:\[(?:question|q|help)\]|question\s*[:(-])/i],
];

const TEXT_CUES: Record<IssueType, RegExp> = {
  bug: /\b(?:error|exception|crash(?:es|ed)?|fails?|failed|failing|broken|breaks|regression|not working|doesn't work|does not work|wrong|incorrect|unexpected(?:ly)?|bug|throws?|undefined|typeerror|panic|segfault|warning)\b/gi,
  feature:
    /\b(?:add support|support for|would be (?:nice|great|useful)|option to|ability to|proposal|feature|enhancement|suggestion|please add|it would be|could we|allow(?:ing)? (?:users?|to))\b/gi,
  question:
    /\b(?:how (?:do|can|to|should) (?:i|we)|is (?:it|there) (?:a |any )?(?:way|possible)|any (?:idea|help)|what is the (?:best|right|recommended)|question)\b/gi,
};

function normaliseLabel(label: string): string {
  return label
    .toLowerCase()
    .replace(/[^a-z0-9 ]+/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

function countMatches(re: RegExp, text: string, cap: number): number {
  re.lastIndex = 0;
  let n = 0;
  while (n < cap && re.exec(text)) n++;
  re.lastIndex = 0;
  return n;
}

export function classifyIssue(
  title: string,
  labels: readonly string[],
  sections: readonly Section[],
  prose: readonly string[],
): { type: IssueType; source: string } {
  for (const [type, re] of LABEL_TYPES) {
    const hit = labels.find((l) => re.test(normaliseLabel(l)));
    if (hit !== undefined) return { type, source: `label:${hit}` };
  }
  for (const [type, re] of FORM_TYPES) {
    const hit = sections.find((s) => re.test(s.heading));
    if (hit) return { type, source: `form:${hit.heading}` };
  }
  for (const [type, re] of TITLE_TAG) if (re.test(title)) return { type, source: `text:title tag` };
  if (
    /\?\s*$/.test(title) ||
    /^\s*(?:how (?:do|can|to|should)|is (?:it|there) (?:a |any )?(?:way|possible))\b/i.test(title)
  ) {
    return { type: "question", source: "text:title asks a question" };
  }
  // Cue counts over the title (weighted double) and the start of the body.
  const body = prose.join("\n").slice(0, 5_000);
  const scores = (Object.keys(TEXT_CUES) as IssueType[]).map((type) => ({
    type,
    n: 2 * countMatches(TEXT_CUES[type], title, 20) + countMatches(TEXT_CUES[type], body, 20),
  }));
  const best = scores.reduce((a, b) => (b.n > a.n ? b : a));
  if (best.n === 0) return { type: "bug", source: "default" };
  return { type: best.type, source: `text:${best.type} cues (${best.n})` };
}
