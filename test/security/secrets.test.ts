// No secret leaves where it belongs: a /review run (success, then an LLM endpoint that echoes the key
// in its 401 answer) with distinctive fake credentials in the environment. None of them may appear in
// the captured log, any stored row, any GitHub request body or any LLM request body; the keys appear
// only in the Authorization headers they authenticate.
import { Writable } from "node:stream";
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLogger, envSecrets, maskSecrets } from "../../src/logger.ts";
import { GH, mockNoRepoConfig, testApp } from "../helpers/app.ts";
import { sqliteTestDb, type TestDb } from "../helpers/db.ts";
import { testPrivateKey } from "../helpers/webhooks.ts";
import { completion } from "../llm/helpers.ts";
import { REVIEW } from "../tools/pr/answers.ts";
import {
  fixtureFiles,
  keepOnlyPrJobs,
  LLM,
  NUMBER,
  OWNER,
  PR_KINDS,
  prCommentPayload,
  R,
  REPO,
} from "../tools/pr/helpers.ts";

const LLM_KEY = "sk-steward-FAKEKEY-llm-7f3a9c2e1d";
const INSTALL_TOKEN = "ghs_StewardFakeInstallTok3n9876543210";
const WORKER_SECRET = "worker-FAKESECRET-b81c44e0";
const WEBHOOK_SECRET = "webhook-FAKESECRET-0c9d7e";

function capturedLog() {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  });
  return { stream, text: () => chunks.join("") };
}

async function dumpTables(db: TestDb["db"]): Promise<string> {
  const tables = await db.query<{ name: string }>(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
  );
  const out: string[] = [];
  for (const { name } of tables) out.push(name, JSON.stringify(await db.query(`SELECT * FROM "${name}"`)));
  return out.join("\n");
}

