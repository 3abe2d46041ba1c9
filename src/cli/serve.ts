import { loadEnv } from "../config/env.ts";
import { errorMessage } from "../errors.ts";
import { createLogger, envSecrets } from "../logger.ts";
import { start } from "../server/index.ts";
import { CliUsageError, type CliCommand, type CliIO } from "./types.ts";

/** Extra time past STEWARD_SHUTDOWN_MS for releasing leases and closing the store. */
const SHUTDOWN_BACKSTOP_MS = 5_000;

async function runRole(role: "serve" | "worker", argv: string[], io: CliIO): Promise<number> {
  if (argv.length) throw new CliUsageError(`unexpected argument '${argv[0]}'`);
  const env = loadEnv(io.env, { requireApp: role === "worker" });
  const log = createLogger({ level: env.logLevel, format: env.logFormat, secrets: envSecrets(env) });
  const running = await start(env, log, role);
  if (!running) return await new Promise<number>(() => {}); // setup page runs until stopped
  const code = await new Promise<number>((resolve) => {
    let stopping = false;
    const shutdown = (signal: string) => {
      if (stopping) {
        log.warn({ signal }, "second signal: exiting now");
        resolve(1);
        return;
      }
      stopping = true;
      log.info({ signal, deadlineMs: env.shutdownMs }, "shutting down: finishing running jobs");
      // The runner gives leases back at the deadline; this backstop covers a step that still hangs
      // (a store that does not answer, a server that will not close), so shutdown always ends.
      const backstop = setTimeout(() => {
        log.error({ deadlineMs: env.shutdownMs }, "shutdown overran its deadline; exiting");
        resolve(1);
      }, env.shutdownMs + SHUTDOWN_BACKSTOP_MS);
      backstop.unref();
      void running
        .stop()
        .then(() => resolve(0))
        .catch((err) => {
          log.error({ err: errorMessage(err) }, "shutdown failed");
          resolve(1);
        });
    };
    process.on("SIGTERM", () => shutdown("SIGTERM"));
    process.on("SIGINT", () => shutdown("SIGINT"));
  });
  log.info({ code }, "steward stopped");
  // Whatever still holds the event loop (an abandoned handler's socket, a pool thread) must not keep
  // the process alive: the leases are back in the store, so exiting loses nothing.
  setTimeout(() => process.exit(code), 200).unref();
  return code;
}

export const serve: CliCommand = {
  name: "serve",
  summary: "Run the webhook server and the job runner (the App).",
  usage: `steward serve

Starts the GitHub App: webhook intake on PORT (default 3000) at WEBHOOK_PATH, /healthz, /metrics,
the worker API, and the job runner. The store is DATABASE_URL (default sqlite:./data/steward.db).
Without APP_ID and a private key it serves Steward's setup page, which registers the App from app.yml
(Probot's manifest flow) and writes APP_ID, PRIVATE_KEY and WEBHOOK_SECRET to .env.
Environment: see .env.example.`,
  run: (argv, io) => runRole("serve", argv, io),
};

export const worker: CliCommand = {
  name: "worker",
  summary: "Run only the job runner (scale out: many workers on one Postgres).",
  usage: `steward worker

Claims and runs jobs from DATABASE_URL without serving webhooks. Run any number of workers against one
Postgres database (postgres://…); they share the queue with FOR UPDATE SKIP LOCKED.
Requires APP_ID, PRIVATE_KEY (or PRIVATE_KEY_PATH) and WEBHOOK_SECRET.`,
  run: (argv, io) => runRole("worker", argv, io),
};
