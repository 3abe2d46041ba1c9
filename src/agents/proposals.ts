import { randomBytes } from "node:crypto";
import { InvalidInputError, StewardError } from "../errors.ts";
import type { Db } from "../store/types.ts";
import { writeAudit } from "./audit.ts";
import {
  type Command,
  classifyRisk,
  canonicalJson,
  commandSchema,
  DEFAULT_POLICY,
  displayCommand,
  type Risk,
  type RiskPolicy,
} from "./commands.ts";
import { finalChecks, type GateDeps, ticketProblem } from "./gate.ts";
import { pinFor, proposalHash } from "./pin.ts";
import type { AgentGateway, Clock } from "./ports.ts";
import { renderProposal } from "./render.ts";
import { mergeRequesters, runRequesters } from "./requesters.ts";
import type { Run } from "./runs.ts";

export type ProposalStatus =
  | "pending"
  /** Won by one approval; its final live checks are running. Never handed out; a refusal retires it. */
  | "approving"
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
  /** The head SHA of the PR the command acts on (targetNumber), read when it was proposed. */
  headSha: string | null;
  /** The PR whose head is pinned: the command's own PR (merge, label, close, push) or the ticket. */
  targetNumber: number | null;
  requestedBy: string;
  /** Everyone whose instructions were in the run when this was proposed (separate_approver). */
  requesters: string[];
  expiresAt: number;
  status: ProposalStatus;
  approvedBy: string | null;
  approvedRole: string | null;
  approvedVia: "checkbox" | "command" | "policy" | null;
  /** `deploy`: the configured argv the approver was shown (and the only one that may run). */
  resolvedArgv: string[] | null;
  decidedDeliveryId: string | null;
  decidedAt: number | null;
  createdAt: number;
  result: unknown;
}

type Row = Record<string, unknown>;

function parseList(v: unknown): string[] {
  try {
    const list = JSON.parse(String(v ?? "[]"));
    return Array.isArray(list) ? list.filter((x): x is string => typeof x === "string") : [];
  } catch {
    return [];
  }
}

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
    targetNumber: r.target_number === null || r.target_number === undefined ? null : Number(r.target_number),
    requestedBy: String(r.requested_by),
    requesters: mergeRequesters([String(r.requested_by)], parseList(r.requesters)),
    expiresAt: Number(r.expires_at),
    status: r.status as ProposalStatus,
    approvedBy: (r.approved_by as string | null) ?? null,
    approvedRole: (r.approved_role as string | null) ?? null,
    approvedVia: (r.approved_via as Proposal["approvedVia"]) ?? null,
    resolvedArgv:
      r.resolved_argv === null || r.resolved_argv === undefined ? null : parseList(r.resolved_argv),
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

/** Characters of the displayed command block a proposal may have (hidden characters count escaped). */
export const MAX_DISPLAYED_COMMAND = 50_000;

/** A proposal the ticket's live state does not allow (closed, locked, gone): nothing was stored. */
export class ProposalRefusedError extends StewardError {}

/** The argv configured for a deploy environment; own keys only (`constructor` is not an environment). */
export function deployArgv(policy: RiskPolicy, environment: string): string[] | null {
  return Object.hasOwn(policy.deployCommands, environment)
    ? (policy.deployCommands[environment] ?? null)
    : null;
}

/**
 * Stores the commands a run proposes and posts one comment per proposal. Auto-risk (read-only)
 * commands are approved at once and never need a comment. Risk comes only from the policy. The
 * ticket's live state is checked first: a closed, locked or vanished ticket gets no new proposals.
 */
