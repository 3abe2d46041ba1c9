import { createHash, randomBytes } from "node:crypto";
import type { Db } from "../store/types.ts";
import type { Clock } from "./ports.ts";
import { mergeRequesters } from "./requesters.ts";
import { waitForWork, wakeClaimers } from "./wake.ts";

// multica's queue model: at most one queued run per ticket (a partial unique index), comments
// arriving while it is queued fold into it, and comments arriving during an active run go into ONE
// follow-up run that is held back until the active run ends. Every step is a compare-and-set, so
// concurrent webhooks and claimers on Postgres or SQLite never lose or double-process a comment.

export type RunState = "queued" | "claimed" | "running" | "completed" | "failed" | "cancelled";

export interface Run {
  id: number;
  repo: string;
  installationId: number | null;
  ticketNumber: number;
  state: RunState;
  instructions: string;
  requestedBy: string;
  /** Every user whose instructions are in the run: the requester and everyone folded in since. */
  requesters: string[];
  triggerCommentId: number | null;
  coalescedCommentIds: number[];
  deliveredCommentIds: number[];
  context: Record<string, unknown>;
  branch: string | null;
  headSha: string | null;
  statusCommentId: number | null;
  workerId: string | null;
  leaseUntil: number | null;
  followUpPending: boolean;
  attempts: number;
  createdAt: number;
  updatedAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  result: unknown;
}

type Row = Record<string, unknown>;
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function parseList(v: unknown): string[] {
  try {
    const list = JSON.parse(String(v ?? "[]"));
    return Array.isArray(list) ? list.filter((x): x is string => typeof x === "string") : [];
  } catch {
    return [];
  }
}

export function rowToRun(r: Row): Run {
  return {
    id: Number(r.id),
    repo: String(r.repo),
    installationId: num(r.installation_id),
    ticketNumber: Number(r.ticket_number),
    state: r.state as RunState,
    instructions: String(r.instructions),
    requestedBy: String(r.requested_by),
    requesters: mergeRequesters([String(r.requested_by)], parseList(r.requesters)),
    triggerCommentId: num(r.trigger_comment_id),
    coalescedCommentIds: JSON.parse(String(r.coalesced_comment_ids)),
    deliveredCommentIds: JSON.parse(String(r.delivered_comment_ids)),
    context: JSON.parse(String(r.context)),
    branch: (r.branch as string | null) ?? null,
    headSha: (r.head_sha as string | null) ?? null,
    statusCommentId: num(r.status_comment_id),
    workerId: (r.worker_id as string | null) ?? null,
    leaseUntil: num(r.lease_until),
    followUpPending: Number(r.follow_up_pending) === 1,
    attempts: Number(r.attempts),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    startedAt: num(r.started_at),
    finishedAt: num(r.finished_at),
    result: r.result === null || r.result === undefined ? null : JSON.parse(String(r.result)),
  };
}

export interface DispatchInput {
  repo: string;
  installationId?: number | null;
  ticket: number;
  instructions: string;
  requestedBy: string;
  /** The comment that carried the command; null for label triggers. Redelivery of it is a no-op. */
  commentId: number | null;
  context?: Record<string, unknown>;
  branch?: string | null;
  headSha?: string | null;
}

export type DispatchAction = "created" | "folded" | "follow_up" | "duplicate";

const ACTIVE = "('claimed','running')";

export async function getRun(db: Db, id: number): Promise<Run | undefined> {
  const r = await db.one<Row>("SELECT * FROM runs WHERE id = $1", [id]);
  return r ? rowToRun(r) : undefined;
}

export async function listRuns(db: Db, repo: string, ticket: number): Promise<Run[]> {
  const rows = await db.query<Row>("SELECT * FROM runs WHERE repo = $1 AND ticket_number = $2 ORDER BY id", [
    repo,
    ticket,
  ]);
  return rows.map(rowToRun);
}

export async function dispatch(
  db: Db,
  input: DispatchInput,
  opts: { now?: Clock } = {},
): Promise<{ action: DispatchAction; run: Run }> {
  const now = opts.now ?? Date.now;
  for (let attempt = 0; attempt < 8; attempt++) {
    const out = await db.tx((tx) => dispatchOnce(tx, input, now()));
    if (out) {
      if (out.action !== "duplicate") wakeClaimers();
      return out;
    }
  }
  throw new Error("dispatch: could not settle the ticket's queued run after 8 attempts");
}

