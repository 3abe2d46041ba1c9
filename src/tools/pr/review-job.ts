// /review against a live PR: fetch, (incremental) diff, one LLM call, ONE batched review for the
// anchored findings, then the persistent summary comment whose marker state remembers the head SHA.
// Each inline finding carries a hidden id marker; before posting, Steward's own review comments are
// scanned for those ids, so a retry after a crash between the review and the comment repeats nothing.
import { z } from "zod";
import type { Services } from "../../app/services.ts";
import type { RepoConfig } from "../../config/schema.ts";
import type { GitHubGateway } from "../../github/index.ts";
import type { Job } from "../../jobs/types.ts";
import type { RunOptions } from "../options.ts";
import { renderFindingComment, renderReviewComment } from "../review/render.ts";
import { completeReviewCheck, failReviewCheck, type StartedCheck, startReviewCheck } from "./review-check.ts";
import { findingMarker, postedOnPr } from "./posted.ts";
import { type ReviewCoreResult, reviewCore } from "./review-core.ts";
import { loadIncremental, loadPr, type PrData } from "./source.ts";

export const REVIEW_KIND = "review";
export const REVIEW_KEY = "summary";
/** Inline-finding ids kept in the marker; older ones fall off (a marker is not a database). */
const MAX_REMEMBERED = 60;

const reviewState = z
  .object({
    lastReviewedSha: z
      .string()
      .regex(/^[0-9a-f]{7,64}$/)
      .optional(),
    inline: z.array(z.string()).max(500).optional(),
  })
  .catch({});

export type ReviewTrigger = "auto" | "push" | "command";

export interface ReviewJobArgs {
  gw: GitHubGateway;
  config: RepoConfig;
  number: number;
  options: RunOptions;
  trigger: ReviewTrigger;
  /** The head the event named; a push whose head was already reviewed is skipped before any read. */
  headSha?: string;
}

export async function repoLanguages(s: Services, job: Job): Promise<Record<string, number> | undefined> {
  try {
    const octokit = await s.octokit(job.installationId!);
    const [owner, repo] = job.repo!.split("/") as [string, string];
    const { data } = await octokit.rest.repos.listLanguages({ owner, repo });
    return data as Record<string, number>;
  } catch {
    return undefined; // ordering only; never worth failing a review
  }
}

async function pickDiff(gw: GitHubGateway, pr: PrData, last: string | undefined, incremental: boolean) {
  if (!incremental || !last || last === pr.headSha) return { shown: pr.files, commits: [] as string[] };
  const inc = await loadIncremental(gw, last, pr.headSha);
  if (!inc.ok) return { shown: pr.files, commits: [], fallback: inc.reason };
  // Only files that are still part of the PR: a file changed and then reverted is not in its diff.
  const inPr = new Set(pr.files.map((f) => f.path));
  return {
    shown: inc.files.filter((f) => inPr.has(f.path)),
    commits: inc.commits,
    incremental: { fromSha: inc.fromSha, toSha: pr.headSha },
  };
}

/** Returns what was done, for logs and the CLI; posts through the gateway. */
export async function runReviewJob(
  s: Services,
  job: Job,
  a: ReviewJobArgs,
): Promise<{ skipped?: string; result?: ReviewCoreResult }> {
  const { gw, number } = a;
  const prev = await gw.findComment(number, REVIEW_KIND, REVIEW_KEY);
  const state = reviewState.parse(prev?.state ?? {});
  if (a.trigger === "push" && a.headSha && state.lastReviewedSha === a.headSha) {
    return { skipped: `head ${a.headSha.slice(0, 12)} was already reviewed` };
  }
  const pr = await loadPr(gw, number);
  if (a.trigger === "push" && state.lastReviewedSha === pr.headSha) {
    return { skipped: `head ${pr.headSha.slice(0, 12)} was already reviewed` };
  }
  const incremental = a.options.incremental ?? a.trigger === "push";
  const check = a.config.pr.checks ? await startReviewCheck(gw, pr.headSha) : undefined;
  try {
    return await reviewAndPost(s, job, a, { pr, state, incremental, check });
  } catch (err) {
    if (check?.ref) await failReviewCheck(gw, job, err, { ref: check.ref, pr, config: a.config });
    throw err;
  }
}

