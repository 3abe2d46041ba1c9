// In-process wake-ups for long-polling claimers: a dispatch in this process wakes them at once;
// claimers in other processes (or replicas) still find the run on their next short DB poll.

const waiters = new Set<() => void>();

export function wakeClaimers(): void {
  for (const w of [...waiters]) w();
}

/** Resolves after `ms`, or earlier when a run is dispatched or requeued, or the signal aborts. */
export function waitForWork(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      waiters.delete(done);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    waiters.add(done);
    signal?.addEventListener("abort", done, { once: true });
  });
}
