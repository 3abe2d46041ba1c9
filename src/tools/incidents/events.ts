import type { Services } from "../../app/services.ts";
import type { IncidentIssueStatePayload, IncidentPrPayload } from "../../events/incidents.ts";
import { manualTransition } from "../../incidents/github/manual.ts";
import { COMMENT_KIND, statusComment } from "../../incidents/github/render.ts";
import type { IncidentAction } from "../../incidents/lifecycle.ts";
import { recordLinkedPr, withdrawFix } from "../../incidents/prs.ts";
import {
  findIncidentByIssue,
  incidentsLinkedToPr,
  markStatusSynced,
  transitionIncident,
} from "../../incidents/registry.ts";
import type { JobHandler } from "../../jobs/types.ts";

// Handlers for what happens on GitHub around an incident's issue: fix PRs that reference it
// (opened / edited / reopened / merged / closed without merging) and people closing or reopening it.

/**
 * `incidents.pr-link`. A PR that does not move the status (a second fix PR while one is proposed)
 * is still recorded in `linked_prs`, so closing one PR can tell whether another is still open. The
 * comment for a withdrawn fix is posted by the sync pass (mirror), like every status change.
 */
export function prLinkHandler(s: Services, requestSync: () => Promise<unknown>): JobHandler {
  return async (job, ctx) => {
    const p = job.payload as IncidentPrPayload;
    const pr = { repo: job.repo!, number: p.number };
    let moved = 0;
    for (const n of p.issues) {
      const inc = await findIncidentByIssue(s.db, job.repo!, n);
      if (!inc) continue;
      if (p.action === "closed") {
        const r = await withdrawFix(s.db, inc.id, pr);
        if (r?.reopened) {
          moved++;
          ctx.log.info({ incidentId: inc.id, pr: p.number }, "fix PR closed unmerged; incident open again");
        }
        continue;
      }
      const action: IncidentAction = p.action === "merged" ? "merge-fix" : "propose-fix";
      const r = await transitionIncident(s.db, inc.id, action, { pr });
      if (r) {
        moved++;
        ctx.log.info({ incidentId: inc.id, pr: p.number, status: r.status }, "incident linked to a fix PR");
      } else await recordLinkedPr(s.db, inc.id, pr, action === "merge-fix" ? "merged" : "open");
    }
    // A `Fixes #N` edited out of the PR while it is open withdraws that link (the payload is the
    // PR's current text, so this also holds when several edits were coalesced into one job).
    if (p.action === "opened" || p.action === "edited" || p.action === "reopened") {
      for (const inc of await incidentsLinkedToPr(s.db, job.repo!, p.number)) {
        if (inc.issueNumber !== null && p.issues.includes(inc.issueNumber)) continue;
        const r = await withdrawFix(s.db, inc.id, pr, Date.now(), "unlinked");
        if (r?.reopened) moved++;
        if (r)
          ctx.log.info(
            { incidentId: inc.id, pr: p.number, reopened: r.reopened },
            "fix PR no longer references the incident",
          );
      }
    }
    if (moved) await requestSync();
  };
}

/**
 * `incidents.issue-state`: a person closed or reopened an incident's issue. The issue is already in
 * the state the new status implies, so only a comment is posted and the status marked as mirrored.
 * A crash before that mark is finished by the next sync pass (its mirror repeats nothing harmful).
 */
export function issueStateHandler(s: Services): JobHandler {
  return async (job, ctx) => {
    const p = job.payload as IncidentIssueStatePayload;
    // The route already drops bots; a close Steward made must never be read back as a person's.
    if (p.sender.endsWith("[bot]")) return;
    const inc = await findIncidentByIssue(s.db, job.repo!, p.number);
    if (!inc) return;
    const change = manualTransition(inc, p);
    if (!change) return;
    const now = await transitionIncident(s.db, inc.id, change.action);
    if (!now) return;
    ctx.log.info(
      { incidentId: inc.id, issue: p.number, action: p.action, status: now.status },
      "incident issue changed by hand",
    );
    const config = await s.repoConfig(job);
    const c = statusComment(now, { verificationHours: config.incidents.verification_hours, byHand: true });
    if (c) {
      const gw = await s.gateway(job.installationId!, job.repo!);
      await gw.upsertComment({
        issueNumber: p.number,
        kind: COMMENT_KIND,
        key: `${inc.id}:${c.key}`,
        body: `${c.body}\n\n_${p.action === "closed" ? "Closed" : "Reopened"} on GitHub by @${p.sender}._`,
      });
    }
    await markStatusSynced(s.db, now.id, now.status);
  };
}