async function reviewAndPost(
  s: Services,
  job: Job,
  a: ReviewJobArgs,
  o: {
    pr: PrData;
    state: z.output<typeof reviewState>;
    incremental: boolean;
    check: StartedCheck | undefined;
  },
): Promise<{ skipped?: string; result?: ReviewCoreResult }> {
  const { gw, number } = a;
  const { pr, state, incremental } = o;
  const picked = await pickDiff(gw, pr, state.lastReviewedSha, incremental);
  const result = await reviewCore({
    llm: s.llm,
    title: pr.title,
    body: pr.body,
    files: pr.files,
    shown: picked.shown,
    commits: picked.commits,
    unavailable: pr.unavailable,
    ...(picked.incremental ? { incremental: picked.incremental } : {}),
    config: a.config,
    options: a.options,
    languages: () => repoLanguages(s, job),
    usage: { tool: "review", jobId: job.id, installationId: job.installationId ?? undefined },
  });
  const posted = new Set(state.inline ?? []);
  let fresh = result.inline.filter((i) => !posted.has(i.fingerprint));
  // The state is a fast path only: it is saved after the review, so a crash in between (or an id
  // that fell off the capped list) leaves it behind. The PR's own review comments decide.
  let onPr: string[] = [];
  if (fresh.length > 0) {
    const found = (await postedOnPr(gw, number)).findings;
    onPr = fresh.filter((i) => found.has(i.fingerprint)).map((i) => i.fingerprint);
    fresh = fresh.filter((i) => !found.has(i.fingerprint));
  }
  if (fresh.length > 0) {
    await gw.postReview({
      pullNumber: number,
      commitId: pr.headSha,
      body: `Steward review for \`${pr.headSha.slice(0, 12)}\`: ${fresh.length} finding${fresh.length === 1 ? "" : "s"} on the changed lines. The summary is in the Steward review comment on this PR.`,
      comments: fresh.map((i) => ({
        ...i.anchor,
        body: `${findingMarker(i.fingerprint)}\n${renderFindingComment(i.finding)}`,
      })),
      files: pr.files,
    });
  }
  const notes: string[] = [];
  if (picked.fallback) notes.push(`Full review: ${picked.fallback}.`);
  if (o.check?.error) notes.push(o.check.error);
  const llmNote = [result.llmNote, ...notes].filter(Boolean).join(" ") || undefined;
  const body = renderReviewComment({
    repo: { owner: gw.owner, repo: gw.repo, web: gw.webUrl },
    headSha: pr.headSha,
    ...(result.review ? { review: result.review } : {}),
    findings: result.findings,
    facts: result.facts,
    notReviewed: result.notReviewed,
    ...(picked.incremental ? { incrementalFrom: picked.incremental.fromSha } : {}),
    ...(llmNote ? { llmNote } : {}),
    ...(result.usage ? { usage: result.usage } : {}),
  });
  const remembered = [...new Set([...posted, ...onPr, ...fresh.map((f) => f.fingerprint)])].slice(
    -MAX_REMEMBERED,
  );
  const comment = await gw.upsertComment({
    issueNumber: number,
    kind: REVIEW_KIND,
    key: REVIEW_KEY,
    body: notes.length > 0 && result.review ? `${body}\n\n<sub>${notes.join(" ")}</sub>` : body,
    state: { lastReviewedSha: pr.headSha, inline: remembered },
  });
  if (o.check?.ref) {
    await completeReviewCheck(gw, o.check.ref, {
      pr,
      result,
      config: a.config,
      commentUrl: comment.url,
      ...(picked.incremental ? { incrementalFrom: picked.incremental.fromSha } : {}),
    });
  }
  return { result };
}