describe("secrets never leave their headers", () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await sqliteTestDb();
  });
  afterEach(async () => t.cleanup());

  it("a /review run and an LLM 401 that echoes the key: no secret in logs, rows, GitHub or LLM bodies", async () => {
    const cap = capturedLog();
    const env = {
      LLM_API_KEY: LLM_KEY,
      LLM_BASE_URL: `${LLM}/v1`,
      LLM_MODEL: "gpt-4o-mini",
      WORKER_SHARED_SECRET: WORKER_SECRET,
      WEBHOOK_SECRET,
    };
    const keyLine = testPrivateKey().split("\n")[5]!;
    const secrets = [LLM_KEY, INSTALL_TOKEN, WORKER_SECRET, WEBHOOK_SECRET, keyLine];
    const log = createLogger({
      level: "trace",
      destination: cap.stream,
      secrets: envSecrets({
        webhookSecret: WEBHOOK_SECRET,
        workerSharedSecret: WORKER_SECRET,
        privateKey: testPrivateKey(),
        llm: { apiKey: LLM_KEY },
      }),
    });
    const app = testApp(t.db, env, { onlyKinds: PR_KINDS, log });

    const ghBodies: string[] = [];
    const llmBodies: string[] = [];
    const gh = (scope: nock.Scope) =>
      scope.on("request", (_req, _i, body) => {
        ghBodies.push(String(body ?? ""));
      });
    const llmScope = (status: number, answer: unknown) =>
      // The key must be in the Authorization header (nock matches on it), and nowhere else.
      nock(LLM, { reqheaders: { authorization: `Bearer ${LLM_KEY}` } })
        .post("/v1/chat/completions")
        .reply(status, answer)
        .on("request", (_req, _i, body) => {
          llmBodies.push(String(body ?? ""));
        });
    const githubForOneReview = (commentId: number, llmStatus: number, llmAnswer: unknown) => {
      if (commentId === 9500) {
        gh(
          nock(GH)
            .post("/app/installations/42/access_tokens")
            .reply(201, {
              token: INSTALL_TOKEN,
              expires_at: new Date(Date.now() + 3600_000).toISOString(),
              permissions: {},
            }),
        );
        gh(mockNoRepoConfig(OWNER, REPO));
      }
      gh(
        nock(GH, { reqheaders: { authorization: `token ${INSTALL_TOKEN}` } })
          .get(`${R}/collaborators/Codertocat/permission`)
          .reply(200, { permission: "write", role_name: "write" })
          .post(`${R}/issues/comments/${commentId}/reactions`)
          .reply(201, { id: 1, content: "eyes" })
          .get(`${R}/pulls/${NUMBER}`)
          .reply(200, {
            number: NUMBER,
            title: "Allow conditional revalidation",
            body: "Author text.",
            draft: false,
            changed_files: 3,
            user: { login: "Codertocat", type: "User" },
            head: { sha: "ec26c3e57ca3a959ca5aad62de7213c562f8c821", ref: "f" },
            base: { sha: "f95f852bd8fca8fcc58a9a2d6c842781e32a215e", ref: "main" },
            labels: [],
          })
          .get(`${R}/pulls/${NUMBER}/files`)
          .query(true)
          .reply(200, fixtureFiles("express-query-revalidation"))
          .get(`${R}/issues/${NUMBER}/comments`)
          .query(true)
          .times(2)
          .reply(200, [])
          .post(`${R}/issues/${NUMBER}/comments`)
          .reply(201, { id: 700, html_url: "https://github.com/x#700" }),
      );
      if (llmStatus === 200)
        gh(
          nock(GH)
            // Steward's earlier inline comments, read so a retried review never repeats one.
            .get(`${R}/pulls/${NUMBER}/comments`)
            .query(true)
            .reply(200, [])
            .post(`${R}/pulls/${NUMBER}/reviews`)
            .reply(200, { id: 80, html_url: "https://github.com/x#review-80" }),
        );
      llmScope(llmStatus, llmAnswer);
    };

    // 1. A successful /review.
    await app.receive("issue_comment", prCommentPayload("/review", 9500));
    await keepOnlyPrJobs(t.db);
    githubForOneReview(9500, 200, completion(JSON.stringify(REVIEW)));
    expect(await app.drain()).toBe(1);

    // 2. The endpoint rejects the key and quotes it back (some proxies do).
    await app.receive("issue_comment", prCommentPayload("/review", 9501));
    await t.db.exec("UPDATE jobs SET run_at = 0 WHERE state = 'queued'");
    await keepOnlyPrJobs(t.db);
    githubForOneReview(9501, 401, {
      error: { message: `Incorrect API key provided: ${LLM_KEY}`, type: "invalid_request_error" },
    });
    expect(await app.drain()).toBe(1);

    const runs = await t.db.query<{ outcome: string }>("SELECT outcome FROM job_runs ORDER BY id");
    expect(runs.map((r) => r.outcome)).toEqual(["done", "dead"]);

    const logText = cap.text();
    const rows = await dumpTables(t.db);
    // The run did log (so the assertion below can fail), and the failure reached the store.
    expect(logText).toContain("job failed permanently");
    expect(rows).toContain("llm_usage");
    expect(ghBodies.join("\n")).toContain("Steward could not finish");
    expect(llmBodies).toHaveLength(2);
    for (const s of secrets) {
      expect(logText).not.toContain(s);
      expect(rows).not.toContain(s);
      for (const b of ghBodies) expect(b).not.toContain(s);
      for (const b of llmBodies) expect(b).not.toContain(s);
    }
  });

  it("masks env secrets and known token shapes inside strings and error cause chains", () => {
    const cap = capturedLog();
    const log = createLogger({ level: "info", destination: cap.stream, secrets: [LLM_KEY, "short"] });
    const cause = new Error(`401 Incorrect API key provided: ${LLM_KEY}`);
    log.error({ err: new Error("wrapped", { cause }) }, "call failed");
    log.warn({ note: `header was Bearer ${"a".repeat(30)} and ${INSTALL_TOKEN}` }, "odd");
    log.info({ headers: { authorization: "token x" }, req: { headers: { cookie: "c=1" } } }, "req");
    const text = cap.text();
    expect(text).not.toContain(LLM_KEY);
    expect(text).not.toContain(INSTALL_TOKEN);
    expect(text).not.toContain("a".repeat(30));
    expect(text).toContain("Bearer [redacted]");
    expect(text).toContain('"authorization":"[redacted]"');
    expect(text).toContain('"cookie":"[redacted]"');
    // Short values are not masked by value (they would eat ordinary words).
    expect(maskSecrets("a short note", ["short"])).toBe("a short note");
    expect(maskSecrets('{"k":"line\\nwith"}', ["line\nwith"])).toBe('{"k":"[redacted]"}');
  });
});