export async function createProposals(
  deps: { db: Db; gateway: AgentGateway; policy?: RiskPolicy; now?: Clock },
  run: Run,
  commands: Command[],
): Promise<Proposal[]> {
  const policy = deps.policy ?? DEFAULT_POLICY;
  for (const command of commands) {
    if (command.type === "deploy" && !deployArgv(policy, command.environment))
      throw new InvalidInputError(`deploy: environment '${command.environment}' is not configured`);
    // The approver must be able to read the whole command in one comment (GitHub's body limit is
    // 65,536 characters; a split or truncated proposal could never pass its integrity check).
    const shown = displayCommand(command).length;
    if (shown > MAX_DISPLAYED_COMMAND)
      throw new InvalidInputError(
        `${command.type}: the command is too large to show for approval (${shown} characters as displayed; at most ${MAX_DISPLAYED_COMMAND})`,
      );
  }
  const closed = await ticketProblem(deps.gateway, run.ticketNumber);
  if (closed) {
    await writeAudit(deps.db, {
      at: (deps.now ?? Date.now)(),
      repo: run.repo,
      decision: "refuse",
      reason: `run #${run.id} proposed ${commands.length} command(s) but ${closed}; nothing was proposed`,
      result: "not proposed",
    });
    throw new ProposalRefusedError(`${closed}: no new proposals are accepted on it`);
  }
  const requesters = runRequesters(run);
  const out: Proposal[] = [];
  for (const command of commands) {
    const now = (deps.now ?? Date.now)();
    const risk = classifyRisk(command, policy);
    const id = newProposalId();
    const pin = await pinFor(deps.gateway, command, { number: run.ticketNumber, branch: run.branch });
    const argv = command.type === "deploy" ? deployArgv(policy, command.environment) : null;
    const sha256 = proposalHash(command, pin, argv);
    const status: ProposalStatus = risk === "auto" ? "approved" : "pending";
    const row = await deps.db.one<Row>(
      `INSERT INTO proposals (id, run_id, repo, ticket_number, comment_id, command, sha256, risk, head_sha, requested_by,
         expires_at, status, approved_by, approved_role, decided_at, created_at, target_number, requesters, approved_via,
         resolved_argv)
       VALUES ($1, $2, $3, $4, NULL, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) RETURNING *`,
      [
        id,
        run.id,
        run.repo,
        run.ticketNumber,
        canonicalJson(command),
        sha256,
        risk,
        pin?.sha ?? null,
        run.requestedBy,
        now + policy.ttlMs,
        status,
        risk === "auto" ? "policy" : null,
        risk === "auto" ? "auto" : null,
        risk === "auto" ? now : null,
        now,
        pin?.number ?? null,
        JSON.stringify(requesters),
        risk === "auto" ? "policy" : null,
        argv ? JSON.stringify(argv) : null,
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

/** An approval whose final checks could not be completed gives the proposal back, as if never approved. */
export async function releaseApproving(db: Db, id: string): Promise<boolean> {
  const n = await db.exec(
    `UPDATE proposals SET status = 'pending', approved_by = NULL, approved_role = NULL, approved_via = NULL,
       decided_delivery_id = NULL, decided_at = NULL
     WHERE id = $1 AND status = 'approving'`,
    [id],
  );
  return n === 1;
}

/**
 * Approvals stranded in `approving` by a crash mid-check go back to pending after `staleMs`, so the
 * proposal can be approved again. Nothing in `approving` was ever handed out or executed.
 */
export async function releaseStaleApprovals(db: Db, now: number, staleMs = 10 * 60_000): Promise<number> {
  return db.exec(
    `UPDATE proposals SET status = 'pending', approved_by = NULL, approved_role = NULL, approved_via = NULL,
       decided_delivery_id = NULL, decided_at = NULL
     WHERE status = 'approving' AND decided_at < $1`,
    [now - staleMs],
  );
}

/** Compare-and-set of a proposal's status; true when this caller made the transition. */
export async function casStatus(
  db: Db,
  id: string,
  from: ProposalStatus[],
  to: ProposalStatus,
  fields: {
    approvedBy?: string;
    approvedRole?: string;
    approvedVia?: "checkbox" | "command";
    deliveryId?: string;
    result?: unknown;
    at: number;
  },
): Promise<boolean> {
  const placeholders = from.map((_, i) => `$${i + 8}`).join(", ");
  const n = await db.exec(
    `UPDATE proposals SET status = $1, approved_by = COALESCE($2, approved_by), approved_role = COALESCE($3, approved_role),
       decided_delivery_id = COALESCE($4, decided_delivery_id), result = COALESCE($5, result), decided_at = $6,
       approved_via = COALESCE($7, approved_via)
     WHERE id = $${from.length + 8} AND status IN (${placeholders})`,
    [
      to,
      fields.approvedBy ?? null,
      fields.approvedRole ?? null,
      fields.deliveryId ?? null,
      fields.result === undefined ? null : JSON.stringify(fields.result),
      fields.at,
      fields.approvedVia ?? null,
      ...from,
      id,
    ],
  );
  return n === 1;
}

export interface HandedOut {
  proposalId: string;
  sha256: string;
  command: Command;
  argv: string[] | null;
  /** For `push` to a PR's branch: the head it was approved against (push with a lease on it). */
  expectedHeadSha?: string;
}

/**
 * Hands a run its approved worker-side commands exactly once (approved → executing), each only after
 * the final checks pass again, live, at this moment (gate.ts). A failed check retires the proposal and
 * audits why; a check GitHub cannot answer leaves it approved for the next poll.
 */
export async function takeApproved(
  deps: GateDeps & {
    db: Db;
    onRefused?: (p: Proposal, reason: string, role: string | null) => Promise<void>;
  },
  runId: number,
): Promise<HandedOut[]> {
  const now = deps.now ?? Date.now;
  const rows = await deps.db.query<Row>(
    "SELECT * FROM proposals WHERE run_id = $1 AND status = 'approved' ORDER BY created_at, id",
    [runId],
  );
  const out: HandedOut[] = [];
  for (const p of rows.map(rowToProposal)) {
    const approver = { login: p.approvedBy ?? "", id: 0, type: "User" };
    let gate: Awaited<ReturnType<typeof finalChecks>>;
    try {
      gate = await finalChecks(deps, { proposal: p, approver, viaCheckbox: p.approvedVia === "checkbox" });
    } catch {
      continue; // GitHub could not answer: not now; the next poll asks again
    }
    if (gate.verdict) {
      if (
        gate.verdict.retire &&
        (await casStatus(deps.db, p.id, ["approved"], gate.verdict.retire, { at: now() }))
      ) {
        await writeAudit(deps.db, {
          at: now(),
          repo: p.repo,
          proposalId: p.id,
          sha256: p.sha256,
          senderLogin: p.approvedBy,
          role: gate.role,
          decision: "refuse",
          reason: `at hand-out: ${gate.verdict.reason}`,
          result: gate.verdict.retire,
        });
        await deps.onRefused?.(p, gate.verdict.reason, gate.role);
      }
      continue;
    }
    // Nothing that happened between the checks and here can be missed: a close, deny or supersede moved
    // the proposal out of `approved`, and then this compare-and-set fails.
    if (!(await casStatus(deps.db, p.id, ["approved"], "executing", { at: now() }))) continue;
    const argv =
      p.command.type === "shell" ? p.command.argv : p.command.type === "deploy" ? p.resolvedArgv : null;
    out.push({
      proposalId: p.id,
      sha256: p.sha256,
      command: p.command,
      argv,
      ...(p.command.type === "push" && p.headSha ? { expectedHeadSha: p.headSha } : {}),
    });
  }
  return out;
}
