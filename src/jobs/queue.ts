import { randomUUID } from "node:crypto";
import type { Db } from "../store/types.ts";
import type { EnqueueInput, Job, JobState } from "./types.ts";

export const DEFAULT_MAX_ATTEMPTS = 5;

interface JobRow {
  id: number;
  kind: string;
  dedupe_key: string | null;
  installation_id: number | null;
  repo: string | null;
  target_number: number | null;
  delivery_id: string | null;
  payload: string;
  state: JobState;
  run_at: number;
  lease_until: number | null;
  lease_owner: string | null;
  attempts: number;
  max_attempts: number;
  last_error: string | null;
  generation: number;
  created_at: number;
  updated_at: number;
  started_at: number | null;
  finished_at: number | null;
}

export function rowToJob(r: JobRow): Job {
  return {
    id: Number(r.id),
    kind: r.kind,
    dedupeKey: r.dedupe_key,
    installationId: r.installation_id === null ? null : Number(r.installation_id),
    repo: r.repo,
    targetNumber: r.target_number,
    deliveryId: r.delivery_id,
    payload: JSON.parse(r.payload),
    state: r.state,
    runAt: Number(r.run_at),
    leaseUntil: r.lease_until === null ? null : Number(r.lease_until),
    leaseOwner: r.lease_owner,
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    lastError: r.last_error,
    generation: r.generation,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    startedAt: r.started_at === null ? null : Number(r.started_at),
    finishedAt: r.finished_at === null ? null : Number(r.finished_at),
  };
}

/**
 * Adds a job, or — when a job with the same dedupe key is still queued — replaces that job's payload
 * and pushes back its run time. Twenty comments inside the debounce window therefore give one run.
 */
export async function enqueue(
  db: Db,
  input: EnqueueInput,
  now = Date.now(),
): Promise<{ id: number; coalesced: boolean }> {
  const runAt = input.runAt ?? now + (input.debounceMs ?? 0);
  const row = await db.one<{ id: number; generation: number }>(
    `INSERT INTO jobs (kind, dedupe_key, installation_id, repo, target_number, delivery_id, payload, state,
                       run_at, attempts, max_attempts, generation, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 'queued', $8, 0, $9, 0, $10, $10)
     ON CONFLICT (dedupe_key) WHERE state = 'queued'
     DO UPDATE SET payload = excluded.payload, run_at = excluded.run_at, delivery_id = excluded.delivery_id,
                   generation = jobs.generation + 1, updated_at = excluded.updated_at
     RETURNING id, generation`,
    [
      input.kind,
      input.dedupeKey ?? null,
      input.installationId ?? null,
      input.repo ?? null,
      input.targetNumber ?? null,
      input.deliveryId ?? null,
      JSON.stringify(input.payload ?? {}),
      runAt,
      input.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      now,
    ],
  );
  if (!row) throw new Error("enqueue returned no row");
  return { id: Number(row.id), coalesced: row.generation > 0 };
}

export interface ClaimOptions {
  workerId: string;
  leaseMs: number;
  /** Most running jobs per installation across all workers. */
  perInstallationLimit: number;
  /** Only these kinds (all when omitted). */
  kinds?: string[];
  /** Operator cap on attempts (STEWARD_JOB_MAX_ATTEMPTS); a job's own max_attempts can only lower it. */
  maxAttempts?: number;
}

/** SQL for "the attempts this job may make": its own max, capped by the operator's. */
function attemptCap(db: Db, param: string): string {
  return db.dialect === "postgres" ? `LEAST(j.max_attempts, ${param})` : `min(j.max_attempts, ${param})`;
}

/**
 * Claims the next runnable job with a lease: a queued job whose time has come, or a running job whose
 * lease expired (its worker died or stalled). Either way the claim counts an attempt, and a job that has
 * spent its attempts is never claimed again (see reapExhausted). A key never runs twice at once.
 *
 * Fairness: an installation at its running limit is skipped, so one that floods the queue cannot make
 * another wait behind its backlog (docs/BENCHMARKS.md, bench:load).
 *
 * On Postgres the candidate row is locked with FOR UPDATE SKIP LOCKED, so any number of workers can
 * share one database.
 */
