import { neutralize } from "../github/neutralize.ts";
import type { Logger } from "../logger.ts";
import type { Db } from "../store/types.ts";
import {
  type Actor,
  checkApprover,
  type EditEvent,
  evaluateApproval,
  isStewardActor,
  isStewardComment,
  tickedInThisEdit,
  type Verdict,
} from "./approve.ts";
import { writeAudit } from "./audit.ts";
import { DEFAULT_POLICY, GITHUB_SIDE, levelMeets, type RiskPolicy } from "./commands.ts";
import { finalChecks, livePermission } from "./gate.ts";
import { parseAgentCommand } from "./parse.ts";
import type { AgentGateway, AppIdentity, Clock, CommentSnapshot, PermissionAnswer } from "./ports.ts";
import { casStatus, getProposal, type Proposal, releaseApproving } from "./proposals.ts";
import { parseProposalBody, renderProposal } from "./render.ts";
import { refusalKey, refusalReply } from "./replies.ts";
import { updateRunStatus } from "./status.ts";
import { hiddenVerdict } from "./visibility.ts";

// Orchestrates approvals: fetch live facts, apply the pure rules, compare-and-set, re-fetch, re-check,
// execute through the gateway, audit every decision, and reply on the ticket when refusing.

export interface ApprovalDeps {
  db: Db;
  /** The gateway bound to the event's installation and repository. */
  gateway: AgentGateway;
  app: AppIdentity;
  repo: string;
  policy?: RiskPolicy;
  now?: Clock;
  log?: Logger;
}

export interface Outcome {
  decision: "approve" | "refuse" | "ignore" | "deny";
  reason: string;
  proposalId?: string;
  /** What ran: "executed", "failed", "handed to run #N", or null when nothing did. */
  result: string | null;
}

export interface CommentEditedEvent extends EditEvent {
  issue: { number: number };
}

const NO_PERMISSION: PermissionAnswer = { permission: "none", roleName: "none", level: "none" };

async function reply(deps: ApprovalDeps, issue: number, key: string, text: string): Promise<void> {
  await deps.gateway.upsertComment({ issueNumber: issue, kind: "agent-reply", key, body: text });
}

async function decide(
  deps: ApprovalDeps,
  ctx: {
    deliveryId: string;
    sender: Actor;
    role: string | null;
    issue: number;
    proposal?: Proposal;
    /** The comment the refused action was made in or on: one refusal reply per comment. */
    sourceCommentId?: number | null;
    /** Set for a tick in the issue body, which has no comment id. */
    issueBody?: number;
  },
  verdict: Omit<Verdict, "decision"> & { decision: Outcome["decision"] },
  result: string | null = null,
): Promise<Outcome> {
  const now = (deps.now ?? Date.now)();
  const p = ctx.proposal;
  await writeAudit(deps.db, {
    at: now,
    deliveryId: ctx.deliveryId,
    repo: deps.repo,
    proposalId: p?.id ?? null,
    sha256: p?.sha256 ?? null,
    senderLogin: ctx.sender.login,
    senderId: ctx.sender.id,
    role: ctx.role,
    decision: verdict.decision,
    reason: verdict.reason,
    result,
  });
  if (verdict.decision === "refuse") {
    if (p && verdict.retire)
      await casStatus(deps.db, p.id, ["pending", "approving", "approved"], verdict.retire, { at: now });
    if (p && verdict.restoreComment && p.commentId !== null && p.status === "pending")
      await deps.gateway.upsertComment({
        issueNumber: p.ticketNumber,
        kind: "proposal",
        key: p.id,
        body: renderProposal(p),
      });
    const what = p ? `proposal \`${p.id}\`` : "this approval";
    await refusalReply(
      { db: deps.db, gateway: deps.gateway, repo: deps.repo, now: deps.now, log: deps.log },
      {
        issue: ctx.issue,
        key:
          refusalKey({ commentId: ctx.sourceCommentId ?? p?.commentId ?? null, issueBody: ctx.issueBody }) ??
          `${p?.id ?? "none"}:${ctx.deliveryId}`,
        sender: ctx.sender.login,
        text: `⛔ Steward refused ${what} from @${ctx.sender.login}: ${verdict.reason}. Nothing was executed.`,
      },
    );
    if (p) await updateRunStatus(deps.db, deps.gateway, p.runId).catch(() => {});
  }
  return { decision: verdict.decision, reason: verdict.reason, proposalId: p?.id, result };
}

