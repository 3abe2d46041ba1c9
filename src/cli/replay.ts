import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Probot, ProbotOctokit } from "probot";
import { createServices } from "../app/services.ts";
import { loadEnv } from "../config/env.ts";
import { routes } from "../events/index.ts";
import { intake, toEvent } from "../events/intake.ts";
import { createRunner } from "../jobs/runner.ts";
import { createLlm } from "../llm/client.ts";
import { createLogger, envSecrets } from "../logger.ts";
import { openDb } from "../store/index.ts";
import { createHandlers } from "../tools/registry.ts";
import { CliUsageError, type CliCommand } from "./types.ts";

export const command: CliCommand = {
  name: "replay",
  summary: "Run a saved webhook payload through the handlers, then its jobs.",
  usage: `steward replay EVENT PAYLOAD.json [--id DELIVERY_ID]

Like 'probot receive': feeds PAYLOAD.json as a delivery of EVENT (e.g. pull_request, issue_comment) to
the intake, then runs every job it enqueued (and their follow-ups) to completion, skipping debounce and
grace windows. Authenticates with GITHUB_TOKEN, or with the App's credentials (APP_ID + PRIVATE_KEY).`,
  async run(argv, io) {
    const [event, file, ...rest] = argv;
    if (!event || !file) throw new CliUsageError("expected EVENT and PAYLOAD.json");
    let id = `replay-${randomUUID()}`;
    if (rest[0] === "--id" && rest[1]) id = rest[1];
    else if (rest.length) throw new CliUsageError(`unexpected argument '${rest[0]}'`);
    let payload: unknown;
    try {
      payload = JSON.parse(readFileSync(resolve(io.cwd, file), "utf8"));
    } catch (err) {
      io.stderr(
        `steward replay: ${file} is not a readable JSON payload (${(err as Error).message.split("\n")[0]})\n`,
      );
      return 1;
    }
    const env = loadEnv(io.env);
    const token = io.env.GITHUB_TOKEN;
    if (!token && (env.appId === undefined || !env.privateKey)) {
      io.stderr(
        "steward replay: set GITHUB_TOKEN, or APP_ID and PRIVATE_KEY, so the jobs can reach GitHub\n",
      );
      return 1;
    }
    const log = createLogger({ level: env.logLevel, format: env.logFormat, secrets: envSecrets(env) });
    const db = await openDb(env.databaseUrl);
    try {
      const probot = token
        ? new Probot({ githubToken: token, baseUrl: env.githubApiUrl, log, Octokit: ProbotOctokit })
        : new Probot({
            appId: env.appId!,
            privateKey: env.privateKey!,
            baseUrl: env.githubApiUrl,
            log,
            Octokit: ProbotOctokit,
          });
      const llm = createLlm(env.llm, { db, log });
      const services = createServices({ db, log, env, llm, probot });
      // With a token there is no App installation; the token stands in for one, so jobs still read the
      // repository's config and post through the gateway.
      const p = payload as { installation?: { id?: number } } | null;
      if (token && p && typeof p === "object" && !p.installation?.id) p.installation = { id: 1 };
      const result = await intake(db, routes, toEvent(event, id, payload), log);
      io.stdout(`delivery ${id}: ${result.outcome}, ${result.jobIds.length} job(s) enqueued\n`);
      const runner = createRunner({ db, log, handlers: createHandlers(services), leaseMs: env.leaseMs });
      const ran = await runner.drain();
      io.stdout(`ran ${ran} job run(s)\n`);
      return 0;
    } finally {
      await db.close();
    }
  },
};
