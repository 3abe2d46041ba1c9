// The documentation score on GitHub: one persistent comment and a label while the score is below the
// threshold; when an edit lifts it, the label goes and the comment says thanks. The number is
// always scoreIssue's: deterministic, never from an LLM.
import { runTask } from "../../compute/pool.ts";
import { renderScoreComment, renderScoreRecovered } from "../issue-score/index.ts";
import type { ScoreResult } from "../issue-score/index.ts";
import type { IssueData, IssueJobContext } from "./context.ts";

export const SCORE_KIND = "issue-score";

/** What the comment's marker remembers, so the next run knows whether it asked for more. */
export interface ScoreState {
  score: number;
  below: boolean;
  present: string[];
}

export interface ScoreOutcome {
  result: ScoreResult;
  /** What happened on GitHub. */
  action: "asked" | "recovered" | "passing" | "disabled";
  commentUrl?: string;
}

function previousResult(result: ScoreResult, state: ScoreState): ScoreResult {
  return {
    ...result,
    score: state.score,
    elements: result.elements.map((e) => ({ ...e, present: state.present.includes(e.id) })),
  };
}

function readState(raw: unknown): ScoreState | undefined {
  const s = raw as Partial<ScoreState> | undefined;
  if (!s || typeof s.score !== "number" || typeof s.below !== "boolean") return undefined;
  return { score: s.score, below: s.below, present: Array.isArray(s.present) ? s.present.map(String) : [] };
}

export async function runScore(ctx: IssueJobContext, issue: IssueData): Promise<ScoreOutcome> {
  const cfg = ctx.config.issues.score;
  // Scoring scans the untrusted issue body: it runs in the compute pool, under its time budget.
  const result = await runTask(
    "scoreIssue",
    {
      issue: { title: issue.title, body: issue.body, labels: issue.labels },
      opts: { threshold: cfg.threshold },
    },
    { what: `issue #${issue.number} (scoring it)` },
  );
  ctx.log.info(
    { number: issue.number, score: result.score, type: result.type, missing: result.missing.slice(0, 3) },
    "issue scored",
  );
  if (!cfg.enabled) return { result, action: "disabled" };
  const key = String(issue.number);
  const state: ScoreState = {
    score: result.score,
    below: Boolean(result.belowThreshold),
    present: result.elements.filter((e) => e.present).map((e) => e.id),
  };
  const hasLabel = issue.labels.includes(cfg.label);
  if (result.belowThreshold) {
    const up = await ctx.gw.upsertComment({
      issueNumber: issue.number,
      kind: SCORE_KIND,
      key,
      body: renderScoreComment(result, { threshold: cfg.threshold }),
      state,
    });
    if (!hasLabel) await ctx.gw.addLabels(issue.number, [cfg.label]);
    return { result, action: "asked", commentUrl: up.url };
  }
  const found = await ctx.gw.findComment(issue.number, SCORE_KIND, key);
  const before = readState(found?.state);
  if (hasLabel) await ctx.gw.removeLabel(issue.number, cfg.label);
  if (found && before) {
    // Once recovered, later edits keep the thanks (with the first "before" score) rather than flip-flop.
    const prevState = before.below ? before : undefined;
    const shown = prevState ? previousResult(result, prevState) : undefined;
    if (!prevState) return { result, action: "recovered", commentUrl: found.url };
    const up = await ctx.gw.upsertComment({
      issueNumber: issue.number,
      kind: SCORE_KIND,
      key,
      body: renderScoreRecovered(result, { previous: shown }),
      state,
    });
    return { result, action: "recovered", commentUrl: up.url };
  }
  return { result, action: "passing" };
}

/** The `/score` reply when the issue passes and there is no score comment to point at. */
export function renderScorePassing(result: ScoreResult): string {
  const present = result.elements.filter((e) => e.present).map((e) => e.label.toLowerCase());
  const missing = result.missing.length
    ? ` Still missing (optional): ${result.missing
        .slice(0, 3)
        .map((id) => result.elements.find((e) => e.id === id)?.label.toLowerCase() ?? id)
        .join(", ")}.`
    : "";
  return [
    `Documentation score: **${result.score}/10** (${result.type}; this repository asks for ${result.threshold ?? "—"}). Nothing more is needed.`,
    "",
    `Found: ${present.length ? present.join(", ") : "nothing specific"}.${missing}`,
    "",
    "<sub>The score is computed without AI.</sub>",
  ].join("\n");
}
