// Markdown bodies for the score comment. The GitHub gateway adds the hidden marker and upserts; this
// file only decides the words. Deterministic: no LLM, the same result renders the same text.

import { RUBRICS } from "./rubrics.ts";
import type { IssueType, ScoreResult } from "./types.ts";

interface Ask {
  /** Why it helps, one sentence. */
  why: string;
  /** Markdown to paste into the issue. */
  template: string;
}

const ASKS: Record<string, Ask> = {
  steps_to_reproduce: {
    why: "a numbered list of the exact actions that trigger the problem, starting from a clean state",
    template: "### Steps to reproduce\n1. \n2. \n3. ",
  },
  stack_trace: {
    why: "the full stack trace or the exact error message, copied as text rather than a screenshot",
    template: "### Error output\n```text\n(paste the full error and stack trace here)\n```",
  },
  expected_behavior: { why: "what you expected to happen", template: "### Expected behaviour\n" },
  actual_behavior: { why: "what happened instead", template: "### Actual behaviour\n" },
  environment: {
    why: "the versions involved: this package, the runtime (Node/Python/…), the OS and, for UI issues, the browser",
    template: "### Environment\n- Package version: \n- Runtime and version: \n- OS: ",
  },
  reproduction: {
    why: "a minimal reproduction: a small repository, a playground link (StackBlitz, CodeSandbox, …) or a failing test",
    template: "### Minimal reproduction\nLink or failing test: ",
  },
  code_sample: {
    why: "the smallest piece of code or configuration that shows the problem",
    template: "### Code\n```\n(the code or configuration involved)\n```",
  },
  logs_or_screenshots: {
    why: "relevant log output, or a screenshot when the problem is visual",
    template: "### Logs or screenshots\n",
  },
  description: { why: "a few sentences describing the problem", template: "### Description\n" },
  motivation: {
    why: "the problem this would solve for you, and why the current behaviour is not enough",
    template: "### Problem / motivation\n",
  },
  proposed_solution: {
    why: "what you would like to happen: the behaviour, option or API you have in mind",
    template: "### Proposed solution\n",
  },
  use_case: { why: "a concrete example of how you would use it", template: "### Use case\n" },
  alternatives: {
    why: "alternatives or workarounds you have considered",
    template: "### Alternatives considered\n",
  },
  context: { why: "versions, links or related issues that give context", template: "### Context\n" },
  what_was_tried: {
    why: "what you have already tried, and what happened when you did",
    template: "### What I tried\n",
  },
  question: { why: "the question itself, in one sentence", template: "### Question\n" },
  error_output: {
    why: "any error output you saw, as text",
    template: "### Error output\n```text\n\n```",
  },
};

const TYPE_NOUN: Record<IssueType, string> = {
  bug: "bug report",
  feature: "feature request",
  question: "question",
};

function labelOf(result: ScoreResult, id: string): string {
  return (
    result.elements.find((e) => e.id === id)?.label ??
    RUBRICS[result.type].find((s) => s.id === id)?.label ??
    id
  );
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(n * 10 === Math.round(n * 10) ? 1 : 2);
}

function checklist(result: ScoreResult): string {
  const rows = result.elements.map((e) => `| ${e.present ? "✅" : "⬜"} | ${e.label} | ${fmt(e.weight)} |`);
  return ["| | Element | Points |", "|---|---|---|", ...rows].join("\n");
}

/** The comment asking for the one or two most valuable missing items, with a structure to paste. */
export function renderScoreComment(result: ScoreResult, opts: { threshold?: number } = {}): string {
  const threshold = opts.threshold ?? result.threshold;
  const asks = result.missing.slice(0, 2).filter((id) => ASKS[id] !== undefined);
  const noun = TYPE_NOUN[result.type];
  const lines: string[] = [
    `Thanks for the ${noun}! A couple of details would make it much easier to act on:`,
    "",
  ];
  asks.forEach((id, i) => {
    lines.push(`${i + 1}. **${labelOf(result, id)}**: ${ASKS[id]!.why}.`);
  });
  if (asks.length === 0) lines.push("- Any further detail you can share about how to reproduce it.");
  lines.push("", "You can edit the issue description and fill in this structure:", "", "````markdown");
  lines.push(asks.map((id) => ASKS[id]!.template).join("\n\n") || "### Details\n");
  lines.push("````", "");
  const scoreLine =
    threshold !== undefined
      ? `Documentation score: **${fmt(result.score)}/10** (${noun}; this repository asks for ${fmt(threshold)}).`
      : `Documentation score: **${fmt(result.score)}/10** (${noun}).`;
  lines.push(
    "<details>",
    `<summary>${scoreLine.replace(/\*\*/g, "")}</summary>`,
    "",
    checklist(result),
    "",
    "</details>",
    "",
  );
  lines.push(
    "<sub>This comment updates itself when the issue is edited. The score is computed without AI.</sub>",
  );
  return lines.join("\n");
}

/** The same comment after an edit lifted the score to the threshold: thanks, and what is now there. */
export function renderScoreRecovered(result: ScoreResult, opts: { previous?: ScoreResult } = {}): string {
  const prev = opts.previous;
  const gained = result.elements.filter(
    (e) => e.present && !prev?.elements.some((p) => p.id === e.id && p.present),
  );
  const present = result.elements.filter((e) => e.present);
  const shown = prev && gained.length > 0 ? gained : present;
  const what = shown.map((e) => e.label.toLowerCase());
  const list =
    what.length <= 1
      ? (what[0] ?? "more detail")
      : `${what.slice(0, -1).join(", ")} and ${what[what.length - 1]}`;
  const lines = [
    `Thanks for adding the details! This ${TYPE_NOUN[result.type]} now has ${list}.`,
    "",
    prev
      ? `Documentation score: **${fmt(prev.score)} → ${fmt(result.score)}/10**. Nothing more is needed from you for now.`
      : `Documentation score: **${fmt(result.score)}/10**. Nothing more is needed from you for now.`,
    "",
    "<details>",
    "<summary>What was checked</summary>",
    "",
    checklist(result),
    "",
    "</details>",
  ];
  return lines.join("\n");
}
