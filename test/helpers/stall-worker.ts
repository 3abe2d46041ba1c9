// A job-runner process wired exactly like `steward worker` (real store, services, gateway, fence and
// dead-letter notice), whose one job kind stalls the main thread for STALL_MS before posting a
// comment: the defect class of issue 13 (a slow regex, a huge diff parsed on the event loop). Used
// by test/jobs/stall.test.ts to run two such processes against one store.
import { Probot, ProbotOctokit } from "probot";
import { deadLetterNotice } from "../../src/app/dead-letter.ts";
import { createServices } from "../../src/app/services.ts";
import { loadEnv } from "../../src/config/env.ts";
import { createRunner } from "../../src/jobs/runner.ts";
import { createLlm } from "../../src/llm/client.ts";
import { createLogger } from "../../src/logger.ts";
import { openDb } from "../../src/store/index.ts";

const env = loadEnv(process.env, { requireApp: true });
const log = createLogger({ level: env.logLevel });
const db = await openDb(env.databaseUrl);
const probot = new Probot({
  appId: env.appId!,
  privateKey: env.privateKey!,
  secret: env.webhookSecret!,
  baseUrl: env.githubApiUrl,
  log,
  Octokit: ProbotOctokit.defaults((o: Record<string, any>) => ({
    ...o,
    retry: { enabled: false },
    throttle: { ...o.throttle, enabled: false },
  })),
});
const services = createServices({ db, log, env, llm: createLlm(env.llm, { db, log }), probot });
const stallMs = Number(process.env.STALL_MS);
const runner = createRunner({
  db,
  log,
  leaseMs: Number(process.env.LEASE_MS),
  pollMs: 100,
  maxAttempts: env.jobMaxAttempts,
  handlers: {
    "test.stall": async (job) => {
      const gw = await services.gateway(job.installationId!, job.repo!);
      log.info({ jobId: job.id, attempt: job.attempts }, "stalling the event loop");
      const until = Date.now() + stallMs;
      while (Date.now() < until) {
        // a synchronous stall: no timer, heartbeat or I/O runs in this process meanwhile
      }
      await gw.upsertComment({
        issueNumber: job.targetNumber!,
        kind: "stall",
        key: String(job.id),
        body: `result of attempt ${job.attempts}`,
      });
    },
  },
  onDeadLetter: (job, err) => deadLetterNotice(services, job, err),
});
runner.start();
process.once(
  "SIGTERM",
  () =>
    void runner
      .stop(1_000)
      .then(() => db.close())
      .then(() => process.exit(0)),
);
