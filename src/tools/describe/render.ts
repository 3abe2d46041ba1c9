// /describe writes its section into the PR body between markers, leaving the author's own text
// alone, and appends a collapsed PR JSON block for AI agents.
import {
  cell,
  cellCode,
  code,
  fence,
  type NotCovered,
  renderFooter,
  renderNotCovered,
  safeText,
  type UsageFooter,
} from "../markdown.ts";
import type { PrJson } from "../pr-json/schema.ts";
import type { DescribeOutput } from "./schema.ts";

export const DESCRIBE_START = "<!-- steward:describe:start -->";
export const DESCRIBE_END = "<!-- steward:describe:end -->";

/** GitHub caps a PR body at 65,536 characters; the JSON block is the first thing to go. */
export const PR_BODY_LIMIT = 65_536;

export interface DescribeSectionInput {
  describe: DescribeOutput;
  notReviewed: NotCovered[];
  prJson?: PrJson;
  usage?: UsageFooter;
  /** Walkthrough rows to show; the rest are counted. Only lowered to fit GitHub's body limit. */
  maxRows?: number;
}

function mermaidIsPlausible(d: string): boolean {
  return /^(graph|flowchart|sequenceDiagram|classDiagram|stateDiagram(-v2)?|erDiagram)\b/.test(d);
}

/**
 * The model's diagram, verbatim (escaping would break its syntax) but without the lines that make a
 * diagram act: `click` (links and callbacks) and `%%` directives (which can loosen its security level).
 */
function inertMermaid(diagram: string): string {
  return diagram
    .split("\n")
    .filter((l) => !/^\s*(click\b|%%)/i.test(l))
    .join("\n");
}

export function renderDescribeSection(input: DescribeSectionInput): string {
  const d = input.describe;
  const out: string[] = ["### Steward summary"];
  if (d.types.length > 0) out.push(`**Type:** ${d.types.map((t) => code(t)).join(", ")}`);
  out.push(d.summary.map((s) => `- ${safeText(s)}`).join("\n"));
  if (d.walkthrough.length > 0) {
    const shown = d.walkthrough.slice(0, input.maxRows ?? d.walkthrough.length);
    const rows = shown.map((w) => `| ${cellCode(w.file)} | ${cell(w.summary)} |`);
    const hidden = d.walkthrough.length - shown.length;
    if (hidden > 0)
      rows.push(`| … | ${hidden} more files, not listed to stay within GitHub's PR body limit |`);
    const table = `| File | Change |\n|---|---|\n${rows.join("\n")}`;
    out.push(
      d.walkthrough.length > 6
        ? `<details><summary>Walkthrough (${d.walkthrough.length} files)</summary>\n\n${table}\n\n</details>`
        : `**Walkthrough**\n\n${table}`,
    );
  }
  // A broken diagram renders as an error box on GitHub; only plausible mermaid is shown.
  if (d.diagram && mermaidIsPlausible(d.diagram)) out.push(fence(inertMermaid(d.diagram), "mermaid"));
  out.push(renderNotCovered(input.notReviewed, "Not described"));
  if (input.prJson) out.push(renderPrJsonBlock(input.prJson));
  out.push(renderFooter("describe", input.usage));
  const full = out.join("\n\n");
  const fits = full.length + DESCRIBE_START.length + DESCRIBE_END.length + 4 <= PR_BODY_LIMIT;
  if (fits) return full;
  if (!input.prJson) {
    const rows = input.maxRows ?? d.walkthrough.length;
    return rows > 0 ? renderDescribeSection({ ...input, maxRows: Math.floor(rows / 2) }) : full;
  }
  return renderDescribeSection({ ...input, prJson: undefined }).replace(
    /\n\n<sub>/,
    "\n\n_The PR JSON was too large for the PR body; use `/describe --format=json`._\n\n<sub>",
  );
}

export function renderPrJsonBlock(json: PrJson): string {
  return `<details><summary>PR JSON for AI agents</summary>\n\n${fence(JSON.stringify(json, null, 2), "json")}\n\n</details>`;
}

function wrap(section: string): string {
  return `${DESCRIBE_START}\n${section.trim()}\n${DESCRIBE_END}`;
}

/**
 * Puts `section` into the PR body. First run: appended after the author's text. Later runs: only
 * the text between the markers is replaced. A user who deleted the end marker loses nothing above
 * the start marker (the section is replaced to the end of the body, where Steward put it); one who
 * deleted the start marker keeps everything, and the stale section is left as their text.
 */
export function mergeDescription(existingBody: string | null | undefined, section: string): string {
  const body = existingBody ?? "";
  const block = wrap(section);
  const start = body.indexOf(DESCRIBE_START);
  const end = start >= 0 ? body.indexOf(DESCRIBE_END, start + DESCRIBE_START.length) : -1;
  if (start >= 0 && end >= 0) {
    const before = body.slice(0, start);
    let after = body.slice(end + DESCRIBE_END.length);
    // Earlier duplicate sections (e.g. two bots racing) are ours too: drop them.
    after = removeBlocks(after);
    return before + block + after;
  }
  if (start >= 0) return body.slice(0, start) + block;
  const orphanEnd = body.indexOf(DESCRIBE_END);
  const kept = orphanEnd >= 0 ? body.slice(0, orphanEnd) + body.slice(orphanEnd + DESCRIBE_END.length) : body;
  const trimmed = kept.trimEnd();
  return trimmed === "" ? block : `${trimmed}\n\n${block}`;
}

function removeBlocks(text: string): string {
  let out = text;
  for (;;) {
    const s = out.indexOf(DESCRIBE_START);
    const e = s >= 0 ? out.indexOf(DESCRIBE_END, s) : -1;
    if (s < 0 || e < 0) return out;
    out = out.slice(0, s).trimEnd() + out.slice(e + DESCRIBE_END.length);
  }
}
