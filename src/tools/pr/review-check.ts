// The "Steward review" check run around one review (`pr.checks: true`): in_progress when the review
// starts, completed with the summary and annotations when it is posted, and a clear "Review failed"
// when the job gives up. The same SHA always reuses the same run, so a re-review updates it.
import type { RepoConfig } from "../../config/schema.ts";
import { errorMessage, isTransient, StewardError } from "../../errors.ts";
import type { CheckRunRef, GitHubGateway } from "../../github/index.ts";
import type { Job } from "../../jobs/types.ts";
import {
  CHECK_EXTERNAL_ID,
  CHECK_NAME,
  checkOutput,
  failedConclusion,
  failedOutput,
  startedOutput,
} from "../review/check.ts";
import type { ReviewCoreResult } from "./review-core.ts";
import type { PrData } from "./source.ts";

export interface StartedCheck {
  ref?: CheckRunRef;
  /** Why no run could be started, for the review comment (e.g. the App lacks Checks: write). */
  error?: string;
}

/**
 * A check run that cannot be started must not cost the review: the comment says why instead. A
 * transient error is thrown so the job retries as it would for any GitHub hiccup.
 */
export async function startReviewCheck(gw: GitHubGateway, headSha: string): Promise<StartedCheck> {
  try {
    const ref = await gw.startCheckRun({
      name: CHECK_NAME,
      headSha,
      externalId: CHECK_EXTERNAL_ID,
      output: startedOutput(headSha),
    });
    return { ref };
  } catch (err) {
    if (isTransient(err)) throw err;
    const why = err instanceof StewardError ? err.userMessage : errorMessage(err);
    return { error: `The "${CHECK_NAME}" check run could not be created: ${why}` };
  }
}

export async function completeReviewCheck(
  gw: GitHubGateway,
  ref: CheckRunRef,
  a: {
    pr: PrData;
    result: ReviewCoreResult;
    config: RepoConfig;
    commentUrl?: string;
    incrementalFrom?: string;
  },
): Promise<void> {
  const { output, conclusion, annotations } = checkOutput({
    headSha: a.pr.headSha,
    ...(a.result.review ? { effort: a.result.review.effort } : {}),
    findings: a.result.findings,
    notReviewed: a.result.notReviewed,
    files: a.pr.files,
    ...(a.incrementalFrom ? { incrementalFrom: a.incrementalFrom } : {}),
    ...(a.result.llmNote ? { note: a.result.llmNote } : {}),
    ...(a.config.pr.checks_fail_on ? { failOn: a.config.pr.checks_fail_on } : {}),
    ...(a.commentUrl ? { commentUrl: a.commentUrl } : {}),
  });
  await gw.completeCheckRun({ checkRunId: ref.id, conclusion, output, annotations, reused: !ref.created });
}

/**
 * On the job's last attempt (or a permanent error) the run is completed as failed, so it never hangs
 * in progress; earlier attempts leave it in progress for the retry to finish.
 */
export async function failReviewCheck(
  gw: GitHubGateway,
  job: Job,
  err: unknown,
  a: { ref: CheckRunRef; pr: PrData; config: RepoConfig },
): Promise<void> {
  const retrying = (isTransient(err) || !(err instanceof StewardError)) && job.attempts < job.maxAttempts;
  if (retrying) return;
  const reason = err instanceof StewardError ? err.userMessage : "an unexpected error";
  await gw
    .completeCheckRun({
      checkRunId: a.ref.id,
      conclusion: failedConclusion(a.config.pr.checks_fail_on),
      output: failedOutput(a.pr.headSha, reason),
      annotations: [],
      reused: false,
    })
    .catch(() => {
      // The job's own failure is what gets reported; a second GitHub error here adds nothing.
    });
}
