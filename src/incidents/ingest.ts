import type { Logger } from "../logger.ts";
import type { Db } from "../store/types.ts";
import type { IncidentEvent } from "./batch.ts";
import { defaultIncidentOptions, type IncidentOptions } from "./schema.ts";
import { type IngestTotals, type TailOptions, Tailer } from "./tail.ts";

// Entry points: `startIngest` follows files until stopped (used by `steward ingest --follow` and by
// `serve` when configured); `ingestOnce` back-fills one file to its end and returns.

export interface StartIngestOptions
  extends Partial<Omit<TailOptions, "db" | "patterns" | "log" | "options">> {
  db: Db;
  paths: string[];
  log: Logger;
  /** Parsed options (options.ts `parseIncidentOptions`); the defaults when absent. */
  options?: IncidentOptions;
  onIncidentEvent?: (e: IncidentEvent) => void;
}

export interface IngestHandle {
  readonly totals: IngestTotals;
  /** Resolves after the current pass, all files flushed and leases released. */
  stop(): Promise<void>;
}

function tailer(o: StartIngestOptions): Tailer {
  return new Tailer({ ...o, patterns: o.paths, options: o.options ?? defaultIncidentOptions() });
}

export function startIngest(o: StartIngestOptions): IngestHandle {
  const t = tailer(o);
  const pollMs = o.pollMs ?? 250;
  let stopping = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const loop = () => {
    running = t
      .poll()
      .catch((err) =>
        o.log.error({ err: { message: (err as Error).message } }, "ingest pass failed; retrying"),
      )
      .then(() => {
        if (!stopping) timer = setTimeout(loop, pollMs);
      });
  };
  loop();
  return {
    totals: t.totals,
    async stop() {
      stopping = true;
      if (timer) clearTimeout(timer);
      await running;
      await t.closeAll();
    },
  };
}

export class LeaseBusyError extends Error {}

/**
 * Reads one file from its checkpoint to its current end. If another process holds the file's
 * lease, waits for it (up to `waitMs`), then continues from wherever that process stopped.
 */
export async function ingestOnce(
  o: Omit<StartIngestOptions, "paths"> & { file: string; waitMs?: number },
): Promise<IngestTotals> {
  const t = tailer({ ...o, paths: [o.file] });
  const deadline = Date.now() + (o.waitMs ?? 2 * (o.leaseTtlMs ?? 30_000));
  for (;;) {
    await t.poll();
    if (t.openFiles > 0 || t.totals.files > 0 || t.blockedFiles === 0) break;
    if (Date.now() >= deadline) throw new LeaseBusyError(`${o.file} is being ingested by another process`);
    await new Promise((r) => setTimeout(r, Math.min(o.pollMs ?? 250, 1000)));
  }
  await t.closeAll();
  return t.totals;
}