export async function claim(db: Db, opts: ClaimOptions, now = Date.now()): Promise<Job | undefined> {
  if (opts.kinds && opts.kinds.length === 0) return undefined;
  const owner = `${opts.workerId}:${randomUUID()}`;
  const params: Array<string | number> = [
    owner,
    now + opts.leaseMs,
    now,
    opts.perInstallationLimit,
    opts.maxAttempts ?? MAX_ATTEMPTS_CAP,
  ];
  let kindFilter = "";
  if (opts.kinds?.length) {
    kindFilter = `AND j.kind IN (${opts.kinds.map((_, i) => `$${i + 6}`).join(", ")})`;
    params.push(...opts.kinds);
  }
  const lock = db.dialect === "postgres" ? "FOR UPDATE SKIP LOCKED" : "";
  const row = await db.one<JobRow>(
    `UPDATE jobs SET state = 'running', lease_owner = $1, lease_until = $2, attempts = attempts + 1,
                     started_at = $3, updated_at = $3
     WHERE id = (
       SELECT j.id FROM jobs j
       WHERE ((j.state = 'queued' AND j.run_at <= $3) OR (j.state = 'running' AND j.lease_until < $3))
         AND j.attempts < ${attemptCap(db, "$5")}
         AND (j.dedupe_key IS NULL OR NOT EXISTS (
               SELECT 1 FROM jobs r WHERE r.dedupe_key = j.dedupe_key AND r.state = 'running'
                 AND r.lease_until >= $3 AND r.id <> j.id))
         AND (j.installation_id IS NULL OR (
               SELECT count(*) FROM jobs c WHERE c.installation_id = j.installation_id AND c.state = 'running'
                 AND c.lease_until >= $3 AND c.id <> j.id) < $4)
         ${kindFilter}
       ORDER BY j.run_at, j.id
       LIMIT 1
       ${lock}
     )
     RETURNING *`,
    params,
  );
  return row ? rowToJob(row) : undefined;
}

/** Without an operator cap, a job's own max_attempts rules. */
const MAX_ATTEMPTS_CAP = 1_000_000;

/**
 * Dead-letters jobs that have spent their attempts but were never finished: a running job whose lease
 * expired on its last attempt (its worker died or stalled past the lease), or a job given back at
 * shutdown on its last attempt. Returns them, so the caller tells users once (only one caller gets
 * each row). Without this step such a job would either run again (breaking the attempt bound) or
 * stay "running" forever.
 */
export async function reapExhausted(
  db: Db,
  opts: { maxAttempts?: number; limit?: number } = {},
  now = Date.now(),
): Promise<Job[]> {
  const lock = db.dialect === "postgres" ? "FOR UPDATE SKIP LOCKED" : "";
  const rows = await db.query<JobRow>(
    `UPDATE jobs SET state = 'dead', lease_until = NULL, finished_at = $1, updated_at = $1,
       last_error = CASE WHEN state = 'running'
         THEN 'lease expired on the last attempt (' || attempts || ' of ' || max_attempts || '): the job ran past its lease without finishing'
         ELSE 'stopped by a shutdown on its last attempt (' || attempts || ' of ' || max_attempts || ')' END
     WHERE id IN (
       SELECT j.id FROM jobs j
       WHERE ((j.state = 'running' AND j.lease_until < $1) OR (j.state = 'queued' AND j.run_at <= $1))
         AND j.attempts >= ${attemptCap(db, "$2")}
       ORDER BY j.id
       LIMIT $3
       ${lock}
     )
     RETURNING *`,
    [now, opts.maxAttempts ?? MAX_ATTEMPTS_CAP, opts.limit ?? 20],
  );
  if (rows.length) {
    // Close the run rows the stalled attempts left open.
    await db.exec(
      `UPDATE job_runs SET finished_at = $1, outcome = 'lease-expired', error = 'lease expired'
       WHERE finished_at IS NULL AND job_id IN (${rows.map((_, i) => `$${i + 2}`).join(", ")})`,
      [now, ...rows.map((r) => Number(r.id))],
    );
  }
  return rows.map(rowToJob);
}

/** Extends a lease. False means the lease was lost (expired and taken by another worker). */
export async function heartbeat(db: Db, job: Job, leaseMs: number, now = Date.now()): Promise<boolean> {
  const n = await db.exec(
    "UPDATE jobs SET lease_until = $1, updated_at = $2 WHERE id = $3 AND lease_owner = $4 AND state = 'running'",
    [now + leaseMs, now, job.id, job.leaseOwner],
  );
  return n === 1;
}

export async function complete(db: Db, job: Job, now = Date.now()): Promise<boolean> {
  const n = await db.exec(
    `UPDATE jobs SET state = 'done', lease_until = NULL, finished_at = $1, updated_at = $1, last_error = NULL
     WHERE id = $2 AND lease_owner = $3 AND state = 'running'`,
    [now, job.id, job.leaseOwner],
  );
  return n === 1;
}

/**
 * Puts a running job back in the queue (retry or graceful release). If a newer job with the same key
 * is already queued, that one carries fresher input, so this one is cancelled as superseded.
 */
