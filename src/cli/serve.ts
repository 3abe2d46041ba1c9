import { loadEnv } from "../config/env.ts";
import { createLogger, envSecrets } from "../logger.ts";
import { start } from "../server/index.ts";
import { CliUsageError, type CliCommand, type CliIO } from "./types.ts";

async function runRole(role: "serve" | "worker", argv: string[], io: CliIO): Promise<number> {
  if (argv.length) throw new CliUsageError(`unexpected argument '${argv[0]}'`);
  const env = loadEnv(io.env, { requireApp: role === "worker" });
  const log = createLogger({ level: env.logLevel, secrets: envSecrets(env) });
  const running = await start(env, log, role);
  if (!running) return await new Promise<number>(() => {}); // setup page runs until stopped
  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      log.info({ signal }, "shutting down: finishing running jobs");
      void running.stop().then(resolve);
    };
    process.once("SIGTERM", () => shutdown("SIGTERM"));
    process.once("SIGINT", () => shutdown("SIGINT"));
  });
  return 0;
}

export const serve: CliCommand = {
  name: "serve",
  summary: "Run the webhook server and the job runner (the App).",
  usage: `steward serve

Starts the GitHub App: webhook intake on PORT (default 3000) at WEBHOOK_PATH, /healthz, /metrics,
the worker API, and the job runner. The store is DATABASE_URL (default sqlite:./data/steward.db).
Without APP_ID and a private key it serves Probot's setup page, which registers the App from app.yml.
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