/** Postgres: serialise dispatches per ticket; SQLite transactions are already serialised. */
async function lockTicket(tx: Db, repo: string, ticket: number): Promise<void> {
  if (tx.dialect !== "postgres") return;
  const key = createHash("sha256").update(`${repo}#${ticket}`).digest().readBigInt64BE(0);
  await tx.query("SELECT pg_advisory_xact_lock($1::bigint)", [key.toString()]);
}

async function dispatchOnce(
  tx: Db,
  input: DispatchInput,
  t: number,
): Promise<{ action: DispatchAction; run: Run } | null> {
  await lockTicket(tx, input.repo, input.ticket);
  const runs = await listRuns(tx, input.repo, input.ticket);
  if (input.commentId !== null) {
    const seen = runs.find(
      (r) => r.state !== "cancelled" && r.coalescedCommentIds.includes(input.commentId!),
    );
    if (seen) return { action: "duplicate", run: seen };
  }
  const queued = runs.find((r) => r.state === "queued");
  const active = runs.find((r) => r.state === "claimed" || r.state === "running");
  if (queued) {
    const ids =
      input.commentId === null
        ? queued.coalescedCommentIds
        : [...queued.coalescedCommentIds, input.commentId];
    // `state = 'queued'` loses to a claimer that got there first; the caller then looks again.
    // The folded comment's author becomes a requester too (separate_approver counts them all).
    const row = await tx.one<Row>(
      `UPDATE runs SET coalesced_comment_ids = $1, instructions = $2, trigger_comment_id = COALESCE($3, trigger_comment_id),
         updated_at = $4, requesters = $7
       WHERE id = $5 AND state = 'queued' AND coalesced_comment_ids = $6 RETURNING *`,
      [
        JSON.stringify(ids),
        `${queued.instructions}\n\n${input.instructions}`,
        input.commentId,
        t,
        queued.id,
        JSON.stringify(queued.coalescedCommentIds),
        JSON.stringify(mergeRequesters(queued.requesters, [input.requestedBy])),
      ],
    );
    if (!row) return null;
    if (active) await markFollowUp(tx, active.id, t);
    return { action: active ? "follow_up" : "folded", run: rowToRun(row) };
  }
  const row = await tx.one<Row>(
    `INSERT INTO runs (repo, installation_id, ticket_number, state, instructions, requested_by, trigger_comment_id,
       coalesced_comment_ids, delivered_comment_ids, context, branch, head_sha, follow_up_pending, attempts,
       created_at, updated_at, requesters)
     VALUES ($1, $2, $3, 'queued', $4, $5, $6, $7, '[]', $8, $9, $10, 0, 0, $11, $11, $12)
     ON CONFLICT DO NOTHING RETURNING *`,
    [
      input.repo,
      input.installationId ?? null,
      input.ticket,
      input.instructions,
      input.requestedBy,
      input.commentId,
      JSON.stringify(input.commentId === null ? [] : [input.commentId]),
      JSON.stringify(input.context ?? {}),
      input.branch ?? null,
      input.headSha ?? null,
      t,
      JSON.stringify(mergeRequesters([input.requestedBy])),
    ],
  );
  if (!row) return null;
  if (active) await markFollowUp(tx, active.id, t);
  return { action: active ? "follow_up" : "created", run: rowToRun(row) };
}

