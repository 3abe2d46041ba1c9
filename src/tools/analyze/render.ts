// Markdown for the analysis comment. Model text is data: escaped so it cannot forge markers or
// break the tables and lists it sits in.
import { cell, renderFooter, safeText, type UsageFooter } from "../markdown.ts";
import type { Analysis } from "./schema.ts";
import { joinLines } from "../../linear-text.ts";

const LIKELIHOOD: Record<string, string> = { high: "🔴 high", medium: "🟠 medium", low: "⚪ low" };
const ORDER: Record<string, number> = { high: 0, medium: 1, low: 2 };

function oneLine(s: string): string {
  return joinLines(safeText(s)).trim();
}

function list(items: string[], empty: string): string[] {
  return items.length ? items.map((s) => `- ${oneLine(s)}`) : [`- _${empty}_`];
}

export function renderAnalysis(a: Analysis, usage?: UsageFooter): string {
  // The model ranks; a stable sort by likelihood keeps its order inside each band.
  const hypotheses = a.hypotheses
    .map((h, i) => ({ h, i }))
    .sort((x, y) => (ORDER[x.h.likelihood] ?? 3) - (ORDER[y.h.likelihood] ?? 3) || x.i - y.i)
    .map((x) => x.h);
  const lines = [
    "## First-principles analysis",
    "",
    `> ${oneLine(a.summary)}`,
    "",
    "### Facts stated",
    ...list(a.facts, "none stated"),
    "",
    "### Assumptions",
    ...list(a.assumptions, "none"),
    "",
    "### Unknowns",
    ...list(a.unknowns, "none"),
    "",
  ];
  if (a.components.length) {
    lines.push("### Fundamental components", "", "| Component | Role |", "|---|---|");
    for (const c of a.components) lines.push(`| ${cell(c.name)} | ${cell(c.role)} |`);
    lines.push("");
  }
  lines.push("### Hypotheses (most likely first)", "");
  hypotheses.forEach((h, i) => {
    lines.push(`${i + 1}. **${oneLine(h.statement)}** (${LIKELIHOOD[h.likelihood] ?? h.likelihood})`);
    if (h.evidence) lines.push(`   - Evidence: ${oneLine(h.evidence)}`);
    if (h.test) lines.push(`   - How to check: ${oneLine(h.test)}`);
  });
  lines.push("", "### Path to a solution", "");
  a.path.forEach((step, i) => {
    lines.push(`${i + 1}. ${oneLine(step)}`);
  });
  lines.push(
    "",
    "<sub>Written by an AI model from the issue text only; hypotheses are unverified. Run `/analyze` to refresh it after the issue changes.</sub>",
    renderFooter("analyze", usage),
  );
  return lines.join("\n");
}

/** What `/analyze` answers when no LLM is configured. */
export function renderLlmNotConfigured(what: string): string {
  return [
    `${what} needs an LLM, and none is configured for this Steward installation.`,
    "",
    "The operator sets `LLM_API_KEY` (and, for a non-OpenAI server, `LLM_BASE_URL` and `LLM_MODEL`) in Steward's environment; any OpenAI-compatible server works (OpenAI, Azure, Ollama, vLLM, LiteLLM).",
    "",
    "The documentation score (`/score`), similar issues (`/similar`) and file location (`/locate`) work without one.",
  ].join("\n");
}