/** `issue_comment.edited`: approval by ticking the box in Steward's proposal comment. */
export async function handleProposalEdit(
  deps: ApprovalDeps,
  event: CommentEditedEvent,
  deliveryId: string,
): Promise<Outcome> {
  const { app } = deps;
  if (isStewardActor(event.sender, app))
    return { decision: "ignore", reason: "Steward's own edit", result: null };
  const from = event.changes?.body?.from;
  const ctx = {
    deliveryId,
    sender: event.sender,
    role: null,
    issue: event.issue.number,
    sourceCommentId: event.comment.id,
  };
  if (!isStewardComment(event.comment, app)) {
    if (from !== undefined && tickedInThisEdit(from, event.comment.body).length > 0)
      return decide(deps, ctx, {
        decision: "refuse",
        reason: "approval boxes count only in Steward's own proposal comments",
      });
    return { decision: "ignore", reason: "not a Steward comment", result: null };
  }
  const marker =
    parseProposalBody(event.comment.body).markers[0] ??
    (from ? parseProposalBody(from).markers[0] : undefined);
  if (!marker) return { decision: "ignore", reason: "not a proposal comment", result: null };
  const p = await getProposal(deps.db, marker.id);
  if (!p || p.repo !== deps.repo || p.ticketNumber !== event.issue.number)
    return { decision: "ignore", reason: "unknown proposal", result: null };
  if (p.decidedDeliveryId === deliveryId)
    return decide(
      deps,
      { ...ctx, proposal: p },
      { decision: "ignore", reason: "redelivered webhook; already decided" },
    );
  const ticked = from !== undefined && tickedInThisEdit(from, event.comment.body).includes(p.id);
  const permission = ticked ? await livePermission(deps.gateway, event.sender) : NO_PERMISSION;
  const head = ticked && p.headSha ? await deps.gateway.headSha(p.targetNumber ?? p.ticketNumber) : null;
  const verdict = evaluateApproval({
    app,
    event,
    proposal: p,
    permission,
    currentHeadSha: head,
    now: (deps.now ?? Date.now)(),
    requireDistinctApprover: (deps.policy ?? DEFAULT_POLICY).requireDistinctApprover,
  });
  if (verdict.decision === "ignore")
    return { decision: "ignore", reason: verdict.reason, proposalId: p.id, result: null };
  const full = { ...ctx, role: ticked ? permission.roleName : null, proposal: p };
  if (verdict.decision === "refuse") return decide(deps, full, verdict);
  return execute(deps, full, { viaCheckbox: true, nodeId: event.comment.node_id });
}

/** `issue_comment.created`: `/approve <id> <prefix>` and `/deny <id>`. Returns null for other comments. */
export async function handleApprovalCommand(
  deps: ApprovalDeps,
  event: { comment: CommentSnapshot; sender: Actor; issue: { number: number } },
  deliveryId: string,
): Promise<Outcome | null> {
  const cmd = parseAgentCommand(event.comment.body);
  if (!cmd || cmd.kind === "answer") return null;
  if (isStewardActor(event.sender, deps.app))
    return { decision: "ignore", reason: "Steward's own comment", result: null };
  const ctx = {
    deliveryId,
    sender: event.sender,
    role: null as string | null,
    issue: event.issue.number,
    sourceCommentId: event.comment.id,
  };
  if (cmd.kind === "invalid") return decide(deps, ctx, { decision: "refuse", reason: cmd.reason });
  const p = await getProposal(deps.db, cmd.id);
  if (!p || p.repo !== deps.repo || p.ticketNumber !== event.issue.number)
    return decide(deps, ctx, {
      decision: "refuse",
      reason: `there is no proposal \`${cmd.id}\` on this ticket`,
    });
  const full = { ...ctx, proposal: p };
  if (p.decidedDeliveryId === deliveryId)
    return decide(deps, full, { decision: "ignore", reason: "redelivered webhook; already decided" });
  const permission = await livePermission(deps.gateway, event.sender);
  full.role = permission.roleName;
  const now = (deps.now ?? Date.now)();
  if (cmd.kind === "deny") {
    if (event.sender.type !== "User" || !levelMeets(permission.level, "write"))
      return decide(deps, full, {
        decision: "refuse",
        reason: `@${event.sender.login} needs write permission to deny`,
      });
    if (
      !(await casStatus(deps.db, p.id, ["pending"], "denied", {
        approvedBy: event.sender.login,
        approvedRole: permission.roleName,
        deliveryId,
        at: now,
      }))
    )
      return decide(deps, full, { decision: "refuse", reason: `proposal ${p.id} is already ${p.status}` });
    const out = await decide(deps, full, { decision: "deny", reason: `denied by @${event.sender.login}` });
    await reply(
      deps,
      p.ticketNumber,
      `${p.id}:${deliveryId}`,
      `🚫 Proposal \`${p.id}\` was denied by @${event.sender.login}. It will not run.`,
    );
    await updateRunStatus(deps.db, deps.gateway, p.runId).catch(() => {});
    return out;
  }
  if (!p.sha256.startsWith(cmd.prefix))
    return decide(deps, full, {
      decision: "refuse",
      reason: `sha256 prefix ${cmd.prefix} does not match proposal ${p.id}`,
    });
  const head = p.headSha ? await deps.gateway.headSha(p.targetNumber ?? p.ticketNumber) : null;
  const policy = deps.policy ?? DEFAULT_POLICY;
  const who = checkApprover({
    app: deps.app,
    sender: event.sender,
    proposal: p,
    permission,
    currentHeadSha: head,
    now,
    requireDistinctApprover: policy.requireDistinctApprover,
  });
  if (who) return decide(deps, full, { ...who, restoreComment: false });
  return execute(deps, full, { viaCheckbox: false, nodeId: null });
}

