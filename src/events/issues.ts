import type { EnqueueInput } from "../jobs/types.ts";
import { parseCommand } from "../tools/commands.ts";
import { type Route, text } from "./types.ts";

/**
 * Default grace window before an issue is triaged: authors edit right after opening, so the job waits
 * and every author edit pushes it back. Routes are pure, so the window here is fixed; the job reads
 * `issues.grace_minutes` and defers itself when the repository asks for longer.
 */
export const ISSUE_GRACE_MS = Number(process.env.STEWARD_ISSUE_GRACE_MS ?? 180_000);
/** Index updates for one repository coalesce over this window into one incremental sync. */
export const INDEX_DEBOUNCE_MS = Number(process.env.STEWARD_INDEX_DEBOUNCE_MS ?? 30_000);
/** Pushes and edits to one PR within this window give one issue↔code mapping. */
export const MAP_DEBOUNCE_MS = Number(process.env.STEWARD_MAP_DEBOUNCE_MS ?? 30_000);

export interface TriagePayload {
  number: number;
  trigger: "opened" | "edited";
  /** When the event happened (epoch ms): the grace window counts from here. */
  eventAt: number;
  /** Set once the job deferred itself for a longer configured window, so it never loops. */
  deferred?: boolean;
}

export interface MapPayload {
  number: number;
  action: string;
  headSha: string;
}

function at(iso: unknown): number {
  const t = typeof iso === "string" ? Date.parse(iso) : Number.NaN;
  return Number.isFinite(t) ? t : Date.now();
}

function indexUpdate(repo: string): EnqueueInput {
  return {
    kind: "index.update",
    repo,
    payload: {},
    dedupeKey: `index.update:${repo}`,
    debounceMs: INDEX_DEBOUNCE_MS,
  };
}

function triage(repo: string, issue: any, trigger: TriagePayload["trigger"]): EnqueueInput {
  const eventAt = at(trigger === "opened" ? issue.created_at : issue.updated_at);
  const payload: TriagePayload = { number: issue.number, trigger, eventAt };
  return {
    kind: "issue.triage",
    repo,
    targetNumber: issue.number,
    payload,
    dedupeKey: `issue.triage:${repo}#${issue.number}`,
    debounceMs: ISSUE_GRACE_MS,
  };
}

/**
 * Issue intelligence triggers: triage after the grace window (author edits reset it), cheap index
 * updates coalesced per repository, and the issue↔code mapping for PRs. Bots never reach here (the
 * intake drops them); the opt-out label and `issues.enabled` are checked by the job, which has config.
 */
function mapIssues(repo: string, pr: any, action: string): EnqueueInput {
  const payload: MapPayload = { number: pr.number, action, headSha: text(pr.head?.sha, "") };
  return {
    kind: "pr.map-issues",
    repo,
    targetNumber: pr.number,
    payload,
    dedupeKey: `pr.map-issues:${repo}#${pr.number}`,
    debounceMs: MAP_DEBOUNCE_MS,
  };
}

/** The issue-intelligence work a PR job fans out: map its linked issues, and index it. */
export function followUpsForPr(
  repo: string,
  pr: { number: number; headSha: string },
  action: string,
): EnqueueInput[] {
  return [mapIssues(repo, { number: pr.number, head: { sha: pr.headSha } }, action), indexUpdate(repo)];
}

export const issuesRoute: Route = (ev) => {
  if (!ev.repo) return [];
  const p = ev.payload;
  const out: EnqueueInput[] = [];
  if (ev.name === "issues") {
    const issue = p?.issue;
    if (!issue || typeof issue.number !== "number") return [];
    if (ev.action === "deleted" || ev.action === "transferred") {
      out.push({
        kind: "index.remove",
        repo: ev.repo,
        payload: { number: issue.number },
        dedupeKey: `index.remove:${ev.repo}#${issue.number}`,
      });
      return out;
    }
    if (["opened", "edited", "closed", "reopened"].includes(ev.action ?? "")) out.push(indexUpdate(ev.repo));
    // Issue events never describe pull requests, but an odd payload must not triage a PR.
    if (issue.pull_request) return out;
    if (issue.user?.type === "Bot") return out;
    if (ev.action === "opened") out.push(triage(ev.repo, issue, "opened"));
    const byAuthor = p?.sender?.login && p.sender.login === issue.user?.login;
    if (ev.action === "edited" && byAuthor) out.push(triage(ev.repo, issue, "edited"));
    return out;
  }
  if (ev.name === "issue_comment") {
    // A slash command adds nothing to similarity; the next sync picks it up anyway.
    const body = p?.comment?.body;
    const isCommand = typeof body === "string" && parseCommand(body).kind !== "none";
    if (["created", "edited", "deleted"].includes(ev.action ?? "") && !isCommand)
      out.push(indexUpdate(ev.repo));
    return out;
  }
  if (ev.name === "pull_request") {
    const pr = p?.pull_request;
    if (!pr || typeof pr.number !== "number") return [];
    // opened/reopened and synchronize already run one PR job each (pr.auto, pr.push), which fan out
    // the mapping and the index update (followUpsForPr): a delivery stores one job, not three.
    if (["edited", "closed"].includes(ev.action ?? "")) out.push(indexUpdate(ev.repo));
    if (ev.action === "edited") out.push(mapIssues(ev.repo, pr, "edited"));
    return out;
  }
  return out;
};
