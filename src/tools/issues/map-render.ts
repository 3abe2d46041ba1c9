// Markdown for the issue↔code mapping comment on a PR, and the compact form the PR JSON carries.
import { neutralize } from "../../github/neutralize.ts";
import type { PrJson } from "../pr-json/schema.ts";
import { cell, cellCode, code, renderFooter, safeText, type UsageFooter } from "../markdown.ts";
import type { IssueMapping } from "../issue-map/index.ts";

export interface MappedIssue {
  number: number;
  title: string;
  source: "closing-keyword" | "graphql";
  mapping: IssueMapping;
  /** The LLM's explanation of how the change relates to the issue, when one is configured. */
  relation?: string;
}

const MAX_LINKS = 8;
const MAX_UNADDRESSED = 8;

export function toPrJsonMapping(issues: MappedIssue[]): NonNullable<PrJson["issueMapping"]> {
  return issues.map((i) => ({
    issue: i.number,
    links: i.mapping.links.map((l) => ({ element: l.element.value, path: l.path, score: l.score })),
    unaddressed: i.mapping.unaddressed.map((e) => e.value),
  }));
}

function kindWord(kind: string): string {
  return kind === "frame" ? "stack frame" : kind === "error" ? "error message" : kind;
}

export function renderMapping(
  issues: MappedIssue[],
  opts: { usage?: UsageFooter; llmNote?: string } = {},
): string {
  const lines = ["## Issue ↔ code mapping", ""];
  for (const i of issues) {
    const m = i.mapping;
    const via = i.source === "graphql" ? "linked on GitHub" : "closing keyword";
    // Capped before shaping: a cut made after escaping could split a code span and free its URL.
    lines.push(`### #${i.number} ${neutralize(i.title, "inline", { max: 120 })}`, "");
    const total = new Set(m.links.map((l) => l.element.value)).size + m.unaddressed.length;
    const cover =
      total === 0
        ? "the issue names no files, stack frames, identifiers or errors"
        : `coverage ${Math.round(m.coverage * 100)}% of ${total} elements`;
    lines.push(`<sub>${via} · ${cover}</sub>`, "");
    if (i.relation) lines.push(`> ${neutralize(i.relation, "inline")}`, "");
    if (m.links.length) {
      lines.push("| Issue element | Changed file | Score | Evidence |", "|---|---|---|---|");
      for (const l of m.links.slice(0, MAX_LINKS)) {
        const where = l.hunk ? `${l.path}:${l.hunk.newStart}` : l.path;
        lines.push(
          `| ${kindWord(l.element.kind)} ${cellCode(l.element.value.slice(0, 80))} | ${cellCode(where)} | ${l.score.toFixed(2)} | ${cell(l.evidence)} |`,
        );
      }
      if (m.links.length > MAX_LINKS) lines.push("", `…and ${m.links.length - MAX_LINKS} more links.`);
      lines.push("");
    }
    if (m.unaddressed.length) {
      lines.push("**Possibly unaddressed** (named in the issue, not touched by this PR):", "");
      for (const e of m.unaddressed.slice(0, MAX_UNADDRESSED)) {
        lines.push(`- ${kindWord(e.kind)} ${code(e.value.slice(0, 120))}`);
      }
      if (m.unaddressed.length > MAX_UNADDRESSED)
        lines.push(`- …and ${m.unaddressed.length - MAX_UNADDRESSED} more`);
      lines.push("");
    }
  }
  if (opts.llmNote) lines.push(`<sub>${safeText(opts.llmNote)}</sub>`, "");
  lines.push(
    "<sub>The mapping is deterministic (paths, stack frames, identifiers and error text matched against the changed hunks). It updates on every push.</sub>",
    renderFooter("issue-map", opts.usage),
  );
  return lines.join("\n");
}
