import type { Logger } from "../logger.ts";
import type { Db } from "../store/types.ts";
import { writeAudit } from "./audit.ts";
import type { AgentGateway, Clock } from "./ports.ts";
import { casStatus, type Proposal, rowToProposal } from "./proposals.ts";
import { renderRetiredProposal } from "./render.ts";
import { refusalKey, refusalReply } from "./replies.ts";
import { updateRunStatus } from "./status.ts";

// Retires every open proposal of a ticket when the ticket itself stops being a place to approve
// things (closed, locked). Each proposal is retired by compare-and-set, so a racing approval either
// finished first or finds the proposal invalidated; a retried job repeats nothing.

export async function invalidateTicketProposals(
  deps: { db: Db; gateway: AgentGateway; now?: Clock },
  target: {
    repo: string;
    ticket: number;
    reason: string;
    deliveryId: string;
    sender?: { login: string; id: number } | null;
  },
): Promise<Proposal[]> {
  // Also the ones this delivery already retired: a retry after a failed comment edit redoes the edits.
  const rows = await deps.db.query<Record<string, unknown>>(
    `SELECT * FROM proposals WHERE repo = $1 AND ticket_number = $2
       AND (status IN ('pending', 'approving', 'approved') OR (status = 'invalidated' AND decided_delivery_id = $3))
     ORDER BY created_at, id`,
    [target.repo, target.ticket, target.deliveryId],
  );
  const retired: Proposal[] = [];
  for (const p of rows.map(rowToProposal)) {
    const at = (deps.now ?? Date.now)();
    if (p.status === "invalidated") {
      retired.push(p);
      continue;
    }
    const fields = { deliveryId: target.deliveryId, at };
    if (!(await casStatus(deps.db, p.id, [p.status], "invalidated", fields))) continue;
    await writeAudit(deps.db, {
      at,
      deliveryId: target.deliveryId,
      repo: p.repo,
      proposalId: p.id,
      sha256: p.sha256,
      senderLogin: target.sender?.login ?? null,
      senderId: target.sender?.id ?? null,
      decision: "refuse",
      reason: target.reason,
      result: "invalidated",
    });
    retired.push({ ...p, status: "invalidated" });
  }
  // Comment edits after every state change, so a failed edit (retried) never leaves a proposal open.
  for (const p of retired) {
    if (p.commentId !== null)
      await deps.gateway.upsertComment({
        issueNumber: p.ticketNumber,
        kind: "proposal",
        key: p.id,
        body: renderRetiredProposal(p, "invalidated", target.reason),
      });
  }
  for (const runId of new Set(retired.map((p) => p.runId)))
    await updateRunStatus(deps.db, deps.gateway, runId);
  return retired;
}

/**
 * A worker-side command refused at hand-out (the final checks failed again, e.g. the box was unticked,
 * the comment hidden or the approver's access removed after approving): the proposal comment loses its
 * box and says why, the approver gets one reply (rate-limited, edited in place), the run status updates.
 */
export async function announceHandOutRefusal(
  deps: { db: Db; gateway: AgentGateway; now?: Clock; log?: Logger },
  p: Proposal,
  reason: string,
): Promise<void> {
  if (p.commentId !== null)
    await deps.gateway.upsertComment({
      issueNumber: p.ticketNumber,
      kind: "proposal",
      key: p.id,
      body: renderRetiredProposal(p, "invalidated", reason),
    });
  const who = p.approvedBy ?? "unknown";
  await refusalReply(
    { db: deps.db, gateway: deps.gateway, repo: p.repo, now: deps.now, log: deps.log },
    {
      issue: p.ticketNumber,
      key: refusalKey({ commentId: p.commentId }) ?? `refusal:${p.id}`,
      sender: who,
      text: `⛔ Steward did not release proposal \`${p.id}\` (approved by @${who}) to its worker: ${reason}. Nothing was executed.`,
    },
  );
  await updateRunStatus(deps.db, deps.gateway, p.runId);
}

/**
 * A PR's head moved (`pull_request.synchronize`): every open proposal bound to an older head of that PR
 * — on its own ticket or on another ticket that proposed acting on it — can never pass its final checks
 * again, so it is retired now, visibly, instead of waiting for someone to tick a stale box.
 */
export async function retireStaleHeads(
  deps: { db: Db; gateway: AgentGateway; now?: Clock },
  target: {
    repo: string;
    pr: number;
    head: string;
    deliveryId: string;
    sender?: { login: string; id: number } | null;
  },
): Promise<Proposal[]> {
  const rows = await deps.db.query<Record<string, unknown>>(
    `SELECT * FROM proposals WHERE repo = $1 AND COALESCE(target_number, ticket_number) = $2
       AND head_sha IS NOT NULL AND head_sha <> $3 AND status IN ('pending', 'approving', 'approved')
     ORDER BY created_at, id`,
    [target.repo, target.pr, target.head],
  );
  const retired: Proposal[] = [];
  for (const p of rows.map(rowToProposal)) {
    const at = (deps.now ?? Date.now)();
    if (!(await casStatus(deps.db, p.id, [p.status], "invalidated", { deliveryId: target.deliveryId, at })))
      continue;
    const reason = `the head of #${target.pr} moved from ${p.headSha!.slice(0, 12)} to ${target.head.slice(0, 12)}${target.sender?.login ? ` (pushed by @${target.sender.login})` : ""}`;
    await writeAudit(deps.db, {
      at,
      deliveryId: target.deliveryId,
      repo: p.repo,
      proposalId: p.id,
      sha256: p.sha256,
      senderLogin: target.sender?.login ?? null,
      senderId: target.sender?.id ?? null,
      decision: "refuse",
      reason,
      result: "invalidated",
    });
    if (p.commentId !== null)
      await deps.gateway.upsertComment({
        issueNumber: p.ticketNumber,
        kind: "proposal",
        key: p.id,
        body: renderRetiredProposal(p, "invalidated", reason),
      });
    retired.push({ ...p, status: "invalidated" });
  }
  for (const runId of new Set(retired.map((p) => p.runId)))
    await updateRunStatus(deps.db, deps.gateway, runId);
  return retired;
}
