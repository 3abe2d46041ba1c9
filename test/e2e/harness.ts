// One end-to-end world: the GitHub simulator, the LLM fake, and `steward serve` as a real child process
// pointed at both (GHE_HOST, LLM_BASE_URL), with its store in a temp SQLite file or a fresh Postgres
// schema. Tests drive it with signed webhooks and read the simulator's state.
import { createPublicKey, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import type { Db } from "../../src/store/types.ts";
import { pgTestDb, sqliteTestDb, type TestDb } from "../helpers/db.ts";
import { freePort, type Proc, spawnSteward, waitFor } from "../helpers/server.ts";
import { sign, testPrivateKey } from "../helpers/webhooks.ts";
import { LlmFake, type LlmFakeOptions } from "./llm/fake.ts";
import { GitHubSimulator } from "./sim/server.ts";

export const WEBHOOK_SECRET = "e2e-webhook-secret";
export const LLM_KEY = "sk-e2e-test-key";
export const APP_ID = 12345;

export interface WorldOptions {
  store?: "sqlite" | "postgres";
  llm?: LlmFakeOptions | false;
  /** Extra environment for `steward serve`. */
  env?: Record<string, string>;
}

export class World {
  readonly sim: GitHubSimulator;
  readonly llm: LlmFake | undefined;
  readonly dir: string;
  port = 0;
  proc: Proc | undefined;
  db!: Db;
  #testDb: TestDb | undefined;
  #opts: WorldOptions;
  #env: Record<string, string> = {};
  #delivery = 0;

  constructor(opts: WorldOptions = {}) {
    this.#opts = opts;
    const publicKey = createPublicKey(testPrivateKey()).export({ type: "spki", format: "pem" }).toString();
    this.sim = new GitHubSimulator({ appId: APP_ID, appSlug: "steward-test", publicKey });
    this.llm = opts.llm === false ? undefined : new LlmFake({ apiKey: LLM_KEY, ...(opts.llm ?? {}) });
    this.dir = mkdtempSync(join(tmpdir(), "steward-e2e-"));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get env(): Record<string, string> {
    return this.#env;
  }

  async start(): Promise<this> {
    const simPort = await this.sim.start();
    if (this.llm) await this.llm.start();
    this.#testDb = this.#opts.store === "postgres" ? await pgTestDb() : await sqliteTestDb();
    this.db = this.#testDb.db;
    this.port = await freePort();
    this.#env = {
      APP_ID: String(APP_ID),
      PRIVATE_KEY: testPrivateKey(),
      WEBHOOK_SECRET,
      PORT: String(this.port),
      HOST: "127.0.0.1",
      GHE_HOST: `127.0.0.1:${simPort}`,
      GHE_PROTOCOL: "http",
      DATABASE_URL: this.#testDb.url,
      LOG_LEVEL: "info",
      STEWARD_COMMAND_DEBOUNCE_MS: "0",
      STEWARD_PUSH_DEBOUNCE_MS: "0",
      STEWARD_INDEX_DEBOUNCE_MS: "200",
      STEWARD_MAP_DEBOUNCE_MS: "200",
      STEWARD_ISSUE_GRACE_MS: "1500",
      ...(this.llm
        ? {
            LLM_BASE_URL: this.llm.baseUrl,
            LLM_API_KEY: LLM_KEY,
            LLM_MODEL: "gpt-4o-mini",
            LLM_MAX_RETRIES: "0",
          }
        : {}),
      ...(this.#opts.env ?? {}),
    };
    this.proc = spawnSteward(["serve"], this.#env, { cwd: this.dir });
    // Generous: on a loaded CI machine a cold start (type stripping, migrations) can take many seconds.
    const proc = this.proc;
    await waitFor(
      async () => {
        if (proc.child.exitCode !== null) throw new Error(`steward serve exited early:\n${proc.output()}`);
        const r = await fetch(`${this.url}/healthz`).catch(() => undefined);
        return r?.status === 200 ? true : undefined;
      },
      "steward serve to become healthy",
      60_000,
    ).catch((err) => {
      throw new Error(`${(err as Error).message}; its output:\n${proc.output().slice(-4000)}`);
    });
    return this;
  }

  async stop(): Promise<void> {
    await this.proc?.stop("SIGTERM");
    await this.sim.stop();
    await this.llm?.stop();
    await this.#testDb?.cleanup();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** POSTs a signed delivery; returns the HTTP status. */
  async deliver(
    event: string,
    payload: unknown,
    opts: { id?: string; secret?: string } = {},
  ): Promise<{ status: number; id: string }> {
    const id = opts.id ?? `e2e-${++this.#delivery}-${randomBytes(4).toString("hex")}`;
    const body = JSON.stringify(payload);
    const res = await fetch(`${this.url}/api/github/webhooks`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": event,
        "x-github-delivery": id,
        "x-hub-signature-256": sign(body, opts.secret ?? WEBHOOK_SECRET),
        "user-agent": "GitHub-Hookshot/e2e",
      },
      body,
    });
    await res.arrayBuffer();
    return { status: res.status, id };
  }

  /**
   * Jobs running, queued to run within 5 s, or waiting to be retried. The test environment shortens
   * every debounce and grace window below 5 s; periodic housekeeping (scheduled further ahead) does
   * not count.
   */
  async pendingJobs(): Promise<Array<{ kind: string; state: string; run_at: number }>> {
    return this.db.query(
      "SELECT kind, state, run_at FROM jobs WHERE state = 'running' OR (state = 'queued' AND (run_at <= $1 OR attempts > 0))",
      [Date.now() + 5_000],
    );
  }

  /**
   * Waits until Steward is quiet: no job running, queued to run soon or waiting for a retry, no request
   * in flight at the simulator or the LLM fake, and none for 300 ms (a dead-letter note or a handler's
   * follow-up job can trail the job that caused it).
   */
  async idle(timeoutMs = 90_000): Promise<void> {
    await waitFor(
      async () => {
        if (this.proc && this.proc.child.exitCode !== null)
          throw new Error(`steward exited:\n${this.proc.output()}`);
        if ((await this.pendingJobs()).length) return undefined;
        if (this.sim.inflight > 0 || (this.llm?.inflight ?? 0) > 0) return undefined;
        const last = Math.max(this.sim.lastRequestAt, this.llm?.lastRequestAt ?? 0);
        if (Date.now() - last < 300) return undefined;
        // Checked again after the quiet spell: a job may have been enqueued meanwhile.
        return (await this.pendingJobs()).length ? undefined : true;
      },
      "steward to become idle",
      timeoutMs,
    ).catch(async (err) => {
      throw new Error(
        `${(err as Error).message}: ${JSON.stringify(await this.pendingJobs())}\n${this.proc?.output().slice(-4000)}`,
      );
    });
  }

  /** Jobs that ended in a state other than done (failed for good, dead-lettered). */
  async failedJobs(): Promise<Array<{ kind: string; state: string; last_error: string | null }>> {
    return this.db.query(
      "SELECT kind, state, last_error FROM jobs WHERE state NOT IN ('done', 'queued', 'running', 'cancelled')",
    );
  }

  /**
   * LLM answers Steward re-asked in json_schema mode. The fake always answers with an instance of the
   * schema Steward sent, so any re-ask means Steward refused an answer its own schema allows.
   */
  schemaRepairs(): string[] {
    return (this.llm?.requests ?? [])
      .filter((r) => r.mode === "json_schema" && r.messages.some((m) => m.role === "assistant"))
      .map((r) => `${r.name}: ${r.messages.at(-1)?.content.slice(0, 500)}`);
  }

  /** What every e2e test asserts after each step: GitHub's description and Steward's own schemas held. */
  async assertClean(opts: { dead?: string[] } = {}): Promise<void> {
    const invalid = this.sim.invalid.splice(0);
    const dishonest = this.sim.responseProblems.splice(0);
    const repairs = this.schemaRepairs();
    if (this.llm) this.llm.requests.length = 0;
    const failed = (await this.failedJobs()).map((j) => j.kind);
    const dotcom = this.linksToGithubCom();
    expect(invalid, "requests invalid against GitHub's REST description or GraphQL schema").toEqual([]);
    expect(dishonest, "simulator responses that do not match GitHub's description").toEqual([]);
    expect(repairs, "answers valid under the sent JSON Schema that Steward refused").toEqual([]);
    expect(failed, "jobs that failed for good").toEqual(opts.dead ?? []);
    expect(dotcom, "links to github.com written on a GitHub Enterprise Server").toEqual([]);
  }

  /** Text Steward wrote (comments, reviews, review comments, issue and PR bodies) linking to github.com. */
  linksToGithubCom(): string[] {
    const out: string[] = [];
    const bot = this.sim.botLogin;
    for (const repo of this.sim.state.repos.values()) {
      const texts = [
        ...[...repo.comments.values()].filter((c) => c.user.login === bot).map((c) => c.body),
        ...repo.reviews.filter((r) => r.user.login === bot).map((r) => r.body),
        ...[...repo.reviewComments.values()].filter((c) => c.user.login === bot).map((c) => c.body),
        ...[...repo.issues.values()].filter((i) => i.user.login === bot).map((i) => i.body ?? ""),
        // Steward's section of a PR body (the author's text around it is theirs).
        ...[...repo.issues.values()].map(
          (i) =>
            /<!-- steward:describe:start -->[\s\S]*?<!-- steward:describe:end -->/.exec(i.body ?? "")?.[0] ??
            "",
        ),
      ];
      for (const t of texts) {
        const m = /https?:\/\/(www\.)?github\.com\/[^\s)"'>]*/.exec(t);
        if (m) out.push(`${repo.fullName}: ${m[0]}`);
      }
    }
    return out;
  }

  /** Log lines of the server at level warn or above (pino JSON). */
  problems(): Array<Record<string, unknown>> {
    return (this.proc?.output() ?? "")
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => {
        try {
          return JSON.parse(l) as Record<string, unknown>;
        } catch {
          return {};
        }
      })
      .filter((r) => typeof r.level === "number" && r.level >= 40);
  }
}

export async function startWorld(opts: WorldOptions = {}): Promise<World> {
  return new World(opts).start();
}

export { waitFor };
