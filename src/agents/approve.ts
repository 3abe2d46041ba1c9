import { levelMeets, type PermissionLevel, type Risk } from "./commands.ts";
import type { AppIdentity, CommentSnapshot, PermissionAnswer } from "./ports.ts";
import type { Proposal } from "./proposals.ts";
import { integrityProblem, parseProposalBody } from "./render.ts";
import { isRequester } from "./requesters.ts";

// The pure approval decision. The orchestrator (handle.ts) fetches the live facts (permission, head
// SHA, the comment as it is now) and this function applies every rule to them; no I/O here.

export type Decision = "approve" | "refuse" | "ignore";
export interface Verdict {
  decision: Decision;
  reason: string;
  /** What the refusal means for the proposal: leave it pending, or retire it. */
  retire?: "invalidated" | "expired";
  /** The comment now shows a checked box that was not a valid approval: re-render it unchecked. */
  restoreComment?: boolean;
}

export interface Actor {
  login: string;
  id: number;
  type: string;
}

export interface EditEvent {
  comment: CommentSnapshot;
  changes?: { body?: { from: string } } | null;
  sender: Actor;
}

export function isStewardComment(c: CommentSnapshot, app: AppIdentity): boolean {
  if (c.performed_via_github_app && c.performed_via_github_app.id === app.appId) return true;
  return c.user?.login === `${app.slug}[bot]`;
}

export function isStewardActor(a: Actor, app: AppIdentity): boolean {
  return a.login === `${app.slug}[bot]`;
}

/** Ids whose approval box is checked in `body` and was unchecked in `from`: the ticks THIS edit made. */
export function tickedInThisEdit(from: string, body: string): string[] {
  const before = new Map(parseProposalBody(from).boxes.map((b) => [b.id, b.checked]));
  return parseProposalBody(body)
    .boxes.filter((b) => b.checked && before.get(b.id) === false)
    .map((b) => b.id);
}

type ProposalFacts = Pick<
  Proposal,
  | "id"
  | "sha256"
  | "command"
  | "risk"
  | "headSha"
  | "targetNumber"
  | "repo"
  | "expiresAt"
  | "status"
  | "requestedBy"
  | "requesters"
>;

export interface ApprovalInput {
  app: AppIdentity;
  event: EditEvent;
  proposal: ProposalFacts;
  permission: PermissionAnswer;
  currentHeadSha: string | null;
  now: number;
  requireDistinctApprover?: boolean;
}

/** Checks shared by the checkbox and `/approve`: who, what permission, still valid. */
export function checkApprover(input: {
  app: AppIdentity;
  sender: Actor;
  proposal: ProposalFacts;
  permission: PermissionAnswer;
  currentHeadSha: string | null;
  now: number;
  requireDistinctApprover?: boolean;
}): Verdict | null {
  const { sender, proposal: p, permission } = input;
  if (sender.type !== "User" || isStewardActor(sender, input.app))
    return {
      decision: "refuse",
      reason: `only a human user can approve (sender type ${sender.type})`,
      restoreComment: true,
    };
  if (!levelMeets(permission.level, p.risk))
    return {
      decision: "refuse",
      reason: `@${sender.login} has ${permission.roleName} permission; this ${p.risk}-risk proposal needs ${needs(p.risk)}`,
      restoreComment: true,
    };
  if (
    input.requireDistinctApprover &&
    (p.risk === "maintain" || p.risk === "admin") &&
    isRequester(p, sender.login)
  )
    return {
      decision: "refuse",
      reason: "the approver must not be a user whose instructions are in the run (separate_approver is on)",
      restoreComment: true,
    };
  if (p.status !== "pending")
    return { decision: "refuse", reason: `proposal ${p.id} is already ${p.status}` };
  if (input.now >= p.expiresAt)
    return { decision: "refuse", reason: `proposal ${p.id} has expired`, retire: "expired" };
  if (p.headSha && input.currentHeadSha !== p.headSha)
    return {
      decision: "refuse",
      reason: `the head moved from ${p.headSha.slice(0, 12)} to ${(input.currentHeadSha ?? "none").slice(0, 12)} since the proposal`,
      retire: "invalidated",
    };
  return null;
}

function needs(risk: Risk): string {
  return risk === "maintain" ? "maintain or admin" : `${risk} or higher`;
}

/** All seven rules for an approval by ticking the box in Steward's proposal comment. */
export function evaluateApproval(input: ApprovalInput): Verdict {
  const { app, event, proposal: p } = input;
  if (!isStewardComment(event.comment, app)) return { decision: "ignore", reason: "not a Steward comment" };
  if (isStewardActor(event.sender, app)) return { decision: "ignore", reason: "Steward's own edit" };
  const from = event.changes?.body?.from;
  const nowBox = parseProposalBody(event.comment.body).boxes.find((b) => b.id === p.id);
  if (from === undefined) return { decision: "ignore", reason: "this edit did not change the comment body" };
  if (!nowBox?.checked) {
    const problem = integrityProblem(event.comment.body, p);
    if (problem && (p.status === "pending" || p.status === "approved"))
      return { decision: "refuse", reason: problem, retire: "invalidated" };
    return { decision: "ignore", reason: "no approval box was ticked" };
  }
  if (!tickedInThisEdit(from, event.comment.body).includes(p.id))
    return {
      decision: "refuse",
      reason:
        "the box was already ticked before this edit; only the edit that ticks it counts as an approval",
      restoreComment: true,
    };
  const who = checkApprover({ ...input, sender: event.sender });
  if (who) return who;
  const problem = integrityProblem(event.comment.body, p);
  if (problem) return { decision: "refuse", reason: problem, retire: "invalidated" };
  return { decision: "approve", reason: `approved by @${event.sender.login} (${input.permission.roleName})` };
}

export function levelOf(answer: PermissionAnswer | null): PermissionLevel {
  return answer?.level ?? "none";
}
