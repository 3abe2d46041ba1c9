// Issue 3 "Bad input" on the model and config side, end to end: an LLM that never answers, a repo
// config naming an unknown tool, and a spent daily budget. Each ends in a visible comment.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { recordUsage } from "../../../src/llm/ledger.ts";
import { GH, mockInstallationToken, mockNoRepoConfig, testApp } from "../../helpers/app.ts";
import { sqliteTestDb, type TestDb } from "../../helpers/db.ts";
import { REVIEW } from "./answers.ts";
import {
  capture,
  fixtureFiles,
  keepOnlyPrJobs,
  LLM_ENV,
  markerOf,
  mockCreateComment,
  mockCreateReview,
  mockListReviewComments,
  mockListComments,
  mockLlm,
  mockPr,
  NUMBER,
  OWNER,
  PR_KINDS,
  prCommentPayload,
  prOpened,
  pullRequest,
  R,
  REPO,
} from "./helpers.ts";

const DESCRIBE = {
  types: ["feature"],
  title: "Allow QUERY in req.fresh",
  summary: ["req.fresh now validates QUERY requests too"],
  walkthrough: [{ file: "lib/request.js", summary: "QUERY joins GET and HEAD" }],
};

describe("PR tools: bad input from the model and the config", () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await sqliteTestDb();
  });
  afterEach(async () => t.cleanup());

  it("an LLM that never answers: a transient timeout, retried, then one failure comment", async () => {
    // A real loopback server that accepts and never answers (nock's delay + abort trips undici).
    let hits = 0;
    const server = createServer(() => {
      hits++;
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const app = testApp(
        t.db,
        { ...LLM_ENV, LLM_BASE_URL: `http://127.0.0.1:${port}/v1`, LLM_TIMEOUT_MS: "100" },
        { onlyKinds: PR_KINDS },
      );
      await app.receive("issue_comment", prCommentPayload("/review", 9601));
      await keepOnlyPrJobs(t.db);
      const attempts = 5;
      mockInstallationToken(42);
      mockNoRepoConfig(OWNER, REPO);
      nock(GH)
        .get(`${R}/collaborators/Codertocat/permission`)
        .times(attempts)
        .reply(200, { permission: "write", role_name: "write" })
        .post(`${R}/issues/comments/9601/reactions`, { content: "eyes" })
        .times(attempts)
        .reply(201, { id: 1, content: "eyes" });
      // Each attempt reads the review comment and the PR; the failure notice reads the comments once more.
      mockListComments([], attempts + 1);
      nock(GH).get(`${R}/pulls/${NUMBER}`).times(attempts).reply(200, pullRequest());
      nock(GH)
        .get(`${R}/pulls/${NUMBER}/files`)
        .query(true)
        .times(attempts)
        .reply(200, fixtureFiles("express-query-revalidation"));
      const c = capture();
      mockCreateComment(c);
      expect(await app.drain()).toBe(attempts);

      // The SDK does not retry (LLM_MAX_RETRIES=0 in tests): each job attempt made exactly one request.
      expect(hits).toBe(attempts);
      const runs = await t.db.query<{ outcome: string; error: string }>(
        "SELECT outcome, error FROM job_runs ORDER BY id",
      );
      const timedOut = `LLM request to 127.0.0.1:${port} timed out after 100 ms`;
      expect(runs).toEqual([
        ...Array.from({ length: attempts - 1 }, () => ({ outcome: "retry:requeued", error: timedOut })),
        { outcome: "dead", error: timedOut },
      ]);
      const usage = await t.db.query<{ outcome: string }>("SELECT outcome FROM llm_usage ORDER BY id");
      expect(usage.map((u) => u.outcome)).toEqual(Array(attempts).fill("error"));
      // Nothing half-done: no review, no summary; only the failure comment.
      expect(c.reviews).toEqual([]);
      expect(c.created).toHaveLength(1);
      const body = c.created[0]!.body;
      expect(markerOf(body)).toBe("<!-- steward:failure key=command.review -->");
      expect(body).toContain("### ❌ Steward could not finish `command.review`");
      expect(body).toContain(`The LLM endpoint (127.0.0.1:${port}) did not answer within 100 ms.`);
      expect(body).toContain("raise LLM_TIMEOUT_MS or check the endpoint.");
      expect(body).toContain("It tried 5 times. Re-run the command that started it");
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("a config naming an unknown tool: the notice is posted once and describe + review run with defaults", async () => {
    const app = testApp(t.db, LLM_ENV, { onlyKinds: PR_KINDS });
    await app.receive("pull_request", prOpened());
    await keepOnlyPrJobs(t.db);
    mockInstallationToken(42);
    nock(GH)
      .get(`${R}/contents/${encodeURIComponent(".github/steward.yml")}`)
      .reply(200, "pr:\n  auto: [describe, reviw]\n");
    const c = capture();
    // pr.auto: the notice (read the comments, then create), once for all three jobs.
    mockListComments([], 3);
    mockCreateComment(c, 600);
    // pr.describe (defaults)
    mockPr(fixtureFiles("express-query-revalidation"), {}, 2);
    nock(GH)
      .post("/graphql")
      .reply(200, { data: { repository: null } });
    nock(GH)
      .patch(`${R}/pulls/${NUMBER}`, (b) => {
        c.prPatches.push(b);
        return true;
      })
      .reply(200, {});
    // pr.review (defaults)
    mockPr(fixtureFiles("express-query-revalidation"));
    const llm = mockLlm([DESCRIBE, REVIEW]);
    mockListReviewComments();
    mockCreateReview(c);
    mockCreateComment(c, 700);
    expect(await app.drain()).toBe(3);

    const jobs = await t.db.query<{ kind: string; state: string }>(
      "SELECT kind, state FROM jobs WHERE kind LIKE 'pr.%' AND kind <> 'pr.map-issues' ORDER BY id",
    );
    expect(jobs).toEqual([
      { kind: "pr.auto", state: "done" },
      { kind: "pr.describe", state: "done" },
      { kind: "pr.review", state: "done" },
    ]);
    expect(llm).toHaveLength(2);
    expect(c.created).toHaveLength(2);
    const notice = c.created[0]!.body;
    expect(markerOf(notice)).toBe(`<!-- steward:config-error key=${OWNER}/${REPO} -->`);
    expect(notice).toContain("### ⚠️ Steward could not use `.github/steward.yml`");
    expect(notice).toContain("Steward is running with its **default settings** for this repository");
    expect(notice).toContain("- `pr.auto[1]: expected a PR tool: describe, review, improve`");
    expect(c.prPatches).toHaveLength(1);
    expect(c.prPatches[0]!.body).toContain("- req.fresh now validates QUERY requests too");
    expect(c.reviews).toHaveLength(1);
    expect(markerOf(c.created[1]!.body)).toMatch(/^<!-- steward:review key=summary state=/);
  });

  it("the daily LLM budget spent: facts and a budget note, no LLM request", async () => {
    await recordUsage(t.db, {
      installationId: 42,
      tool: "review",
      model: "gpt-4o-mini",
      promptTokens: 9_000,
      completionTokens: 1_000,
      costUsd: 0,
      outcome: "ok",
    });
    const app = testApp(t.db, { ...LLM_ENV, LLM_DAILY_TOKEN_BUDGET: "10000" }, { onlyKinds: PR_KINDS });
    await app.receive("pull_request", prOpened());
    await keepOnlyPrJobs(t.db);
    mockInstallationToken(42);
    mockNoRepoConfig(OWNER, REPO);
    const c = capture();
    // pr.describe: no LLM mock; a request to it would fail the job.
    mockPr(fixtureFiles("express-query-revalidation"), {}, 2);
    nock(GH)
      .post("/graphql")
      .reply(200, { data: { repository: null } });
    nock(GH)
      .patch(`${R}/pulls/${NUMBER}`, (b) => {
        c.prPatches.push(b);
        return true;
      })
      .reply(200, {});
    // pr.review
    mockListComments([], 2);
    mockPr(fixtureFiles("express-query-revalidation"));
    mockCreateComment(c);
    expect(await app.drain()).toBe(3);

    const runs = await t.db.query<{ outcome: string }>("SELECT outcome FROM job_runs ORDER BY id");
    expect(runs.map((r) => r.outcome)).toEqual(["done", "done", "done"]);
    // Only the prior row: the budget check refused before any request.
    expect(await t.db.query("SELECT id FROM llm_usage")).toHaveLength(1);
    const spent =
      "Steward's daily LLM budget for this installation (10000 tokens) is spent; it resets at 00:00 UTC. Raise LLM_DAILY_TOKEN_BUDGET to allow more.";
    const review = c.created[0]!.body;
    expect(review).toContain(
      `> ${spent} The model part was skipped. The deterministic facts below are complete.`,
    );
    expect(review).toContain("**Changed:** 3 files, +50 −2");
    expect(review).toContain("<sub>Steward review · no LLM call</sub>");
    expect(c.reviews).toEqual([]);
    const described = c.prPatches[0]!.body as string;
    expect(described).toContain("- 3 files changed, +50 −2");
    expect(described).toContain(`- ${spent} The model part was skipped.`);
  });
});
