import type { Services } from "../../app/services.ts";
import { errorMessage } from "../../errors.ts";
import { type IngestHandle, startIngest } from "../../incidents/ingest.ts";
import { SYNC_KEY, SYNC_KIND } from "./index.ts";

// What `steward serve` runs for incidents: the periodic sync (a keyed job per minute, so N replicas
// schedule one between them) and, when STEWARD_INGEST_PATHS is set, the log tailer whose new and
// regressed incidents trigger a sync at once.

export const SYNC_EVERY_MS = 60_000;
const EVENT_COALESCE_MS = 250;

export interface IncidentLoop {
  readonly ingest: IngestHandle | undefined;
  stop(): Promise<void>;
}

export function startIncidentLoop(s: Services): IncidentLoop {
  const log = s.log;
  const inc = s.env.incidents;
  // Nothing to sync to and nothing to ingest: stay out of the job table entirely.
  if (!inc.repo && Object.keys(inc.repos).length === 0 && s.env.ingestPaths.length === 0)
    return { ingest: undefined, stop: async () => {} };
  // Every replica computes the same minute boundary, so re-scheduling never pushes the run back.
  const tick = () =>
    void s
      .enqueue({
        kind: SYNC_KIND,
        payload: {},
        dedupeKey: `${SYNC_KEY}:tick`,
        runAt: Math.ceil((Date.now() + 1) / SYNC_EVERY_MS) * SYNC_EVERY_MS,
      })
      .catch((err) => log.warn({ err: errorMessage(err) }, "could not schedule the incident sync"));
  tick();
  const timer = setInterval(tick, SYNC_EVERY_MS);
  timer.unref();

  let pending: NodeJS.Timeout | undefined;
  const requestSync = () => {
    if (pending) return;
    pending = setTimeout(() => {
      pending = undefined;
      void s
        .enqueue({ kind: SYNC_KIND, payload: {}, dedupeKey: SYNC_KEY })
        .catch((err) => log.warn({ err: errorMessage(err) }, "could not enqueue the incident sync"));
    }, EVENT_COALESCE_MS);
  };
  const ingest = s.env.ingestPaths.length
    ? startIngest({
        db: s.db,
        paths: s.env.ingestPaths,
        log,
        // Recurrences only feed the stats comment, which the minute tick covers.
        onIncidentEvent: (e) => {
          if (e.kind !== "recurred") requestSync();
        },
      })
    : undefined;
  if (ingest) log.info({ paths: s.env.ingestPaths.length }, "ingesting incident logs");
  return {
    ingest,
    async stop() {
      clearInterval(timer);
      if (pending) clearTimeout(pending);
      await ingest?.stop();
    },
  };
}
