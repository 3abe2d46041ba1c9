// The issue triage pipeline: (grace window) → skip checks → score → similar → analysis → notify.
// Each step writes through persistent comments, so a second run edits rather than duplicates.
import type { TriagePayload } from "../../events/issues.ts";
import { errorMessage, StewardError } from "../../errors.ts";
import { wrapGitHub } from "../../github/errors.ts";
import { extractIssueElements } from "../issue-map/index.ts";
import { ANALYSIS_KIND, runAnalysis } from "./analyze.ts";
import { type IssueData, type IssueJobContext, toIssueData } from "./context.ts";
import { sendNotification } from "./notify.ts";
import type { Notifier } from "../../notify/index.ts";
import { runScore, type ScoreOutcome } from "./score.ts";
import { runSimilar, type SimilarOutcome } from "./similar.ts";

export interface TriageOutcome {
  skipped?: string;
  score?: ScoreOutcome;
  similar?: SimilarOutcome;
  analysis?: string;
}

/** Why an issue is left alone, or undefined to triage it. */
export function skipReason(ctx: IssueJobContext, issue: IssueData, automatic: boolean): string | undefined {
  if (issue.isPr) return "pull request";
  if (issue.authorType === "Bot") return "opened by a bot";
  if (issue.labels.includes(ctx.config.issues.opt_out_label))
    return `opt-out label ${ctx.config.issues.opt_out_label}`;
  if (automatic && !ctx.config.issues.enabled) return "issues.enabled is false";
  if (automatic && issue.state === "closed") return "issue closed";
  return undefined;
}

export async function fetchIssue(
  ctx: IssueJobContext,
  number: number,
): Promise<{ issue: IssueData; raw: any }> {
  const { data } = await wrapGitHub(
    () => ctx.octokit.rest.issues.get({ owner: ctx.owner, repo: ctx.name, issue_number: number }),
    `read issue #${number}`,
  );
  return { issue: toIssueData(data), raw: data };
}

/**
 * Waits out `issues.grace_minutes` when it is longer than the route's fixed window: the job re-enqueues
 * itself (same key, so later edits still coalesce) once, then runs.
 */
export async function deferForGrace(ctx: IssueJobContext, p: TriagePayload): Promise<boolean> {
  if (p.deferred) return false;
  const due = p.eventAt + ctx.config.issues.grace_minutes * 60_000;
  if (due <= Date.now() + 1_000) return false;
  await ctx.s.enqueue({
    kind: "issue.triage",
    repo: ctx.repo,
    installationId: ctx.job.installationId ?? undefined,
    targetNumber: p.number,
    dedupeKey: ctx.job.dedupeKey ?? `issue.triage:${ctx.repo}#${p.number}`,
    payload: { ...p, deferred: true } satisfies TriagePayload,
    runAt: due,
  });
  ctx.log.info(
    { number: p.number, dueInMs: due - Date.now() },
    "triage deferred for the configured grace window",
  );
  return true;
}

export async function triage(
  ctx: IssueJobContext,
  number: number,
  notifier: () => Notifier,
  opts: { automatic: boolean; notify: boolean },
): Promise<TriageOutcome> {
  const { issue, raw } = await fetchIssue(ctx, number);
  const skipped = skipReason(ctx, issue, opts.automatic);
  if (skipped) {
    ctx.log.info({ number, reason: skipped }, "issue triage skipped");
    return { skipped };
  }
  const score = await runScore(ctx, issue);
  const similar = await runSimilar(ctx, issue, raw);
  let analysis: string | undefined;
  const passes = !score.result.belowThreshold;
  if (ctx.config.issues.analyze.auto && passes) {
    if (!ctx.s.llm.configured) {
      analysis = "skipped: no LLM configured";
      ctx.log.info({ number }, "automatic analysis skipped: no LLM configured");
    } else {
      try {
        const notes = [`Documentation score ${score.result.score}/10 (${score.result.type}).`];
        const a = await runAnalysis(ctx, issue, { notes });
        analysis = a.action;
        if ("message" in a) ctx.log.warn({ number, reason: a.message }, "automatic analysis not posted");
      } catch (err) {
        // The score and similar comments are already up; a failed optional analysis must not undo
        // the run (a retry would redo it all). It is not silent either: the analysis comment says
        // what went wrong and how to retry.
        analysis = "failed";
        ctx.log.warn({ number, err: errorMessage(err) }, "automatic analysis failed");
        const why = err instanceof StewardError ? err.userMessage : "an unexpected error";
        await ctx.gw
          .upsertComment({
            issueNumber: number,
            kind: ANALYSIS_KIND,
            key: String(number),
            body: `### Analysis not available\n\nSteward could not analyse this issue: ${why}\n\nA maintainer can retry with \`/analyze\`.`,
          })
          .catch((e) =>
            ctx.log.warn({ number, err: errorMessage(e) }, "could not post the analysis failure note"),
          );
      }
    }
  } else analysis = passes ? "skipped: issues.analyze.auto is false" : "skipped: below the score threshold";

  if (opts.notify) {
    // Labels as they are now (Steward may just have added some); paths the issue itself names.
    const labels = [...issue.labels];
    if (score.action === "asked" && !labels.includes(ctx.config.issues.score.label))
      labels.push(ctx.config.issues.score.label);
    if (similar.result.duplicates.length && !labels.includes(ctx.config.issues.similar.label))
      labels.push(ctx.config.issues.similar.label);
    const paths = [
      ...new Set(
        extractIssueElements({ title: issue.title, body: issue.body })
          .filter((e) => e.file)
          .map((e) => e.file!),
      ),
    ];
    const summary = [
      `Documentation ${score.result.score}/10 (${score.result.type})`,
      similar.result.duplicates.length
        ? `possible duplicate of ${similar.result.duplicates.map((h) => `#${h.number}`).join(", ")}`
        : undefined,
    ]
      .filter(Boolean)
      .join("; ");
    await sendNotification(ctx, notifier(), {
      kind: "issue",
      repo: ctx.repo,
      number: issue.number,
      title: issue.title.trim() || `Issue #${issue.number}`,
      url: issue.url.startsWith("http") ? issue.url : undefined,
      labels,
      paths,
      summary,
      dedupeKey: `issue-opened:${ctx.repo}#${issue.number}`,
    });
  }
  return { score, similar, analysis };
}