async function markFollowUp(db: Db, runId: number, t: number): Promise<void> {
  await db.exec(
    `UPDATE runs SET follow_up_pending = 1, updated_at = $1 WHERE id = $2 AND state IN ${ACTIVE}`,
    [t, runId],
  );
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

export interface ClaimOptions {
  /** Long-poll: keep trying this long before returning null. */
  waitMs?: number;
  leaseMs?: number;
  /** DB re-poll interval while waiting (in-process dispatches wake the claimer sooner). */
  pollMs?: number;
  now?: Clock;
  signal?: AbortSignal;
}

export const DEFAULT_LEASE_MS = 60_000;

/** Claims the oldest runnable run; the plaintext token is returned once and only its sha256 is stored. */
export async function claim(
  db: Db,
  workerId: string,
  opts: ClaimOptions = {},
): Promise<{ run: Run; token: string } | null> {
  const now = opts.now ?? Date.now;
  const deadline = Date.now() + (opts.waitMs ?? 0);
  for (;;) {
    const got = await claimOnce(db, workerId, opts.leaseMs ?? DEFAULT_LEASE_MS, now());
    if (got) return got;
    const left = deadline - Date.now();
    if (left <= 0 || opts.signal?.aborted) return null;
    await waitForWork(Math.min(left, opts.pollMs ?? 200), opts.signal);
  }
}

async function claimOnce(db: Db, workerId: string, leaseMs: number, t: number) {
  const token = randomBytes(32).toString("base64url");
  const lock = db.dialect === "postgres" ? "FOR UPDATE OF r SKIP LOCKED" : "";
  const row = await db.one<Row>(
    `UPDATE runs SET state = 'claimed', worker_id = $1, token_hash = $2, lease_until = $3,
       started_at = COALESCE(started_at, $4), updated_at = $4, delivered_comment_ids = coalesced_comment_ids,
       attempts = attempts + 1
     WHERE id = (
       SELECT r.id FROM runs r
       WHERE r.state = 'queued' AND NOT EXISTS (
         SELECT 1 FROM runs a WHERE a.repo = r.repo AND a.ticket_number = r.ticket_number AND a.state IN ${ACTIVE})
       ORDER BY r.created_at, r.id LIMIT 1 ${lock}
     ) AND state = 'queued'
     RETURNING *`,
    [workerId, hashToken(token), t + leaseMs, t],
  );
  if (!row) return null;
  const run = rowToRun(row);
  // A new run supersedes the pending proposals of the ticket's earlier runs.
  await db.exec(
    `UPDATE proposals SET status = 'superseded', decided_at = $1
     WHERE repo = $2 AND ticket_number = $3 AND run_id < $4 AND status IN ('pending', 'approving', 'approved')`,
    [t, run.repo, run.ticketNumber, run.id],
  );
  return { run, token };
}

/** The active run a token belongs to, or undefined (wrong run, revoked, or finished). */
export async function authenticateRun(db: Db, runId: number, token: string): Promise<Run | undefined> {
  const r = await db.one<Row>(`SELECT * FROM runs WHERE id = $1 AND token_hash = $2 AND state IN ${ACTIVE}`, [
    runId,
    hashToken(token),
  ]);
  return r ? rowToRun(r) : undefined;
}

export async function heartbeat(
  db: Db,
  runId: number,
  opts: { leaseMs?: number; now?: Clock } = {},
): Promise<number | null> {
  const until = (opts.now ?? Date.now)() + (opts.leaseMs ?? DEFAULT_LEASE_MS);
  const n = await db.exec(
    `UPDATE runs SET lease_until = $1, updated_at = $2 WHERE id = $3 AND state IN ${ACTIVE}`,
    [until, until - (opts.leaseMs ?? DEFAULT_LEASE_MS), runId],
  );
  return n === 1 ? until : null;
}

export async function markRunning(db: Db, runId: number, now: Clock = Date.now): Promise<void> {
  await db.exec("UPDATE runs SET state = 'running', updated_at = $1 WHERE id = $2 AND state = 'claimed'", [
    now(),
    runId,
  ]);
}

export async function setStatusComment(db: Db, runId: number, commentId: number): Promise<void> {
  await db.exec("UPDATE runs SET status_comment_id = $1 WHERE id = $2", [commentId, runId]);
}

/**
 * Finishes an active run and revokes its token. If comments arrived meanwhile, the held-back
 * follow-up keeps exactly the comments this run was not given; it is cancelled if none remain.
 */
export async function finishRun(
  db: Db,
  runId: number,
  outcome: { state: "completed" | "failed" | "cancelled"; result: unknown },
  now: Clock = Date.now,
): Promise<{ run: Run; followUp: Run | null } | null> {
  const t = now();
  const row = await db.one<Row>(
    `UPDATE runs SET state = $1, result = $2, token_hash = NULL, lease_until = NULL, finished_at = $3, updated_at = $3,
       follow_up_pending = 0
     WHERE id = $4 AND state IN ${ACTIVE} RETURNING *`,
    [outcome.state, JSON.stringify(outcome.result ?? null), t, runId],
  );
  if (!row) return null;
  const run = rowToRun(row);
  const followUp = await reconcileFollowUp(db, run, t);
  wakeClaimers();
  return { run, followUp };
}

async function reconcileFollowUp(db: Db, done: Run, t: number): Promise<Run | null> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const r = await db.one<Row>(
      "SELECT * FROM runs WHERE repo = $1 AND ticket_number = $2 AND state = 'queued'",
      [done.repo, done.ticketNumber],
    );
    if (!r) return null;
    const f = rowToRun(r);
    const keep = f.coalescedCommentIds.filter((id) => !done.deliveredCommentIds.includes(id));
    if (keep.length === f.coalescedCommentIds.length) return f;
    const sql =
      keep.length === 0
        ? "UPDATE runs SET state = 'cancelled', finished_at = $2, updated_at = $2, coalesced_comment_ids = $1 WHERE id = $3 AND state = 'queued' AND coalesced_comment_ids = $4 RETURNING *"
        : "UPDATE runs SET coalesced_comment_ids = $1, updated_at = $2 WHERE id = $3 AND state = 'queued' AND coalesced_comment_ids = $4 RETURNING *";
    const u = await db.one<Row>(sql, [JSON.stringify(keep), t, f.id, JSON.stringify(f.coalescedCommentIds)]);
    if (u) return keep.length === 0 ? null : rowToRun(u);
  }
  return null;
}