async function requeue(db: Db, job: Job, runAt: number, error: string | null, now: number) {
  return db.tx(async (tx) => {
    if (job.dedupeKey) {
      const newer = await tx.one("SELECT id FROM jobs WHERE dedupe_key = $1 AND state = 'queued'", [
        job.dedupeKey,
      ]);
      if (newer) {
        const n = await tx.exec(
          `UPDATE jobs SET state = 'cancelled', lease_until = NULL, finished_at = $1, updated_at = $1,
                           last_error = $2 WHERE id = $3 AND lease_owner = $4 AND state = 'running'`,
          [now, `superseded by queued job ${(newer as { id: number }).id}`, job.id, job.leaseOwner],
        );
        return n === 1 ? ("superseded" as const) : ("lost" as const);
      }
    }
    const n = await tx.exec(
      `UPDATE jobs SET state = 'queued', lease_until = NULL, lease_owner = NULL, run_at = $1, updated_at = $2,
                       last_error = COALESCE($3, last_error)
       WHERE id = $4 AND lease_owner = $5 AND state = 'running'`,
      [runAt, now, error, job.id, job.leaseOwner],
    );
    return n === 1 ? ("requeued" as const) : ("lost" as const);
  });
}

export function retryLater(db: Db, job: Job, runAt: number, error: string, now = Date.now()) {
  return requeue(db, job, runAt, error, now);
}

/**
 * Shutdown: give the job back so another process can take it at once. The attempt still counts (the job
 * did run, and may have written to GitHub); a job given back on its last attempt is dead-lettered by the
 * next reapExhausted instead of running again.
 */
export function release(db: Db, job: Job, now = Date.now()) {
  return requeue(db, job, now, "released at shutdown before it finished", now);
}

export async function deadLetter(db: Db, job: Job, error: string, now = Date.now()): Promise<boolean> {
  const n = await db.exec(
    `UPDATE jobs SET state = 'dead', lease_until = NULL, finished_at = $1, updated_at = $1, last_error = $2
     WHERE id = $3 AND lease_owner = $4 AND state = 'running'`,
    [now, error, job.id, job.leaseOwner],
  );
  return n === 1;
}

export async function getJob(db: Db, id: number): Promise<Job | undefined> {
  const row = await db.one<JobRow>("SELECT * FROM jobs WHERE id = $1", [id]);
  return row ? rowToJob(row) : undefined;
}

export async function listJobs(
  db: Db,
  filter: { state?: JobState; kind?: string; limit?: number } = {},
): Promise<Job[]> {
  const where: string[] = [];
  const params: Array<string | number> = [];
  if (filter.state) {
    params.push(filter.state);
    where.push(`state = $${params.length}`);
  }
  if (filter.kind) {
    params.push(filter.kind);
    where.push(`kind = $${params.length}`);
  }
  params.push(filter.limit ?? 50);
  const rows = await db.query<JobRow>(
    `SELECT * FROM jobs ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id DESC LIMIT $${params.length}`,
    params,
  );
  return rows.map(rowToJob);
}

/** Re-queues a dead or cancelled job with a fresh attempt budget. */
export async function retryJob(
  db: Db,
  id: number,
  now = Date.now(),
): Promise<"requeued" | "not-found" | "not-retryable" | "conflict"> {
  return db.tx(async (tx) => {
    const row = await tx.one<JobRow>("SELECT * FROM jobs WHERE id = $1", [id]);
    if (!row) return "not-found";
    if (row.state !== "dead" && row.state !== "cancelled" && row.state !== "done") return "not-retryable";
    if (row.dedupe_key) {
      const pending = await tx.one("SELECT id FROM jobs WHERE dedupe_key = $1 AND state = 'queued'", [
        row.dedupe_key,
      ]);
      if (pending) return "conflict";
    }
    await tx.exec(
      `UPDATE jobs SET state = 'queued', attempts = 0, run_at = $1, updated_at = $1, finished_at = NULL,
                       lease_owner = NULL, lease_until = NULL WHERE id = $2`,
      [now, id],
    );
    return "requeued";
  });
}

export async function cancelJob(db: Db, id: number, now = Date.now()): Promise<boolean> {
  const n = await db.exec(
    "UPDATE jobs SET state = 'cancelled', finished_at = $1, updated_at = $1, last_error = 'cancelled by operator' WHERE id = $2 AND state = 'queued'",
    [now, id],
  );
  return n === 1;
}

export async function countByState(db: Db): Promise<Record<JobState, number>> {
  const rows = await db.query<{ state: JobState; n: number }>(
    "SELECT state, count(*) AS n FROM jobs GROUP BY state",
  );
  const out: Record<JobState, number> = { queued: 0, running: 0, done: 0, dead: 0, cancelled: 0 };
  for (const r of rows) out[r.state] = Number(r.n);
  return out;
}
