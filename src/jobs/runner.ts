import { hostname } from "node:os";
import { errorMessage, isTransient, StewardError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import { metrics } from "../metrics.ts";
import type { Db } from "../store/types.ts";
import { backoffMs } from "./backoff.ts";
import { claim, complete, deadLetter, heartbeat, release, retryLater } from "./queue.ts";
import type { Job, JobHandler } from "./types.ts";

export interface RunnerOptions {
  db: Db;
  log: Logger;
  handlers: Record<string, JobHandler>;
  workerId?: string;
  /** Jobs run at once by this process. */
  concurrency?: number;
  perInstallationLimit?: number;
  leaseMs?: number;
  pollMs?: number;
  backoff?: { baseMs?: number; maxMs?: number };
  /** Called once when a job gives up, to tell users on GitHub what failed and how to retry. */
  onDeadLetter?: (job: Job, err: unknown) => Promise<void>;
}

export interface Runner {
  start(): void;
  /** Stops claiming; waits up to graceMs for running jobs, then releases their leases. */
  stop(graceMs?: number): Promise<void>;
  /** Wakes the claim loop now (after a local enqueue). */
  poke(): void;
  /**
   * Runs queued jobs one by one until none is runnable within `horizonMs` from now (debounce and
   * grace windows are skipped that way). For `steward replay` and tests.
   */
  drain(horizonMs?: number): Promise<number>;
  readonly active: number;
}

export function createRunner(opts: RunnerOptions): Runner {
  const workerId = opts.workerId ?? `${hostname()}:${process.pid}`;
  const concurrency = opts.concurrency ?? 4;
  const leaseMs = opts.leaseMs ?? 60_000;
  const pollMs = opts.pollMs ?? 500;
  const perInstallationLimit = opts.perInstallationLimit ?? 2;
  const kinds = Object.keys(opts.handlers);
  const running = new Map<number, { job: Job; abort: AbortController; done: Promise<void> }>();
  let stopping = false;
  let started = false;
  let wake: (() => void) | undefined;
  let loopDone: Promise<void> = Promise.resolve();

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        wake = undefined;
        resolve();
      }, ms);
      wake = () => {
        clearTimeout(t);
        wake = undefined;
        resolve();
      };
    });

  async function execute(job: Job, abort: AbortController): Promise<void> {
    const log = opts.log.child({
      jobId: job.id,
      kind: job.kind,
      repo: job.repo,
      number: job.targetNumber,
      deliveryId: job.deliveryId,
    });
    const handler = opts.handlers[job.kind];
    const startedAt = performance.now();
    const runRow = await opts.db.one<{ id: number }>(
      "INSERT INTO job_runs (job_id, attempt, worker, started_at) VALUES ($1, $2, $3, $4) RETURNING id",
      [job.id, job.attempts, workerId, Date.now()],
    );
    const finishRun = (outcome: string, error: string | null) =>
      opts.db
        .exec("UPDATE job_runs SET finished_at = $1, outcome = $2, error = $3 WHERE id = $4", [
          Date.now(),
          outcome,
          error,
          runRow?.id ?? 0,
        ])
        .catch((err) => log.warn({ err }, "could not record job run outcome"));
    const beat = async () => {
      if (!(await heartbeat(opts.db, job, leaseMs))) {
        log.warn("job lease lost; aborting");
        abort.abort(new StewardError("lease lost", { transient: true }));
      }
    };
    const timer = setInterval(
      () => void beat().catch((err) => log.warn({ err }, "heartbeat failed")),
      Math.max(1_000, leaseMs / 3),
    );
    log.info({ attempt: job.attempts }, "job started");
    try {
      if (!handler) throw new StewardError(`no handler for job kind ${job.kind}`);
      await handler(job, { log, signal: abort.signal, heartbeat: beat });
      if (abort.signal.aborted) throw abort.signal.reason;
      await complete(opts.db, job);
      await finishRun("done", null);
      metrics.jobsTotal.inc({ kind: job.kind, outcome: "done" });
      log.info({ ms: Math.round(performance.now() - startedAt) }, "job done");
    } catch (err) {
      const message = errorMessage(err);
      const unknownError = !(err instanceof StewardError);
      // Unknown errors (network resets, bugs) get retries too; typed permanent errors do not.
      const retryable = isTransient(err) || unknownError;
      if (stopping && abort.signal.aborted) {
        await release(opts.db, job);
        await finishRun("released", message);
        log.info("job released at shutdown");
      } else if (retryable && job.attempts < job.maxAttempts) {
        const retryAfterMs = err instanceof StewardError ? err.retryAfterMs : undefined;
        const delay = backoffMs(job.attempts, { ...opts.backoff, retryAfterMs });
        const outcome = await retryLater(opts.db, job, Date.now() + delay, message);
        await finishRun(`retry:${outcome}`, message);
        metrics.jobsTotal.inc({ kind: job.kind, outcome: "retry" });
        log.warn({ err: message, delayMs: delay, attempt: job.attempts }, "job failed; retrying");
      } else {
        const dead = await deadLetter(opts.db, job, message);
        await finishRun("dead", message);
        metrics.jobsTotal.inc({ kind: job.kind, outcome: "dead" });
        log.error({ err: message, attempt: job.attempts }, "job failed permanently");
        if (dead && opts.onDeadLetter) {
          await opts
            .onDeadLetter(job, err)
            .catch((e) => log.error({ err: errorMessage(e) }, "dead-letter notice failed"));
        }
      }
    } finally {
      clearInterval(timer);
      metrics.jobDuration.observe({ kind: job.kind }, (performance.now() - startedAt) / 1000);
    }
  }

  async function loop(): Promise<void> {
    while (!stopping) {
      if (running.size >= concurrency) {
        await sleep(pollMs);
        continue;
      }
      let job: Job | undefined;
      try {
        job = await claim(opts.db, { workerId, leaseMs, perInstallationLimit, kinds });
      } catch (err) {
        opts.log.error({ err: errorMessage(err) }, "claim failed");
        await sleep(pollMs * 4);
        continue;
      }
      if (!job) {
        await sleep(pollMs);
        continue;
      }
      const abort = new AbortController();
      const claimed = job;
      const done = execute(claimed, abort)
        .catch((err) =>
          opts.log.error({ err: errorMessage(err), jobId: claimed.id }, "job bookkeeping failed"),
        )
        .finally(() => {
          running.delete(claimed.id);
          wake?.();
        });
      running.set(claimed.id, { job: claimed, abort, done });
    }
  }

  return {
    get active() {
      return running.size;
    },
    start() {
      if (started) return;
      started = true;
      stopping = false;
      loopDone = loop();
    },
    poke() {
      wake?.();
    },
    async drain(horizonMs = 24 * 3600_000) {
      let n = 0;
      for (;;) {
        const job = await claim(
          opts.db,
          { workerId, leaseMs: leaseMs + horizonMs, perInstallationLimit: Number.MAX_SAFE_INTEGER, kinds },
          Date.now() + horizonMs,
        );
        if (!job) return n;
        n++;
        await execute(job, new AbortController());
      }
    },
    async stop(graceMs = 10_000) {
      stopping = true;
      wake?.();
      await loopDone;
      const all = [...running.values()];
      if (all.length) {
        const timeout = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), graceMs).unref());
        const finished = await Promise.race([
          Promise.all(all.map((r) => r.done)).then(() => "done" as const),
          timeout,
        ]);
        if (finished === "timeout") {
          for (const r of running.values()) r.abort.abort(new StewardError("shutdown", { transient: true }));
          await Promise.all([...running.values()].map((r) => r.done));
        }
      }
      started = false;
    },
  };
}