type Ctx = {
  deliveryId: string;
  sender: Actor;
  role: string | null;
  issue: number;
  proposal: Proposal;
  sourceCommentId?: number | null;
};

/**
 * The approval, once the event's own checks passed. The compare-and-set pending → approving wins it
 * (a replay or a racing approver stops there); `approving` is never handed to a worker, and a refusal
 * can still retire it. Then the final gate re-reads every fact live; only if all hold does the
 * proposal become `approved` (worker-side, re-checked again at hand-out) or `executing` (GitHub-side).
 */
async function execute(
  deps: ApprovalDeps,
  ctx: Ctx,
  opts: { viaCheckbox: boolean; nodeId: string | null | undefined },
): Promise<Outcome> {
  const p = ctx.proposal;
  const now = () => (deps.now ?? Date.now)();
  // Hidden is asked first, while still pending: a refusal here leaves nothing to undo (and GitHub not
  // answering keeps the proposal pending for another try). The gate below skips this one check.
  const hidden = await hiddenVerdict(deps.gateway, p, opts.nodeId, opts.viaCheckbox);
  if (hidden) return decide(deps, ctx, hidden);
  const won = await casStatus(deps.db, p.id, ["pending"], "approving", {
    approvedBy: ctx.sender.login,
    approvedRole: ctx.role ?? undefined,
    approvedVia: opts.viaCheckbox ? "checkbox" : "command",
    deliveryId: ctx.deliveryId,
    at: now(),
  });
  if (!won)
    return decide(deps, ctx, {
      decision: "ignore",
      reason: "another approval or a redelivery already decided this proposal",
    });
  await writeAudit(deps.db, {
    at: now(),
    deliveryId: ctx.deliveryId,
    repo: deps.repo,
    proposalId: p.id,
    sha256: p.sha256,
    senderLogin: ctx.sender.login,
    senderId: ctx.sender.id,
    role: ctx.role,
    decision: "approve",
    reason: "all approval checks passed",
    result: "pending execution",
  });
  const approving: Proposal = { ...p, status: "approving" };
  let gate: Awaited<ReturnType<typeof finalChecks>>;
  try {
    gate = await finalChecks(
      { gateway: deps.gateway, policy: deps.policy, now: deps.now },
      {
        proposal: approving,
        approver: ctx.sender,
        viaCheckbox: opts.viaCheckbox,
        nodeId: opts.nodeId,
        hiddenChecked: true,
      },
    );
  } catch (err) {
    // GitHub could not answer: give the approval back (pending, this delivery forgotten) so the job's
    // retry decides afresh; nothing was handed out meanwhile.
    await releaseApproving(deps.db, p.id);
    throw err;
  }
  if (gate.verdict) {
    if (!gate.verdict.retire) await releaseApproving(deps.db, p.id);
    const back = gate.verdict.retire ? approving : { ...p, status: "pending" as const };
    return decide(deps, { ...ctx, role: gate.role ?? ctx.role, proposal: back }, gate.verdict);
  }
  const role = gate.role ?? ctx.role;

  const auditExecution = (reason: string, result: string) =>
    writeAudit(deps.db, {
      at: now(),
      deliveryId: ctx.deliveryId,
      repo: deps.repo,
      proposalId: p.id,
      sha256: p.sha256,
      senderLogin: ctx.sender.login,
      senderId: ctx.sender.id,
      role,
      decision: "execute",
      reason,
      result,
    });

  if (!GITHUB_SIDE.has(p.command.type)) {
    // Only now can the worker see it; takeApproved runs the same gate again before handing it out.
    if (!(await casStatus(deps.db, p.id, ["approving"], "approved", { at: now() })))
      return {
        decision: "ignore",
        reason: "proposal was retired during the final checks",
        proposalId: p.id,
        result: null,
      };
    const result = `handed to run #${p.runId}`;
    await auditExecution("worker-side command released to its run", result);
    await reply(
      deps,
      p.ticketNumber,
      `${p.id}:${ctx.deliveryId}`,
      `✅ Approved by @${ctx.sender.login} (${role}) for sha256:${p.sha256.slice(0, 12)}; released to worker run #${p.runId}.`,
    );
    await updateRunStatus(deps.db, deps.gateway, p.runId).catch(() => {});
    return { decision: "approve", reason: "approved", proposalId: p.id, result };
  }
  if (!(await casStatus(deps.db, p.id, ["approving"], "executing", { at: now() })))
    return {
      decision: "ignore",
      reason: "proposal left the approving state before execution",
      proposalId: p.id,
      result: null,
    };
  let result: string;
  let ok = true;
  try {
    result = await runGitHubCommand(deps.gateway, p);
  } catch (err) {
    ok = false;
    result = `failed: ${neutralize(err instanceof Error ? err.message : String(err), "inline", { max: 500 })}`;
  }
  await casStatus(deps.db, p.id, ["executing"], ok ? "executed" : "failed", {
    result: { ok, result },
    at: now(),
  });
  await auditExecution(ok ? "executed" : "execution failed", result);
  await reply(
    deps,
    p.ticketNumber,
    `${p.id}:${ctx.deliveryId}`,
    `${ok ? "✅" : "❌"} Approved by @${ctx.sender.login} (${role}) for sha256:${p.sha256.slice(0, 12)}. \`${p.command.type}\`: ${result}`,
  );
  await updateRunStatus(deps.db, deps.gateway, p.runId).catch(() => {});
  return { decision: "approve", reason: "approved", proposalId: p.id, result: ok ? "executed" : "failed" };
}

