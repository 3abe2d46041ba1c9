// Markdown for /review: the persistent comment (edited in place each run) and inline finding bodies.
import { renderFacts } from "../pr-facts/render.ts";
import type { PrFacts } from "../pr-facts/types.ts";
import {
  blobLink,
  cell,
  code,
  lineLabel,
  type NotCovered,
  plural,
  type RepoRef,
  renderFooter,
  renderNotCovered,
  safeText,
  type UsageFooter,
} from "../markdown.ts";
import type { Finding, ReviewOutput, Severity } from "./schema.ts";

const SEVERITY_ICON: Record<Severity, string> = { critical: "🛑", major: "🔴", minor: "🟡", info: "🔵" };
const SEVERITY_ORDER: Record<Severity, number> = { critical: 0, major: 1, minor: 2, info: 3 };

export interface PlacedFinding {
  finding: Finding;
  /** Null when the anchor passed and the finding was posted inline; else why it was not. */
  anchorError: string | null;
}

export interface ReviewCommentInput {
  repo: RepoRef;
  headSha: string;
  /** Absent when no LLM is configured or the call failed: the facts are still posted. */
  review?: ReviewOutput;
  findings: PlacedFinding[];
  facts: PrFacts;
  notReviewed: NotCovered[];
  /** Set for an incremental review: only commits after this SHA were shown to the model. */
  incrementalFrom?: string;
  /** Why the LLM part is missing (no LLM configured, budget spent, call failed). */
  llmNote?: string;
  usage?: UsageFooter;
}

export function reviewStateMarker(sha: string): string {
  return `<!-- steward:review-state last_sha=${sha} -->`;
}

/** The last reviewed head SHA stored in the persistent comment, for incremental review. */
export function parseReviewState(body: string | null | undefined): string | null {
  const m = /<!-- steward:review-state last_sha=([0-9a-f]{7,64}) -->/.exec(body ?? "");
  return m ? m[1]! : null;
}

function bySeverity(a: PlacedFinding, b: PlacedFinding): number {
  return SEVERITY_ORDER[a.finding.severity] - SEVERITY_ORDER[b.finding.severity];
}

export function renderReviewComment(input: ReviewCommentInput): string {
  const sha = code(input.headSha.slice(0, 12));
  const out: string[] = ["## Steward review", reviewStateMarker(input.headSha)];
  out.push(
    input.incrementalFrom
      ? `Updated for ${sha} — incremental: only the commits after ${code(input.incrementalFrom.slice(0, 12))} were reviewed.`
      : `Updated for ${sha}.`,
  );
  const r = input.review;
  if (!r) {
    out.push(
      `> [!NOTE]\n> ${safeText(input.llmNote ?? "No model review this time.")} The deterministic facts below are complete.`,
    );
  } else {
    out.push(`**Review effort:** ${r.effort}/5\n\n${safeText(r.summary)}`);
    const inline = input.findings.filter((f) => f.anchorError === null).sort(bySeverity);
    const unplaced = input.findings.filter((f) => f.anchorError !== null).sort(bySeverity);
    if (input.findings.length === 0) out.push("**Findings:** none.");
    if (inline.length > 0) {
      const rows = inline.map(({ finding: f }) => {
        const link = blobLink(input.repo, input.headSha, f.file, f.startLine, f.endLine);
        return `| ${SEVERITY_ICON[f.severity]} ${f.severity} | [${cell(lineLabel(f.file, f.startLine, f.endLine))}](${link}) | ${cell(f.title)} |`;
      });
      out.push(
        `**Findings** (${plural(inline.length, "inline comment")}):\n\n| Severity | Where | Finding |\n|---|---|---|\n${rows.join("\n")}`,
      );
    }
    if (unplaced.length > 0) {
      const items = unplaced.map(
        ({ finding: f, anchorError }) =>
          `- ${SEVERITY_ICON[f.severity]} **${safeText(f.title)}** — ${code(lineLabel(f.file, f.startLine, f.endLine))} ` +
          `(not on a changed line: ${safeText(anchorError ?? "")})\n  ${safeText(f.explanation).replace(/\n/g, "\n  ")}`,
      );
      out.push(`**Findings outside the diff** (shown here instead of inline):\n${items.join("\n")}`);
    }
    out.push(
      r.securityConcerns.length > 0
        ? `**Security:**\n${r.securityConcerns.map((c) => `- ${safeText(c)}`).join("\n")}`
        : "**Security:** no concerns raised.",
    );
    const missing = r.tests.missing?.length
      ? `\n${r.tests.missing.map((m) => `- ${safeText(m)}`).join("\n")}`
      : "";
    out.push(`**Tests:** ${safeText(r.tests.assessment)}${missing}`);
    if (r.canBeSplit.possible && r.canBeSplit.suggestions.length > 0) {
      const parts = r.canBeSplit.suggestions.map(
        (s) => `- ${safeText(s.title)}: ${s.files.map((f) => code(f)).join(", ")}`,
      );
      out.push(`**Could be split:**\n${parts.join("\n")}`);
    }
  }
  if (input.facts.secrets.length > 0) {
    out.push(
      `> [!WARNING]\n> ${plural(input.facts.secrets.length, "possible secret")} added in this PR; see Facts.`,
    );
  }
  out.push(
    `<details><summary>Facts (computed without a model)</summary>\n\n${renderFacts(input.facts)}\n\n</details>`,
  );
  out.push(renderNotCovered(input.notReviewed));
  out.push(renderFooter("review", input.usage));
  return out.join("\n\n");
}

/** Body of the inline review comment for one finding whose anchor passed. */
export function renderFindingComment(f: Finding): string {
  return `${SEVERITY_ICON[f.severity]} **${safeText(f.title)}** (${f.severity})\n\n${safeText(f.explanation)}\n\n<sub>Steward review</sub>`;
}
