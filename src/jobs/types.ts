import type { Logger } from "../logger.ts";

export type JobState = "queued" | "running" | "done" | "dead" | "cancelled";

export interface Job<P = unknown> {
  id: number;
  kind: string;
  dedupeKey: string | null;
  installationId: number | null;
  repo: string | null;
  targetNumber: number | null;
  deliveryId: string | null;
  payload: P;
  state: JobState;
  runAt: number;
  leaseUntil: number | null;
  leaseOwner: string | null;
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  generation: number;
  createdAt: number;
  updatedAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

export interface EnqueueInput {
  kind: string;
  payload: unknown;
  /** Jobs with the same key coalesce: while one is queued, a new one replaces it. */
  dedupeKey?: string;
  /** With a key: the run is pushed back to now + debounceMs on every enqueue inside the window. */
  debounceMs?: number;
  installationId?: number;
  /** "owner/name" */
  repo?: string;
  /** The issue or PR number the job reports on. */
  targetNumber?: number;
  deliveryId?: string;
  /** Absolute epoch ms; defaults to now (+ debounce). */
  runAt?: number;
  maxAttempts?: number;
}

export interface JobRunContext {
  log: Logger;
  /** Aborted when the lease is lost or the runner shuts down past its grace period. */
  signal: AbortSignal;
  /** Extends the lease now (the runner also heartbeats on a timer). */
  heartbeat(): Promise<void>;
}

export type JobHandler = (job: Job, ctx: JobRunContext) => Promise<void>;
