import { randomBytes } from "node:crypto";
import { InvalidInputError } from "../errors.ts";
import type { Db } from "../store/types.ts";
import { writeAudit } from "./audit.ts";
import {
  type Command,
  classifyRisk,
  canonicalJson,
  commandHash,
  commandSchema,
  DEFAULT_POLICY,
  type Risk,
  type RiskPolicy,
} from "./commands.ts";
import type { AgentGateway, Clock } from "./ports.ts";
import { renderProposal } from "./render.ts";
import type { Run } from "./runs.ts";

export type ProposalStatus =
  | "pending"
  | "approved"
  | "executing"
  | "executed"
  | "failed"
  | "denied"
  | "expired"
  | "superseded"
  | "invalidated";

export interface Proposal {
  id: string;
  runId: number;
  repo: string;
  ticketNumber: number;
  commentId: number | null;
  command: Command;
  sha256: string;
  risk: Risk;
  headSha: string | null;
  requestedBy: string;
  expiresAt: number;
  status: ProposalStatus;
  approvedBy: string | null;
  approvedRole: string | null;
  decidedDeliveryId: string | null;
  decidedAt: number | null;
  createdAt: number;
  result: unknown;
}

type Row = Record<string, unknown>;

export function rowToProposal(r: Row): Proposal {
  return {
    id: String(r.id),
    runId: Number(r.run_id),
    repo: String(r.repo),
    ticketNumber: Number(r.ticket_number),
    commentId: r.comment_id === null ? null : Number(r.comment_id),
    // Re-validated on read: a row edited behind our back cannot smuggle in a new command shape.
    command: commandSchema.parse(JSON.parse(String(r.command))),
    sha256: String(r.sha256),
    risk: r.risk as Risk,
    headSha: (r.head_sha as string | null) ?? null,
    requestedBy: String(r.requested_by),
    expiresAt: Number(r.expires_at),
    status: r.status as ProposalStatus,
    approvedBy: (r.approved_by as string | null) ?? null,
    approvedRole: (r.approved_role as string | null) ?? null,
    decidedDeliveryId: (r.decided_delivery_id as string | null) ?? null,
    decidedAt: r.decided_at === null ? null : Number(r.decided_at),
    createdAt: Number(r.created_at),
    result: r.result === null || r.result === undefined ? null : JSON.parse(String(r.result)),
  };
}

export function newProposalId(): string {
  const alphabet = "abcdefghijkmnpqrstuvwxyz23456789";
  return [...randomBytes(10)].map((b) => alphabet[b % 32]).join("");
}

export async function getProposal(db: Db, id: string): Promise<Proposal | undefined> {
  const r = await db.one<Row>("SELECT * FROM proposals WHERE id = $1", [id]);
  return r ? rowToProposal(r) : undefined;
}

export async function listProposals(db: Db, runId: number): Promise<Proposal[]> {
  return (
    await db.query<Row>("SELECT * FROM proposals WHERE run_id = $1 ORDER BY created_at, id", [runId])
  ).map(rowToProposal);
}

/**
 * Stores the commands a run proposes and posts one comment per proposal. Auto-risk (read-only)
 * commands are approved at once and never need a comment. Risk comes only from the policy.
 */
export async function createProposals(
  deps: { db: Db; gateway: AgentGateway; policy?: RiskPolicy; now?: Clock },
  run: Run,
  commands: Command[],
): Promise<Proposal[]> {
  const policy = deps.policy ?? DEFAULT_POLICY;
  const now = (deps.now ?? Date.now)();
  const out: Proposal[] = [];
  for (const command of commands) {
    if (command.type === "deploy" && !policy.deployCommands[command.environment])
      throw new InvalidInputError(`deploy: environment '${command.environment}' is not configured`);
    const risk = classifyRisk(command, policy);
    const id = newProposalId();
    const sha256 = commandHash(command);
    const status: ProposalStatus = risk === "auto" ? "approved" : "pending";
    const row = await deps.db.one<Row>(
      `INSERT INTO proposals (id, run_id, repo, ticket_number, comment_id, command, sha256, risk, head_sha, requested_by,
         expires_at, status, approved_by, approved_role, decided_at, created_at)
       VALUES ($1, $2, $3, $4, NULL, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING *`,
      [
        id,
        run.id,
        run.repo,
        run.ticketNumber,
        canonicalJson(command),
        sha256,
        risk,
        run.headSha,
        run.requestedBy,
        now + policy.ttlMs,
        status,
        risk === "auto" ? "policy" : null,
        risk === "auto" ? "auto" : null,
        risk === "auto" ? now : null,
        now,
      ],
    );
    let p = rowToProposal(row!);
    if (risk === "auto") {
      await writeAudit(deps.db, {
        repo: run.repo,
        proposalId: id,
        sha256,
        decision: "approve",
        reason: "read-only command allowed by policy",
        at: now,
      });
    } else {
      const { id: commentId } = await deps.gateway.upsertComment({
        issueNumber: run.ticketNumber,
        kind: "proposal",
        key: id,
        body: renderProposal({ ...p, runId: run.id }),
      });
      await deps.db.exec("UPDATE proposals SET comment_id = $1 WHERE id = $2", [commentId, id]);
      p = { ...p, commentId };
    }
    out.push(p);
  }
  return out;
}

/** Compare-and-set of a proposal's status; true when this caller made the transition. */
export async function casStatus(
  db: Db,
  id: string,
  from: ProposalStatus[],
  to: ProposalStatus,
  fields: { approvedBy?: string; approvedRole?: string; deliveryId?: string; result?: unknown; at: number },
): Promise<boolean> {
  const placeholders = from.map((_, i) => `$${i + 7}`).join(", ");
  const n = await db.exec(
    `UPDATE proposals SET status = $1, approved_by = COALESCE($2, approved_by), approved_role = COALESCE($3, approved_role),
       decided_delivery_id = COALESCE($4, decided_delivery_id), result = COALESCE($5, result), decided_at = $6
     WHERE id = $${from.length + 7} AND status IN (${placeholders})`,
    [
      to,
      fields.approvedBy ?? null,
      fields.approvedRole ?? null,
      fields.deliveryId ?? null,
      fields.result === undefined ? null : JSON.stringify(fields.result),
      fields.at,
      ...from,
      id,
    ],
  );
  return n === 1;
}

/** Hands a run its approved worker-side commands exactly once (approved → executing). */
export async function takeApproved(
  db: Db,
  runId: number,
  policy: RiskPolicy = DEFAULT_POLICY,
  now: Clock = Date.now,
) {
  const rows = await db.query<Row>(
    "SELECT * FROM proposals WHERE run_id = $1 AND status = 'approved' ORDER BY created_at, id",
    [runId],
  );
  const out: Array<{ proposalId: string; sha256: string; command: Command; argv: string[] | null }> = [];
  for (const r of rows.map(rowToProposal)) {
    if (!(await casStatus(db, r.id, ["approved"], "executing", { at: now() }))) continue;
    const argv =
      r.command.type === "shell"
        ? r.command.argv
        : r.command.type === "deploy"
          ? (policy.deployCommands[r.command.environment] ?? null)
          : null;
    out.push({ proposalId: r.id, sha256: r.sha256, command: r.command, argv });
  }
  return out;
}
