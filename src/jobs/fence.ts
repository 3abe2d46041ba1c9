import { AsyncLocalStorage } from "node:async_hooks";
import { StewardError } from "../errors.ts";

// The write fence: while a job's handler runs, every GitHub write first proves that this process
// still holds the job's lease (its lease token, `lease_owner`, is still on the row and the job is
// still running). The runner enters the scope; src/app/services.ts installs one Octokit request hook
// that asks `currentWriteFence()` before each write. Tools know nothing of it.

/** The lease was taken by another worker, released at shutdown, or the job was dead-lettered. */
export class LeaseLostError extends StewardError {
  constructor(jobId: number, what: string) {
    super(`job ${jobId} lost its lease; refused to ${what}`, {
      transient: true,
      userMessage:
        "Steward stopped this attempt because another worker took the job over (this attempt had stalled past its lease).",
    });
  }
}

export type WriteFence = (what: string) => Promise<void>;

const scope = new AsyncLocalStorage<WriteFence>();

/** Runs `fn` (a job's handler) with `fence` guarding every GitHub write it makes. */
export function runFenced<T>(fence: WriteFence, fn: () => Promise<T>): Promise<T> {
  return scope.run(fence, fn);
}

/** The fence of the job whose code is running now, if any (none for webhooks, the worker API, CLI). */
export function currentWriteFence(): WriteFence | undefined {
  return scope.getStore();
}
