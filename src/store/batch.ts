import type { Db } from "./types.ts";

interface Item {
  work: (tx: Db) => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

export interface TxBatcher {
  /** Runs `work` inside a shared transaction with other work submitted in the same tick. */
  run<T>(work: (tx: Db) => Promise<T>): Promise<T>;
}

/**
 * Group commit: webhook deliveries that arrive together share one transaction (one WAL append on
 * SQLite, one fsync on Postgres) instead of paying a commit each. Each item runs under its own
 * SAVEPOINT, so one failing item rolls back only itself; nothing is acknowledged before the commit.
 */
export function createTxBatcher(db: Db, opts: { maxBatch?: number } = {}): TxBatcher {
  const maxBatch = opts.maxBatch ?? 64;
  const queue: Item[] = [];
  let scheduled = false;

  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => void flush());
  };

  async function flush(): Promise<void> {
    scheduled = false;
    const batch = queue.splice(0, maxBatch);
    if (queue.length) schedule();
    if (batch.length === 0) return;
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    try {
      await db.tx(async (tx) => {
        for (const item of batch) {
          await tx.exec("SAVEPOINT steward_item");
          try {
            const value = await item.work(tx);
            await tx.exec("RELEASE SAVEPOINT steward_item");
            outcomes.push({ ok: true, value });
          } catch (error) {
            await tx.exec("ROLLBACK TO SAVEPOINT steward_item");
            await tx.exec("RELEASE SAVEPOINT steward_item");
            outcomes.push({ ok: false, error });
          }
        }
      });
    } catch (error) {
      // The commit itself failed: nothing of this batch is stored.
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, i) => {
      const o = outcomes[i]!;
      if (o.ok) item.resolve(o.value);
      else item.reject(o.error);
    });
  }

  return {
    run<T>(work: (tx: Db) => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ work, resolve: resolve as (v: unknown) => void, reject });
        schedule();
      });
    },
  };
}
