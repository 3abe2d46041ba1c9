import { parseMarker } from "../github/markers.ts";
import { issueLinkPrefix, webUrlOfRepo } from "../github/web.ts";
import { parseClosingReferences } from "../tools/pr-json/links.ts";
import { isBotSender } from "./intake.ts";
import { type Route, text, type WebhookEvent } from "./types.ts";

// Fix-PR linking and hand-made issue state changes. Pure: the route only checks that a PR's title or
// body names issues with a closing keyword (`Fixes #12`), or that a closed/reopened issue carries
// Steward's incident marker; the jobs look the issues up in the incident registry.

export interface IncidentPrPayload {
  /** `closed`: closed without merging. */
  action: "opened" | "edited" | "reopened" | "merged" | "closed";
  number: number;
  /**
   * Issue numbers in this repository the PR says it closes (now). For opened / edited / reopened,
   * incidents the PR was linked to whose issue is no longer named are withdrawn (`unlinked`).
   */
  issues: number[];
  headSha: string | null;
}

/** An incident issue closed or reopened on GitHub by a person. */
export interface IncidentIssueStatePayload {
  action: "closed" | "reopened";
  number: number;
  /** GitHub's `state_reason` on close: `completed`, `not_planned`, `duplicate` (null on old events). */
  stateReason: string | null;
  sender: string;
}

const LINKING = new Set(["opened", "edited", "reopened", "closed"]);

export const incidentsRoute: Route = (ev) => {
  if (ev.name === "issues") return issueStateRoute(ev);
  if (ev.name !== "pull_request" || !ev.repo || !ev.action || !LINKING.has(ev.action)) return [];
  const pr = ev.payload?.pull_request;
  if (typeof pr?.number !== "number") return [];
  const [owner, name] = ev.repo.split("/") as [string, string];
  // The payload's own html_url names the host (github.com or an Enterprise Server).
  const web = webUrlOfRepo(ev.payload?.repository?.html_url, ev.repo);
  const own = issueLinkPrefix(web, owner, name);
  const refs = (title: unknown, body: unknown) => [
    ...new Set(
      parseClosingReferences(`${text(title)}\n${text(body)}`, { owner, repo: name, web })
        .filter((r) => !r.url || r.url.toLowerCase().startsWith(own))
        .map((r) => r.number),
    ),
  ];
  const issues = refs(pr.title, pr.body);
  // An edit that removed every reference still needs a job: it withdraws the earlier link. The job
  // is state-based (it unlinks what the PR no longer names), so coalesced edits stay correct.
  if (issues.length === 0 && !(ev.action === "edited" && editedOutReferences(ev, refs))) return [];
  const action: IncidentPrPayload["action"] =
    ev.action === "closed" ? (pr.merged === true ? "merged" : "closed") : (ev.action as "opened");
  const payload: IncidentPrPayload = { action, number: pr.number, issues, headSha: pr.head?.sha ?? null };
  return [
    {
      kind: "incidents.pr-link",
      repo: ev.repo,
      installationId: ev.installationId,
      targetNumber: pr.number,
      deliveryId: ev.deliveryId,
      payload,
      // Edits coalesce; a merge or close never replaces (nor is replaced by) an earlier open.
      dedupeKey: `incidents.pr-link:${ev.repo}#${pr.number}:${action === "merged" || action === "closed" ? action : "open"}`,
    },
  ];
};

/** True when the title or body before this edit (`changes.*.from`) named issues with a closing keyword. */
function editedOutReferences(ev: WebhookEvent, refs: (title: unknown, body: unknown) => number[]): boolean {
  const changes = ev.payload?.changes;
  const pr = ev.payload?.pull_request;
  if (!changes || (!changes.title && !changes.body)) return false;
  const before = refs(
    changes.title ? changes.title.from : pr.title,
    changes.body ? changes.body.from : pr.body,
  );
  return before.length > 0;
}

/**
 * Only issues whose body starts with Steward's incident marker, closed or reopened by someone who is
 * not a bot (the intake drops bots already; Steward's own closes must never come back as a change).
 */
function issueStateRoute(ev: WebhookEvent) {
  if (!ev.repo || (ev.action !== "closed" && ev.action !== "reopened")) return [];
  const issue = ev.payload?.issue;
  if (typeof issue?.number !== "number" || issue.pull_request || isBotSender(ev.payload)) return [];
  if (parseMarker(issue.body)?.kind !== "incident") return [];
  const payload: IncidentIssueStatePayload = {
    action: ev.action,
    number: issue.number,
    stateReason: typeof issue.state_reason === "string" ? issue.state_reason : null,
    sender: text(ev.payload?.sender?.login, "someone"),
  };
  return [
    {
      kind: "incidents.issue-state",
      repo: ev.repo,
      installationId: ev.installationId,
      targetNumber: issue.number,
      deliveryId: ev.deliveryId,
      payload,
    },
  ];
}
