import { Probot, ProbotOctokit, Server } from "probot";
import type { AppEnv } from "../config/env.ts";
import { createServices, type Services } from "../app/services.ts";
import { deadLetterNotice } from "../app/dead-letter.ts";
import { stewardApp } from "../app/index.ts";
import { routes as defaultRoutes } from "../events/index.ts";
import { closeCompute, configureCompute } from "../compute/pool.ts";
import { errorMessage } from "../errors.ts";
import { createRunner, type Runner } from "../jobs/runner.ts";
import { createLlm } from "../llm/client.ts";
import type { Logger } from "../logger.ts";
import { openDb } from "../store/index.ts";
import type { Db } from "../store/types.ts";
import { startIncidentLoop } from "../tools/incidents/serve.ts";
import { createHandlers } from "../tools/registry.ts";
import { extraRoutes } from "./extra-routes.ts";
import { healthRoute, metricsRoute } from "./http.ts";
import { startSetup } from "./setup.ts";

export interface Running {
  db: Db;
  runner: Runner;
  services: Services;
  server?: Server;
  port?: number;
  stop(): Promise<void>;
}

function probotFor(env: AppEnv, log: Logger): Probot {
  return new Probot({
    appId: env.appId!,
    privateKey: env.privateKey!,
    secret: env.webhookSecret!,
    baseUrl: env.githubApiUrl,
    log,
    Octokit: ProbotOctokit,
  });
}

/**
 * `steward serve` (intake + runner) and `steward worker` (runner only). Without App credentials,
 * serve shows Steward's setup page, which registers the App from app.yml through Probot's manifest flow.
 */
export async function start(
  env: AppEnv,
  log: Logger,
  role: "serve" | "worker",
): Promise<Running | undefined> {
  if (role === "serve" && (env.appId === undefined || !env.privateKey)) {
    // Probot's manifest flow behind Steward's own first screen (src/server/setup.ts).
    await startSetup({ host: env.host, port: env.port, log });
    return undefined;
  }
  const db = await openDb(env.databaseUrl, { backgroundCheckpoint: true });
  configureCompute({ threads: env.poolThreads, budgetMs: env.taskBudgetMs, memoryMb: env.taskMemoryMb });
  const probot = probotFor(env, log);
  const llm = createLlm(env.llm, { db, log });
  let runner: Runner | undefined;
  const services = createServices({ db, log, env, llm, probot, poke: () => runner?.poke() });
  runner = createRunner({
    db,
    log,
    handlers: createHandlers(services),
    concurrency: env.concurrency,
    perInstallationLimit: env.installationConcurrency,
    leaseMs: env.leaseMs,
    maxAttempts: env.jobMaxAttempts,
    shutdownMs: env.shutdownMs,
    jobTimeoutMs: env.jobTimeoutMs,
    onDeadLetter: (job, err) => deadLetterNotice(services, job, err),
  });
  // Hourly housekeeping as a keyed job, so N replicas schedule it once per hour between them.
  const schedulePurge = () =>
    void services
      .enqueue({
        kind: "maintenance.purge",
        payload: {},
        dedupeKey: "maintenance.purge",
        // The next full hour: re-scheduling (by this or another replica) keeps the same time instead of
        // pushing the pending run back forever.
        runAt: Math.ceil((Date.now() + 1) / 3600_000) * 3600_000,
      })
      .catch((err) => log.warn({ err: errorMessage(err) }, "could not schedule maintenance"));
  schedulePurge();
  const purge = setInterval(schedulePurge, 3600_000);
  purge.unref();

  // Before the server loads: the OTLP receiver (when configured) is one of its routes.
  const incidentLoop = role === "serve" ? startIncidentLoop(services) : undefined;
  let server: Server | undefined;
  if (role === "serve") {
    server = new Server({
      host: env.host,
      port: env.port,
      webhookPath: env.webhookPath,
      webhookProxy: env.webhookProxyUrl,
      log,
      Probot: Probot.defaults({
        appId: env.appId,
        privateKey: env.privateKey,
        secret: env.webhookSecret,
        baseUrl: env.githubApiUrl,
        log,
      }),
      enableStaticFiles: false,
    });
    await server.load(
      stewardApp({
        db,
        log,
        routes: defaultRoutes,
        http: [healthRoute(db), metricsRoute(db), ...extraRoutes(services), ...(incidentLoop?.routes ?? [])],
        onEnqueued: () => runner?.poke(),
      }),
    );
    await server.start();
  }
  runner.start();
  log.info(
    {
      role,
      store: db.dialect,
      concurrency: env.concurrency,
      llm: llm.configured ? llm.model : "not configured",
    },
    "steward started",
  );
  let stopped = false;
  return {
    db,
    runner,
    services,
    server,
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(purge);
      // Stop claiming and intake first; the runner then has the whole shutdown deadline for its jobs.
      const runnerStopped = runner.stop(env.shutdownMs);
      await Promise.all([
        incidentLoop?.stop().catch(() => {}),
        server?.stop().catch(() => {}),
        runnerStopped,
      ]);
      await Promise.all([db.close().catch(() => {}), closeCompute().catch(() => {})]);
    },
  };
}
