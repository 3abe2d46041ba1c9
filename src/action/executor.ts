// Runs one workflow run's jobs in this process, in order, without a queue table: the same job
// handlers the App's runner calls, the same dedupe keys (a follow-up with a key already pending
// replaces it, as the store's queue coalesces), the same retry rule (transient and unknown errors are
// retried with backoff, typed permanent errors are not). Debounce and grace windows are not waited
// out (the workflow run is the one chance to do the work, and every write is an upsert by marker), but
// they still order the jobs as the App's runner would claim them: earliest due first.
import { errorMessage, isTransient, StewardError } from "../errors.ts";
import { backoffMs } from "../jobs/backoff.ts";
import type { EnqueueInput, Job, JobHandler } from "../jobs/types.ts";
import type { Logger } from "../logger.ts";

export interface JobReport {
  kind: string;
  number: number | undefined;
  outcome: "done" | "failed" | "not available";
  attempts: number;
  ms: number;
  error?: string;
  /** The user-facing reason for a failure (a StewardError's message, else a generic one). */
  reason?: string;
}

export interface Executor {
  /** Adds a job; one with the same dedupe key still pending is replaced by it. */
  enqueue(input: EnqueueInput): { id: number; coalesced: boolean };
  /** Runs until no job is pending; returns one report per job run. */
  run(handlers: Record<string, JobHandler>): Promise<JobReport[]>;
}

export interface ExecutorOptions {
  log: Logger;
  /** Installation-like id for jobs whose input names none (the ledger counts usage by it). */
  installationId: number;
  maxAttempts?: number;
  backoff?: { baseMs?: number; maxMs?: number };
  /** Job kinds the action runs; others are reported as not available (e.g. workers need the App). */
  kinds: ReadonlySet<string>;
  /** Upper bound on jobs per run, so a fan-out bug cannot loop forever. */
  maxJobs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export function createExecutor(opts: ExecutorOptions): Executor {
  const pending: Array<{ id: number; input: EnqueueInput; due: number }> = [];
  let seq = 0;
  const maxAttempts = opts.maxAttempts ?? 3;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));

  function toJob(id: number, input: EnqueueInput, attempts: number): Job {
    const now = Date.now();
    return {
      id,
      kind: input.kind,
      dedupeKey: input.dedupeKey ?? null,
      installationId: input.installationId ?? opts.installationId,
      repo: input.repo ?? null,
      targetNumber: input.targetNumber ?? null,
      deliveryId: input.deliveryId ?? null,
      payload: input.payload,
      state: "running",
      runAt: now,
      leaseUntil: null,
      leaseOwner: null,
      attempts,
      maxAttempts,
      lastError: null,
      generation: 0,
      createdAt: now,
      updatedAt: now,
      startedAt: now,
      finishedAt: null,
    };
  }

  async function runOne(handler: JobHandler, id: number, input: EnqueueInput): Promise<JobReport> {
    const started = performance.now();
    const log = opts.log.child({ jobId: id, kind: input.kind, repo: input.repo, number: input.targetNumber });
    for (let attempt = 1; ; attempt++) {
      const job = toJob(id, input, attempt);
      try {
        await handler(job, { log, signal: new AbortController().signal, heartbeat: async () => {} });
        log.info({ attempt }, "job done");
        return {
          kind: input.kind,
          number: input.targetNumber,
          outcome: "done",
          attempts: attempt,
          ms: Math.round(performance.now() - started),
        };
      } catch (err) {
        const retryable = isTransient(err) || !(err instanceof StewardError);
        if (retryable && attempt < maxAttempts) {
          const retryAfterMs = err instanceof StewardError ? err.retryAfterMs : undefined;
          const delay = backoffMs(attempt, { baseMs: 2_000, maxMs: 60_000, ...opts.backoff, retryAfterMs });
          log.warn({ err: errorMessage(err), attempt, delayMs: delay }, "job failed; retrying");
          await sleep(delay);
          continue;
        }
        log.error({ err: errorMessage(err), attempt }, "job failed permanently");
        return {
          kind: input.kind,
          number: input.targetNumber,
          outcome: "failed",
          attempts: attempt,
          ms: Math.round(performance.now() - started),
          error: errorMessage(err).slice(0, 500),
          reason:
            err instanceof StewardError
              ? err.userMessage
              : `Unexpected error: ${errorMessage(err).slice(0, 500)}`,
        };
      }
    }
  }

  return {
    enqueue(input) {
      const due = input.runAt ?? Date.now() + (input.debounceMs ?? 0);
      const i = input.dedupeKey ? pending.findIndex((p) => p.input.dedupeKey === input.dedupeKey) : -1;
      if (i >= 0) {
        const id = pending[i]!.id;
        pending[i] = { id, input, due };
        return { id, coalesced: true };
      }
      const id = ++seq;
      pending.push({ id, input, due });
      return { id, coalesced: false };
    },
    async run(handlers) {
      const reports: JobReport[] = [];
      const limit = opts.maxJobs ?? 50;
      while (pending.length > 0) {
        // Earliest due first, then first enqueued: the order the App's runner claims them in.
        let next = 0;
        for (let i = 1; i < pending.length; i++) {
          const a = pending[i]!;
          const b = pending[next]!;
          if (a.due < b.due || (a.due === b.due && a.id < b.id)) next = i;
        }
        const { id, input } = pending.splice(next, 1)[0]!;
        const handler = handlers[input.kind];
        if (!handler || !opts.kinds.has(input.kind)) {
          opts.log.info({ kind: input.kind }, "job kind not available in the action; skipped");
          reports.push({
            kind: input.kind,
            number: input.targetNumber,
            outcome: "not available",
            attempts: 0,
            ms: 0,
          });
          continue;
        }
        if (reports.length >= limit) {
          opts.log.error({ kind: input.kind, limit }, "too many jobs in one run; the rest are dropped");
          const dropped = [input, ...pending.splice(0).map((p) => p.input)];
          for (const d of dropped)
            reports.push({
              kind: d.kind,
              number: d.targetNumber,
              outcome: "failed",
              attempts: 0,
              ms: 0,
              reason: `Not run: one workflow run runs at most ${limit} jobs.`,
            });
          break;
        }
        reports.push(await runOne(handler, id, input));
      }
      return reports;
    },
  };
}
