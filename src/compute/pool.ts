// The compute pool: a piscina worker-thread pool for CPU-bound work on untrusted input (diff parsing,
// packing and facts, issue scoring, similar-issue queries). The main thread keeps answering webhooks,
// the worker API, /healthz and job heartbeats while a task runs; a task over its time budget is
// terminated (piscina ends the thread) and fails with TaskBudgetError, a permanent error the job runner
// turns into the usual failure comment.
import { availableParallelism } from "node:os";
import { Piscina } from "piscina";
import { StewardError } from "../errors.ts";
import type * as Tasks from "./tasks.ts";

export const DEFAULT_TASK_BUDGET_MS = 20_000;
export const DEFAULT_TASK_MEMORY_MB = 512;

export interface ComputeOptions {
  /** Worker threads (STEWARD_POOL_THREADS). */
  threads?: number;
  /** Per-task time budget, measured from when the task starts running (STEWARD_TASK_BUDGET_MS). */
  budgetMs?: number;
  /** Heap limit of each worker thread (STEWARD_TASK_MEMORY_MB). */
  memoryMb?: number;
}

/** A task ran past its budget (or out of memory) and was terminated. Retrying the same input would too. */
export class TaskBudgetError extends StewardError {
  constructor(what: string, detail: string) {
    super(`${what}: ${detail}`, {
      transient: false,
      userMessage: `Steward stopped processing ${what}: ${detail}. The input is probably too large or unusual to analyse; Steward's other work was not affected.`,
    });
  }
}

type TaskName = keyof typeof Tasks &
  ("parsePullFiles" | "pack" | "chunk" | "facts" | "scoreIssue" | "similar");
type Input<K extends TaskName> = Parameters<(typeof Tasks)[K]>[0]["input"];
type Output<K extends TaskName> = ReturnType<(typeof Tasks)[K]>;

let options: Required<ComputeOptions> = {
  threads: Math.max(1, Math.min(2, availableParallelism())),
  budgetMs: DEFAULT_TASK_BUDGET_MS,
  memoryMb: DEFAULT_TASK_MEMORY_MB,
};
let pool: Piscina | undefined;

/** Sets the pool's limits (from the environment, at start). Takes effect for a pool not yet created. */
export function configureCompute(opts: ComputeOptions): void {
  options = {
    threads: opts.threads ?? options.threads,
    budgetMs: opts.budgetMs ?? options.budgetMs,
    memoryMb: opts.memoryMb ?? options.memoryMb,
  };
}

function getPool(): Piscina {
  pool ??= new Piscina({
    filename: new URL("./tasks.ts", import.meta.url).href,
    minThreads: 1,
    maxThreads: options.threads,
    idleTimeout: 60_000,
    resourceLimits: { maxOldGenerationSizeMb: options.memoryMb },
  });
  return pool;
}

/** Whether a task has started, polled cheaply; the budget clock starts then, not at submission. */
const START_POLL_MS = 20;

/**
 * Runs one task in the pool. `what` completes "Steward stopped processing …" (e.g. "the pull request's
 * diff"). `signal` (the job's) cancels the task too: a job that lost its lease stops burning CPU.
 */
export async function runTask<K extends TaskName>(
  name: K,
  input: Input<K>,
  opts: { what: string; signal?: AbortSignal },
): Promise<Output<K>> {
  const budgetMs = options.budgetMs;
  const started = new SharedArrayBuffer(4);
  const flag = new Int32Array(started);
  const abort = new AbortController();
  let over: string | undefined;
  const fromJob = () => abort.abort(opts.signal?.reason);
  opts.signal?.addEventListener("abort", fromJob, { once: true });
  let budget: NodeJS.Timeout | undefined;
  const watch = setInterval(() => {
    if (Atomics.load(flag, 0) !== 1) return;
    clearInterval(watch);
    budget = setTimeout(() => {
      over = `it took longer than the ${Math.round(budgetMs / 100) / 10} s budget for one task (STEWARD_TASK_BUDGET_MS)`;
      abort.abort(new Error("task over budget"));
    }, budgetMs);
  }, START_POLL_MS);
  try {
    return (await getPool().run({ input, started }, { name, signal: abort.signal })) as Output<K>;
  } catch (err) {
    if (over) throw new TaskBudgetError(opts.what, over);
    if ((err as { code?: string }).code === "ERR_WORKER_OUT_OF_MEMORY")
      throw new TaskBudgetError(
        opts.what,
        `it needed more than the ${options.memoryMb} MB memory limit for one task (STEWARD_TASK_MEMORY_MB)`,
      );
    if (opts.signal?.aborted) throw opts.signal.reason;
    throw err;
  } finally {
    clearInterval(watch);
    clearTimeout(budget);
    opts.signal?.removeEventListener("abort", fromJob);
  }
}

/** Ends the pool's threads (shutdown, tests). */
export async function closeCompute(): Promise<void> {
  const p = pool;
  pool = undefined;
  await p?.destroy();
}
