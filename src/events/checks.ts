import type { EnqueueInput } from "../jobs/types.ts";
import { CHECK_EXTERNAL_ID, CHECK_NAME } from "../tools/review/check.ts";
import { type Route, text } from "./types.ts";

/**
 * The "Re-run" button on Steward's check run (`check_run.rerequested`) → a full review of the PR, the
 * same `pr.review` job the automatic run uses (same dedupe key, so a burst of clicks is one review).
 * GitHub sends `rerequested` only to the App that made the run; the name and external id are checked
 * anyway, since other check runs of this App must never start a review.
 */
export const checkRunRoute: Route = (ev) => {
  if (ev.name !== "check_run" || ev.action !== "rerequested" || !ev.repo) return [];
  const run = ev.payload?.check_run;
  if (text(run?.name) !== CHECK_NAME || text(run?.external_id) !== CHECK_EXTERNAL_ID) return [];
  const prs: unknown[] = Array.isArray(run?.pull_requests) ? run.pull_requests : [];
  const out: EnqueueInput[] = [];
  for (const pr of prs) {
    const number = (pr as { number?: unknown })?.number;
    if (typeof number !== "number" || !Number.isSafeInteger(number) || number <= 0) continue;
    out.push({
      kind: "pr.review",
      repo: ev.repo,
      targetNumber: number,
      payload: { number, headSha: text(run?.head_sha, "") },
      dedupeKey: `pr.review:${ev.repo}#${number}`,
    });
  }
  return out;
};
