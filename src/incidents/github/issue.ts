import type { Services } from "../../app/services.ts";
import { splitRepo } from "../../app/services.ts";
import type { RepoConfig } from "../../config/schema.ts";
import { isOwnAuthor } from "../../github/comments.ts";
import { wrapGitHub } from "../../github/errors.ts";
import { parseMarker } from "../../github/markers.ts";
import type { Logger } from "../../logger.ts";
import { getIncident, type Incident, setIncidentIssue } from "../registry.ts";
import { claimOnce, ISSUE_CLAIM_NS } from "./claim.ts";
import { ISSUE_MARKER_KIND, issueBody, issueTitle, severityLabel } from "./render.ts";

// Opening an incident's issue, exactly once across replicas and crashes:
//  1. claim `incident-issue/<id>` in kv (compare-and-set) — a replica that loses does nothing;
//  2. re-read the incident: a replica that finished in between has already set its issue number;
//  3. after taking over a STALE claim (its holder died mid-way), first look for the issue that holder
//     may have opened — found by the marker on its body's first line — and adopt it;
//  4. only then create the issue, and record it with the `setIncidentIssue` CAS.
// So no second issue is ever created; the only case left is a holder stalled for longer than the
// stale window (10 min) that then wakes up and loses the CAS: it closes its own issue as a duplicate.

export type OpenOutcome = "opened" | "adopted" | "busy" | "already" | "duplicate-closed";

const RECOVERY_PAGES = 5;

export async function openIncidentIssue(
  s: Services,
  inc: Incident,
  repo: string,
  installationId: number,
  config: RepoConfig,
  owner: string,
  log: Logger,
  now = Date.now(),
): Promise<{ outcome: OpenOutcome; issueNumber?: number }> {
  const claim = await claimOnce(s.db, ISSUE_CLAIM_NS, String(inc.id), owner, { now });
  if (!claim.won) return { outcome: "busy" };
  const fresh = await getIncident(s.db, inc.id);
  if (!fresh || fresh.issueNumber !== null)
    return { outcome: "already", issueNumber: fresh?.issueNumber ?? undefined };
  if (fresh.status === "ignored") return { outcome: "already" };

  if (claim.takeoverFrom !== undefined) {
    const found = await findIssueByMarker(s, installationId, repo, inc.id, claim.takeoverFrom);
    if (found !== undefined) {
      await setIncidentIssue(s.db, inc.id, repo, found, now);
      log.info(
        { incidentId: inc.id, repo, issue: found },
        "adopted the incident issue a vanished replica opened",
      );
      return { outcome: "adopted", issueNumber: found };
    }
  }

  const gw = await s.gateway(installationId, repo);
  const labels = [...new Set([...config.incidents.labels, severityLabel(fresh)])];
  const created = await gw.createIssue({
    title: issueTitle(fresh),
    body: issueBody(fresh, { minPermission: config.incidents.min_permission }),
    labels,
  });
  if (await setIncidentIssue(s.db, inc.id, repo, created.number)) {
    log.info({ incidentId: inc.id, repo, issue: created.number }, "opened an incident issue");
    return { outcome: "opened", issueNumber: created.number };
  }
  // Only reachable when this replica stalled past the claim's stale window and another took over.
  const winner = await getIncident(s.db, inc.id);
  await gw.upsertComment({
    issueNumber: created.number,
    kind: "incident",
    key: `${inc.id}:duplicate`,
    body: `Duplicate of #${winner?.issueNumber ?? "?"}: another Steward replica opened the issue for incident ${inc.id} first.`,
  });
  await gw.closeIssue(created.number, "not_planned");
  log.warn({ incidentId: inc.id, repo, issue: created.number }, "closed a duplicate incident issue");
  return { outcome: "duplicate-closed", issueNumber: winner?.issueNumber ?? undefined };
}

interface RawIssue {
  number: number;
  body?: string | null;
  user: { login: string; type: string } | null;
  pull_request?: unknown;
}

/** The issue whose body starts with this incident's marker, opened by Steward since `since` (list API, not search: search lags). */
async function findIssueByMarker(
  s: Services,
  installationId: number,
  full: string,
  incidentId: number,
  since: number,
): Promise<number | undefined> {
  const octokit = await s.octokit(installationId);
  const { owner, repo } = splitRepo(full);
  const slug = await s.appSlug();
  for (let page = 1; page <= RECOVERY_PAGES; page++) {
    const { data } = await wrapGitHub(
      () =>
        octokit.rest.issues.listForRepo({
          owner,
          repo,
          state: "all",
          since: new Date(since - 60_000).toISOString(),
          sort: "created",
          direction: "desc",
          per_page: 100,
          page,
        }),
      `look for the issue of incident ${incidentId}`,
    );
    const issues = data as RawIssue[];
    for (const i of issues) {
      if (i.pull_request || !isOwnAuthor(i.user, slug)) continue;
      const m = parseMarker(i.body ?? "");
      if (m?.kind === ISSUE_MARKER_KIND && m.key === String(incidentId)) return i.number;
    }
    if (issues.length < 100) break;
  }
  return undefined;
}
