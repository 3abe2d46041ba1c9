// The "Steward review" check run, without I/O: its output (effort, findings by severity, files not
// reviewed), one annotation per finding that sits on a line of the diff, and the conclusion that a
// branch protection rule can require (neutral unless `pr.checks_fail_on` names a severity).
import { canAnchor } from "../../diff/index.ts";
import type { DiffFile } from "../../diff/types.ts";
import type { AnnotationLevel, CheckAnnotation, CheckConclusion, CheckOutput } from "../../github/index.ts";
import { code, type NotCovered, plural, safeText } from "../markdown.ts";
import type { PlacedFinding } from "./render.ts";
import { type Finding, SEVERITIES, type Severity } from "./schema.ts";

export const CHECK_NAME = "Steward review";
/** Marks Steward's run among other apps' runs of the same name. */
export const CHECK_EXTERNAL_ID = "steward:review";

export type FailOn = "critical" | "major";

const LEVEL: Record<Severity, AnnotationLevel> = {
  critical: "failure",
  major: "failure",
  minor: "warning",
  info: "notice",
};
const RANK: Record<Severity, number> = { critical: 0, major: 1, minor: 2, info: 3 };

export interface CheckInput {
  headSha: string;
  /** Absent when the model part is missing (no LLM, budget, failed call): `note` says why. */
  effort?: number;
  findings: PlacedFinding[];
  notReviewed: NotCovered[];
  /** The PR's whole diff at `headSha`: annotations only go on lines GitHub can show. */
  files: DiffFile[];
  incrementalFrom?: string;
  note?: string;
  failOn?: FailOn;
  /** Link to the persistent review comment, when known. */
  commentUrl?: string;
}

export function startedOutput(headSha: string): CheckOutput {
  return {
    title: "Review in progress",
    summary: `Steward is reviewing ${code(headSha.slice(0, 12))}.`,
  };
}

/** Failure when any finding is at `failOn` or above; neutral otherwise (never success: a model is not a proof). */
export function checkConclusion(findings: Finding[], failOn: FailOn | undefined): CheckConclusion {
  if (!failOn) return "neutral";
  return findings.some((f) => RANK[f.severity] <= RANK[failOn]) ? "failure" : "neutral";
}

export function checkAnnotations(findings: PlacedFinding[], files: DiffFile[]): CheckAnnotation[] {
  const out: CheckAnnotation[] = [];
  for (const { finding: f } of findings) {
    const line = f.endLine;
    const start = Math.min(f.startLine, line);
    const anchor =
      start < line
        ? { path: f.file, side: "RIGHT" as const, line, start_line: start, start_side: "RIGHT" as const }
        : { path: f.file, side: "RIGHT" as const, line };
    if (!canAnchor(files, anchor).ok) continue;
    out.push({
      path: f.file,
      start_line: start,
      end_line: line,
      annotation_level: LEVEL[f.severity],
      title: `${f.severity}: ${f.title}`,
      message: safeText(f.explanation),
    });
  }
  return out;
}

function countLine(findings: Finding[]): string {
  if (findings.length === 0) return "none";
  return SEVERITIES.map((s) => [s, findings.filter((f) => f.severity === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`)
    .join(", ");
}

export function checkOutput(input: CheckInput): {
  output: CheckOutput;
  conclusion: CheckConclusion;
  annotations: CheckAnnotation[];
} {
  const findings = input.findings.map((p) => p.finding);
  const conclusion = input.effort === undefined ? "neutral" : checkConclusion(findings, input.failOn);
  const annotations = input.effort === undefined ? [] : checkAnnotations(input.findings, input.files);
  const sha = code(input.headSha.slice(0, 12));
  const lines: string[] = [];
  lines.push(
    input.incrementalFrom
      ? `Reviewed ${sha}: the commits after ${code(input.incrementalFrom.slice(0, 12))}.`
      : `Reviewed ${sha}.`,
  );
  if (input.effort === undefined) {
    lines.push(`No model review: ${safeText(input.note ?? "the model part is missing")}`);
  } else {
    lines.push(`**Review effort:** ${input.effort}/5`);
    lines.push(`**Findings:** ${countLine(findings)}`);
    const off = findings.length - annotations.length;
    if (off > 0) lines.push(`${plural(off, "finding")} not on a changed line: see the review comment.`);
    if (input.failOn)
      lines.push(
        `This check fails on a ${input.failOn} finding or worse (\`pr.checks_fail_on: ${input.failOn}\`).`,
      );
    if (input.note) lines.push(safeText(input.note));
  }
  if (input.notReviewed.length === 0) lines.push("**Not reviewed:** none");
  else {
    lines.push(`**Not reviewed (${plural(input.notReviewed.length, "file")}):**`);
    lines.push(input.notReviewed.map((n) => `- ${code(n.path)} — ${safeText(n.reason)}`).join("\n"));
  }
  if (input.commentUrl) lines.push(`The full review is in [Steward's comment](${input.commentUrl}).`);
  const title =
    input.effort === undefined
      ? "No model review"
      : findings.length === 0
        ? "No findings"
        : `${plural(findings.length, "finding")} (${countLine(findings)})`;
  return { output: { title, summary: lines.join("\n\n") }, conclusion, annotations };
}

/** A review that could not run gates like a blocking finding when a gate is configured. */
export function failedConclusion(failOn: FailOn | undefined): CheckConclusion {
  return failOn ? "failure" : "neutral";
}

/** What the run says when the review itself failed for good. */
export function failedOutput(headSha: string, reason: string): CheckOutput {
  return {
    title: "Review failed",
    summary: `Steward could not review ${code(headSha.slice(0, 12))}: ${safeText(reason)}\n\nRe-run this check, or comment \`/review\` on the pull request.`,
  };
}
