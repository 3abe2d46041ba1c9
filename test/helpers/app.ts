import nock from "nock";
import pino from "pino";
import { Probot, ProbotOctokit } from "probot";
import { stewardApp } from "../../src/app/index.ts";
import { deadLetterNotice } from "../../src/app/dead-letter.ts";
import { createServices, type Services } from "../../src/app/services.ts";
import { loadEnv } from "../../src/config/env.ts";
import { routes } from "../../src/events/index.ts";
import { createRunner, type Runner } from "../../src/jobs/runner.ts";
import { createLlm } from "../../src/llm/client.ts";
import type { Logger } from "../../src/logger.ts";
import type { Db } from "../../src/store/types.ts";
import { createHandlers } from "../../src/tools/registry.ts";
import { testPrivateKey } from "./webhooks.ts";

export const GH = "https://api.github.com";
export const APP_SLUG = "steward-test";

export interface TestApp {
  probot: Probot;
  services: Services;
  runner: Runner;
  receive(name: string, payload: unknown, id?: string): Promise<void>;
  /** Runs every queued job (skipping debounce windows) and returns how many ran. */
  drain(): Promise<number>;
}

let seq = 0;

/**
 * Steward in-process, exactly as `serve` wires it, with GitHub and the LLM reached over HTTP (mock them
 * with nock). Env overrides go through the real env parser.
 */
export function testApp(
  db: Db,
  env: Record<string, string> = {},
  opts: { onlyKinds?: string[]; log?: Logger } = {},
): TestApp {
  const appEnv = loadEnv({
    APP_ID: "1",
    PRIVATE_KEY: testPrivateKey(),
    WEBHOOK_SECRET: "secret",
    LLM_MAX_RETRIES: "0",
    ...env,
  });
  const log = opts.log ?? pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });
  const probot = new Probot({
    appId: 1,
    privateKey: testPrivateKey(),
    secret: "secret",
    log,
    // Function form: Probot merges its own throttle options over an object default, which would
    // re-enable the write pacing (a 1–3 s wait per comment) in tests.
    Octokit: ProbotOctokit.defaults((o: Record<string, any>) => ({
      ...o,
      retry: { enabled: false },
      throttle: { ...o.throttle, enabled: false },
    })),
  });
  const llm = createLlm(appEnv.llm, { db, log });
  const services = createServices({ db, log, env: appEnv, llm, probot, appSlug: APP_SLUG });
  let handlers = createHandlers(services);
  // A focused test runs only the kinds it is about; other areas' jobs stay queued, untouched.
  if (opts.onlyKinds) {
    const only = opts.onlyKinds;
    handlers = Object.fromEntries(Object.entries(handlers).filter(([k]) => only.includes(k)));
  }
  const runner = createRunner({
    db,
    log,
    handlers,
    leaseMs: 30_000,
    backoff: { baseMs: 1, maxMs: 1 },
    onDeadLetter: (job, err) => deadLetterNotice(services, job, err),
  });
  void probot.load(stewardApp({ db, log, routes }));
  return {
    probot,
    services,
    runner,
    async receive(name, payload, id) {
      await probot.receive({ id: id ?? `delivery-${++seq}`, name: name as never, payload: payload as never });
    },
    drain: () => runner.drain(),
  };
}

/** The token exchange every installation-authenticated job starts with. */
export function mockInstallationToken(installationId: number, times = 1): nock.Scope {
  return nock(GH)
    .post(`/app/installations/${installationId}/access_tokens`)
    .times(times)
    .reply(201, {
      token: "ghs_test",
      expires_at: new Date(Date.now() + 3600_000).toISOString(),
      permissions: {},
    });
}

/** No `.github/steward.yml` in the repo nor in the owner's `.github` repo: defaults apply. */
export function mockNoRepoConfig(owner: string, repo: string): nock.Scope {
  return nock(GH)
    .get(`/repos/${owner}/${repo}/contents/${encodeURIComponent(".github/steward.yml")}`)
    .reply(404, { message: "Not Found" })
    .get(`/repos/${owner}/.github/contents/${encodeURIComponent(".github/steward.yml")}`)
    .reply(404, { message: "Not Found" });
}