/**
 * Requeues runs whose worker stopped heartbeating. A held-back follow-up folds into the requeued run
 * (one queued run per ticket), and a run that keeps losing workers fails after `maxAttempts`.
 */
export async function requeueExpired(
  db: Db,
  opts: { now?: Clock; maxAttempts?: number } = {},
): Promise<number> {
  const t = (opts.now ?? Date.now)();
  const max = opts.maxAttempts ?? 3;
  const expired = (
    await db.query<Row>(`SELECT * FROM runs WHERE state IN ${ACTIVE} AND lease_until < $1`, [t])
  ).map(rowToRun);
  let n = 0;
  for (const run of expired) {
    const changed = await db
      .tx(async (tx) => {
        if (run.attempts >= max) {
          return (
            (await tx.exec(
              `UPDATE runs SET state = 'failed', token_hash = NULL, lease_until = NULL, finished_at = $1, updated_at = $1,
               result = $2 WHERE id = $3 AND state IN ${ACTIVE} AND lease_until < $1`,
              [t, JSON.stringify({ error: "lease expired", attempts: run.attempts }), run.id],
            )) === 1
          );
        }
        const f = await tx.one<Row>(
          "SELECT * FROM runs WHERE repo = $1 AND ticket_number = $2 AND state = 'queued'",
          [run.repo, run.ticketNumber],
        );
        let ids = run.coalescedCommentIds;
        let instructions = run.instructions;
        let requesters = run.requesters;
        if (f) {
          const fu = rowToRun(f);
          const cancelled = await tx.exec(
            "UPDATE runs SET state = 'cancelled', finished_at = $1, updated_at = $1 WHERE id = $2 AND state = 'queued'",
            [t, fu.id],
          );
          if (cancelled !== 1) throw new Error("requeue: follow-up changed concurrently");
          ids = [...ids, ...fu.coalescedCommentIds.filter((c) => !ids.includes(c))];
          instructions = `${instructions}\n\n${fu.instructions}`;
          requesters = mergeRequesters(requesters, fu.requesters);
        }
        const requeued = await tx.exec(
          `UPDATE runs SET state = 'queued', worker_id = NULL, token_hash = NULL, lease_until = NULL, updated_at = $1,
             coalesced_comment_ids = $2, instructions = $3, follow_up_pending = 0, delivered_comment_ids = '[]',
             requesters = $5
           WHERE id = $4 AND state IN ${ACTIVE} AND lease_until < $1`,
          [t, JSON.stringify(ids), instructions, run.id, JSON.stringify(requesters)],
        );
        // Roll back the follow-up's cancellation too, or its comments would be lost.
        if (requeued !== 1) throw new Error("requeue: run finished concurrently");
        return true;
      })
      .catch(() => false);
    if (changed) n++;
  }
  if (n > 0) wakeClaimers();
  return n;
}
