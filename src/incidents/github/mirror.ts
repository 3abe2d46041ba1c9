import type { Services } from "../../app/services.ts";
import type { RepoConfig } from "../../config/schema.ts";
import { type Incident, markStatsPosted, markStatusSynced } from "../registry.ts";
import { COMMENT_KIND, STATS_KIND, statsBody, statusComment, withdrawnFix } from "./render.ts";

// Keeps an incident's issue in step with the registry. Both writes are idempotent (comments are
// upserted by marker, open/close is a state PATCH), and each ends with a CAS in the registry, so a
// crash before the CAS only means the next sync repeats a write that is already there.

/** Mirrors `inc.status` onto its issue: a comment saying what happened, then open or close it. */
export async function mirrorStatus(
  s: Services,
  inc: Incident,
  installationId: number,
  config: RepoConfig,
  opts: {
    /** False when the caller answers in its own comment (a command's reply). */ comment?: boolean;
  } = {},
): Promise<boolean> {
  if (inc.issueNumber === null || inc.repo === null) return false;
  const gw = await s.gateway(installationId, inc.repo);
  const c = statusComment(inc, { verificationHours: config.incidents.verification_hours });
  // "open" is said only when a withdrawn fix PR caused it (`/incident reopen` answers for itself).
  if (c && (inc.status !== "open" || withdrawnFix(inc)) && opts.comment !== false)
    await gw.upsertComment({
      issueNumber: inc.issueNumber,
      kind: COMMENT_KIND,
      key: `${inc.id}:${c.key}`,
      body: c.body,
    });
  if (inc.status === "resolved") await gw.closeIssue(inc.issueNumber, "completed");
  else if (inc.status === "ignored") await gw.closeIssue(inc.issueNumber, "not_planned");
  else if (inc.status === "regressed" || inc.status === "open") await gw.reopenIssue(inc.issueNumber);
  // fix-proposed / fix-merged leave the state alone: GitHub itself closes the issue when a
  // `Fixes #N` PR merges, and verification decides what happens next.
  return markStatusSynced(s.db, inc.id, inc.status);
}

/** Whether the stats comment is due under this repository's `incidents.stats_comment_minutes`. */
export function statsDue(inc: Incident, config: RepoConfig, now: number): boolean {
  if (inc.issueNumber === null || inc.count <= inc.statsCount) return false;
  return (
    inc.statsCommentAt === null || inc.statsCommentAt <= now - config.incidents.stats_comment_minutes * 60_000
  );
}

/**
 * Edits the one stats comment. The CAS comes first: of two replicas only one posts, so the first
 * stats comment is never created twice. If the post then fails, this update is skipped until the
 * next recurrence after the interval (the job still fails visibly and is retried).
 */
export async function postStats(
  s: Services,
  inc: Incident,
  installationId: number,
  now = Date.now(),
): Promise<boolean> {
  if (inc.issueNumber === null || inc.repo === null) return false;
  if (!(await markStatsPosted(s.db, inc.id, inc.statsCommentAt, inc.count, now))) return false;
  const gw = await s.gateway(installationId, inc.repo);
  await gw.upsertComment({
    issueNumber: inc.issueNumber,
    kind: STATS_KIND,
    key: String(inc.id),
    body: statsBody(inc, now),
  });
  return true;
}
