import { createServer, type Server } from "node:http";
import type { Services } from "../../app/services.ts";
import { errorMessage } from "../../errors.ts";
import type { IncidentEvent } from "../../incidents/batch.ts";
import { type IngestHandle, startIngest } from "../../incidents/ingest.ts";
import { createOtlpReceiver, type OtlpHandler } from "../../incidents/otlp/receiver.ts";
import type { RouteHandler } from "../../server/types.ts";
import { startRepoGrouping } from "./grouping.ts";
import { SYNC_KEY, SYNC_KIND } from "./index.ts";

// What `steward serve` runs for incidents: the periodic sync (a keyed job per minute, so N replicas
// schedule one between them), the log tailer when STEWARD_INGEST_PATHS is set, and the OTLP/HTTP
// logs receiver when STEWARD_OTLP_TOKEN is set. New and regressed incidents from either intake
// trigger a sync at once. Both group records by their target repository's settings (grouping.ts).

export const SYNC_EVERY_MS = 60_000;
const EVENT_COALESCE_MS = 250;

export interface IncidentLoop {
  /** The file tailer; set once the repositories' grouping settings have loaded. */
  readonly ingest: IngestHandle | undefined;
  /** Resolves when the tailer (if any) has started. */
  readonly started: Promise<void>;
  /** POST /v1/logs on the serve port (empty when OTLP is off or on its own port). */
  readonly routes: RouteHandler[];
  /** The separate OTLP listener (STEWARD_OTLP_PORT). */
  readonly otlpServer: Server | undefined;
  stop(): Promise<void>;
}

const OFF: IncidentLoop = {
  ingest: undefined,
  started: Promise.resolve(),
  routes: [],
  otlpServer: undefined,
  stop: async () => {},
};

export function startIncidentLoop(s: Services): IncidentLoop {
  const log = s.log;
  const inc = s.env.incidents;
  const otlpOn = s.env.otlp.tokens.length > 0;
  // Nothing to sync to and nothing to ingest: stay out of the job table entirely.
  if (!inc.repo && Object.keys(inc.repos).length === 0 && s.env.ingestPaths.length === 0 && !otlpOn)
    return OFF;
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
  // Recurrences only feed the stats comment, which the minute tick covers.
  const onIncidentEvent = (e: IncidentEvent) => {
    if (e.kind !== "recurred") requestSync();
  };
  const grouping = startRepoGrouping(s);

  let ingest: IngestHandle | undefined;
  let stopping = false;
  const started = s.env.ingestPaths.length
    ? grouping.whenReady().then(() => {
        if (stopping) return;
        ingest = startIngest({
          db: s.db,
          paths: s.env.ingestPaths,
          log,
          groupingFor: grouping.groupingFor,
          onIncidentEvent,
        });
        log.info({ paths: s.env.ingestPaths.length }, "ingesting incident logs");
      })
    : Promise.resolve();

  const otlp: OtlpHandler | undefined = otlpOn
    ? createOtlpReceiver({
        db: s.db,
        log,
        config: s.env.otlp,
        groupingFor: grouping.groupingFor,
        ready: grouping.ready,
        onIncidentEvent,
      })
    : undefined;
  let otlpServer: Server | undefined;
  if (otlp && s.env.otlp.port !== undefined) {
    otlpServer = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://localhost");
      if (url.pathname === "/v1/logs") return void otlp(req, res);
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ code: 5, message: "not found; OTLP logs go to POST /v1/logs" }));
    });
    otlpServer.listen(s.env.otlp.port, s.env.host);
  }
  const routes: RouteHandler[] =
    otlp && !otlpServer
      ? [
          async (req, res, url) => {
            if (url.pathname !== "/v1/logs") return false;
            await otlp(req, res);
            return true;
          },
        ]
      : [];
  if (otlp)
    log.info(
      { port: s.env.otlp.port ?? s.env.port, tokens: s.env.otlp.tokens.length },
      "OTLP logs receiver on /v1/logs",
    );

  return {
    get ingest() {
      return ingest;
    },
    started,
    routes,
    otlpServer,
    async stop() {
      stopping = true;
      clearInterval(timer);
      if (pending) clearTimeout(pending);
      grouping.stop();
      await ingest?.stop();
      if (otlpServer) {
        otlpServer.closeAllConnections();
        await new Promise<void>((r) => otlpServer!.close(() => r()));
      }
    },
  };
}
