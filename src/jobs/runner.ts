import { hostname } from "node:os";
import { errorMessage, isTransient, StewardError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import { metrics } from "../metrics.ts";
import type { Db } from "../store/types.ts";
import { backoffMs } from "./backoff.ts";
import { LeaseLostError, runFenced } from "./fence.ts";
import { claim, complete, deadLetter, heartbeat, reapExhausted, release, retryLater } from "./queue.ts";
import type { Job, JobHandler } from "./types.ts";

export interface RunnerOptions {
  db: Db;
  log: Logger;
  handlers: Record<string, JobHandler>;
  workerId?: string;
  /** Jobs run at once by this process. */
  concurrency?: number;
  perInstallationLimit?: number;
  /**
   * Lease per attempt. The main thread renews it every leaseMs/3 and before every GitHub write; an
   * attempt that cannot renew it in time (the process died or its event loop stalled) loses the job.
   */
  leaseMs?: number;
  /** Operator cap on attempts per job (STEWARD_JOB_MAX_ATTEMPTS). */
  maxAttempts?: number;
  /** How long stop() waits for running jobs before giving their leases back (STEWARD_SHUTDOWN_MS). */
  shutdownMs?: number;
  /**
   * Wall-clock limit of one attempt (STEWARD_JOB_TIMEOUT_MS). Past it the attempt is abandoned and
   * counted as failed; a handler that ignores its abort signal is fenced off GitHub from then on.
   */
  jobTimeoutMs?: number;
  pollMs?: number;
  backoff?: { baseMs?: number; maxMs?: number };
  /** Called once when a job gives up, to tell users on GitHub what failed and how to retry. */
  onDeadLetter?: (job: Job, err: unknown) => Promise<void>;
}

export interface Runner {
  start(): void;
  /**
   * Stops claiming; waits up to graceMs (default: shutdownMs) for running jobs, then releases the leases
   * of those still running so another process can take them at once. Never waits on a stuck handler.
   */
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

/** Rejects with the signal's reason once it aborts. */
function abortion(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}

export function createRunner(opts: RunnerOptions): Runner {
  const workerId = opts.workerId ?? `${hostname()}:${process.pid}`;
  const concurrency = opts.concurrency ?? 4;
  const leaseMs = opts.leaseMs ?? 60_000;
  const pollMs = opts.pollMs ?? 500;
  const perInstallationLimit = opts.perInstallationLimit ?? 2;
  const maxAttempts = opts.maxAttempts;
  const shutdownMs = opts.shutdownMs ?? 30_000;
  const jobTimeoutMs = opts.jobTimeoutMs ?? 15 * 60_000;
  const kinds = Object.keys(opts.handlers);
  interface Active {
    job: Job;
    abort: AbortController;
    done: Promise<void>;
    /** Set when stop() gave the lease back; the attempt's own bookkeeping then stays silent. */
    released: boolean;
  }
  const running = new Map<number, Active>();
  let lastReap = 0;
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

  async function execute(job: Job, abort: AbortController, active?: Active): Promise<void> {
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
    // The audit row is retried briefly: a connection dropped at this moment (failover, restart) must
    // not leave a finished attempt without its outcome.
    const finishRun = async (outcome: string, error: string | null) => {
      for (let attempt = 1; ; attempt++) {
        try {
          await opts.db.exec("UPDATE job_runs SET finished_at = $1, outcome = $2, error = $3 WHERE id = $4", [
            Date.now(),
            outcome,
            error,
            runRow?.id ?? 0,
          ]);
          return;
        } catch (err) {
          if (attempt >= 3) {
            log.warn({ err: errorMessage(err) }, "could not record job run outcome");
            return;
          }
          await new Promise((r) => setTimeout(r, 250 * attempt));
        }
      }
    };
    const lost = (what: string) => {
      const err = new LeaseLostError(job.id, what);
      if (!abort.signal.aborted) {
        log.warn({ attempt: job.attempts }, "job lease lost; aborting");
        abort.abort(err);
      }
      return err;
    };
    const beat = async () => {
      if (abort.signal.aborted) return;
      if (!(await heartbeat(opts.db, job, leaseMs))) lost("renew its lease");
    };
    // Before every GitHub write: renew the lease iff this attempt still holds it (its token is on the
    // row). Renewing, not just reading, gives the write a whole lease to land in.
    const fence = async (what: string) => {
      if (abort.signal.aborted) throw lost(what);
      if (!(await heartbeat(opts.db, job, leaseMs))) throw lost(what);
    };
    const timer = setInterval(
      () => void beat().catch((err) => log.warn({ err: errorMessage(err) }, "heartbeat failed")),
      Math.max(250, Math.floor(leaseMs / 3)),
    );
    log.info({ attempt: job.attempts }, "job started");
    try {
      if (!handler) throw new StewardError(`no handler for job kind ${job.kind}`);
      const work = runFenced(fence, () => handler(job, { log, signal: abort.signal, heartbeat: beat }));
      // A handler that never settles (a hung dependency) must not hold the slot or the lease: the
      // attempt ends when it is aborted (lease lost, shutdown, timeout), whether the handler noticed or not.
      work.catch(() => {});
      const deadline = setTimeout(
        () =>
          abort.abort(
            new StewardError(`job attempt timed out after ${Math.round(jobTimeoutMs / 1000)} s`, {
              transient: true,
              userMessage: `Steward stopped this job: one attempt ran longer than its time limit (${Math.round(jobTimeoutMs / 1000)} s, STEWARD_JOB_TIMEOUT_MS).`,
            }),
          ),
        jobTimeoutMs,
      );
      try {
        await Promise.race([work, abortion(abort.signal)]);
      } finally {
        clearTimeout(deadline);
      }
      if (abort.signal.aborted) throw abort.signal.reason;
      // The job and its run row turn done together: nobody sees a done job whose run is not.
      const completed = await opts.db.tx(async (tx) => {
        if (!(await complete(tx, job))) return false;
        await tx.exec("UPDATE job_runs SET finished_at = $1, outcome = 'done', error = NULL WHERE id = $2", [
          Date.now(),
          runRow?.id ?? 0,
        ]);
        return true;
      });
      if (!completed) {
        // Another worker owns the job now (this attempt stalled past its lease); its outcome is theirs.
        await finishRun("lost", "lease lost before completion");
        metrics.jobsTotal.inc({ kind: job.kind, outcome: "lost" });
        log.warn({ attempt: job.attempts }, "job finished after losing its lease; result discarded");
        return;
      }
      metrics.jobsTotal.inc({ kind: job.kind, outcome: "done" });
      log.info({ ms: Math.round(performance.now() - startedAt) }, "job done");
    } catch (err) {
      const message = errorMessage(err);
      const unknownError = !(err instanceof StewardError);
      // Unknown errors (network resets, bugs) get retries too; typed permanent errors do not.
      const retryable = isTransient(err) || unknownError;
      const cap = Math.min(job.maxAttempts, maxAttempts ?? job.maxAttempts);
      if (active?.released) {
        await finishRun("released", message);
      } else if (err instanceof LeaseLostError || abort.signal.reason instanceof LeaseLostError) {
        // Not ours any more: the new owner (or the reaper) decides what happens to the job.
        await finishRun("lost", message);
        log.warn({ err: message, attempt: job.attempts }, "job attempt abandoned: lease lost");
        metrics.jobsTotal.inc({ kind: job.kind, outcome: "lost" });
      } else if (stopping && abort.signal.aborted) {
        await release(opts.db, job);
        await finishRun("released", message);
        log.info("job released at shutdown");
      } else if (retryable && job.attempts < cap) {
        const retryAfterMs = err instanceof StewardError ? err.retryAfterMs : undefined;
        const delay = backoffMs(job.attempts, { ...opts.backoff, retryAfterMs });
        const outcome = await retryLater(opts.db, job, Date.now() + delay, message);
        await finishRun(`retry:${outcome}`, message);
        metrics.jobsTotal.inc({ kind: job.kind, outcome: "retry" });
        log.warn({ err: message, delayMs: delay, attempt: job.attempts }, "job failed; retrying");
      } else {
        const dead = await deadLetter(opts.db, job, message);
        await finishRun(dead ? "dead" : "lost", message);
        metrics.jobsTotal.inc({ kind: job.kind, outcome: dead ? "dead" : "lost" });
        log.error({ err: message, attempt: job.attempts }, "job failed permanently");
        // Only the attempt that moved the row to dead tells users, so the failure comment is posted once.
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

  /** Jobs that spent their attempts without finishing (stalled past the lease, released at shutdown). */
  async function reap(): Promise<void> {
    if (Date.now() - lastReap < Math.max(pollMs, 1_000)) return;
    lastReap = Date.now();
    const reaped = await reapExhausted(opts.db, { maxAttempts });
    for (const job of reaped) {
      const reason = job.lastError ?? "the job did not finish";
      opts.log.error(
        { jobId: job.id, kind: job.kind, attempt: job.attempts, err: reason },
        "job failed permanently",
      );
      metrics.jobsTotal.inc({ kind: job.kind, outcome: "dead" });
      if (!opts.onDeadLetter) continue;
      const err = new StewardError(reason, {
        userMessage: `Steward gave up after ${job.attempts} attempt(s): the last one did not finish in time (it stalled past its ${Math.round(leaseMs / 1000)} s lease, or the worker running it was stopped). Very large or unusual input can cause this.`,
      });
      await opts
        .onDeadLetter(job, err)
        .catch((e) => opts.log.error({ err: errorMessage(e), jobId: job.id }, "dead-letter notice failed"));
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
        await reap();
        job = await claim(opts.db, { workerId, leaseMs, perInstallationLimit, kinds, maxAttempts });
      } catch (err) {
        opts.log.error({ err: errorMessage(err) }, "claim failed");
        await sleep(pollMs * 4);
        continue;
      }
      if (!job) {
        await sleep(pollMs);
        continue;
      }
      const claimed = job;
      const active: Active = {
        job: claimed,
        abort: new AbortController(),
        done: Promise.resolve(),
        released: false,
      };
      active.done = execute(claimed, active.abort, active)
        .catch((err) =>
          opts.log.error({ err: errorMessage(err), jobId: claimed.id }, "job bookkeeping failed"),
        )
        .finally(() => {
          if (running.get(claimed.id) === active) running.delete(claimed.id);
          wake?.();
        });
      running.set(claimed.id, active);
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
          {
            workerId,
            leaseMs: leaseMs + horizonMs,
            perInstallationLimit: Number.MAX_SAFE_INTEGER,
            kinds,
            maxAttempts,
          },
          Date.now() + horizonMs,
        );
        if (!job) return n;
        n++;
        await execute(job, new AbortController());
      }
    },
    async stop(graceMs = shutdownMs) {
      stopping = true;
      wake?.();
      // The claim loop ends within one claim (bounded by the store's own connection timeout).
      await Promise.race([loopDone, new Promise((r) => setTimeout(r, graceMs).unref())]);
      const deadline = Date.now() + graceMs;
      const all = [...running.values()];
      if (all.length) {
        const finished = await Promise.race([
          Promise.all(all.map((r) => r.done)).then(() => "done" as const),
          new Promise<"timeout">((r) =>
            setTimeout(() => r("timeout"), Math.max(0, deadline - Date.now())).unref(),
          ),
        ]);
        if (finished === "timeout") {
          // Give the leases back now rather than waiting on handlers that may never settle (a hung
          // dependency, a stalled loop): another process takes the jobs at once. The fence stops a
          // late handler here from writing to GitHub after this point.
          const left = [...running.values()];
          for (const r of left) {
            r.released = true;
            r.abort.abort(new StewardError("shutdown", { transient: true }));
          }
          await Promise.all(
            left.map((r) =>
              release(opts.db, r.job)
                .then((outcome) => opts.log.info({ jobId: r.job.id, outcome }, "job released at shutdown"))
                .catch((err) =>
                  opts.log.warn({ jobId: r.job.id, err: errorMessage(err) }, "could not release job lease"),
                ),
            ),
          );
          // Handlers that honour the abort signal settle now; do not wait long for the others.
          await Promise.race([
            Promise.all(left.map((r) => r.done)),
            new Promise((r) => setTimeout(r, 1_000).unref()),
          ]);
        }
      }
      started = false;
    },
  };
}