async function runGitHubCommand(gw: AgentGateway, p: Proposal): Promise<string> {
  const c = p.command;
  switch (c.type) {
    case "merge_pr":
      await gw.mergePullRequest({
        number: c.number,
        method: c.method,
        // The head the approver saw, whichever PR it is: GitHub answers 409 if it moved since.
        ...(p.headSha && (p.targetNumber ?? p.ticketNumber) === c.number ? { sha: p.headSha } : {}),
      });
      return `merged #${c.number} (${c.method})`;
    case "label":
      await gw.addLabels({ issueNumber: c.number, labels: c.labels });
      return `labelled #${c.number}: ${c.labels.map((l) => neutralize(l, "code", { max: 100 })).join(", ")}`;
    case "close_issue":
      await gw.closeIssue({ issueNumber: c.number });
      return `closed #${c.number}`;
    case "open_pr": {
      const pr = await gw.createPullRequest({ head: c.head, base: c.base, title: c.title, body: c.body });
      return `opened PR #${pr.number}`;
    }
    default:
      throw new Error(`${c.type} is not a GitHub-side command`);
  }
}

/** `issues.edited`: an approval box ticked in the issue body is never an approval; say so. */
export async function handleIssueBodyEdit(
  deps: ApprovalDeps,
  event: {
    issue: { number: number; body: string | null };
    changes?: { body?: { from: string } } | null;
    sender: Actor;
  },
  deliveryId: string,
): Promise<Outcome> {
  const from = event.changes?.body?.from;
  if (from === undefined || isStewardActor(event.sender, deps.app))
    return { decision: "ignore", reason: "no body change", result: null };
  const ticked = tickedInThisEdit(from, event.issue.body ?? "");
  const added = parseProposalBody(event.issue.body ?? "").boxes.filter(
    (b) => b.checked && !parseProposalBody(from).boxes.some((o) => o.id === b.id && o.checked),
  );
  if (ticked.length === 0 && added.length === 0)
    return { decision: "ignore", reason: "no approval box ticked", result: null };
  return decide(
    deps,
    {
      deliveryId,
      sender: event.sender,
      role: null,
      issue: event.issue.number,
      issueBody: event.issue.number,
    },
    {
      decision: "refuse",
      reason:
        "approvals in the issue body are never accepted; tick the box in Steward's proposal comment instead",
    },
  );
}
