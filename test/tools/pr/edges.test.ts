import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GH, mockInstallationToken, mockNoRepoConfig, testApp } from "../../helpers/app.ts";
import { sqliteTestDb, type TestDb } from "../../helpers/db.ts";
import { examplePayload } from "../../helpers/webhooks.ts";
import {
  capture,
  fixtureFiles,
  keepOnlyPrJobs,
  LLM_ENV,
  mockCreateComment,
  mockListComments,
  mockLlm,
  mockPr,
  NUMBER,
  OWNER,
  prCommentPayload,
  type PullFile,
  R,
  REPO,
  runnerWithFailureNotice,
  PR_KINDS,
} from "./helpers.ts";

function allow(commentId: number, kind: "issues" | "pulls" = "issues") {
  nock(GH)
    .get(`${R}/collaborators/Codertocat/permission`)
    .reply(200, { permission: "write", role_name: "write" })
    .post(`${R}/${kind}/comments/${commentId}/reactions`, { content: "eyes" })
    .reply(201, { id: 1, content: "eyes" });
}

describe("PR tools: edges", () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await sqliteTestDb();
  });
  afterEach(async () => t.cleanup());

  it("/review with no LLM configured still posts the deterministic facts, with what to configure", async () => {
    const app = testApp(t.db, {}, { onlyKinds: PR_KINDS });
    await app.receive("issue_comment", prCommentPayload("/review", 9100));
    await keepOnlyPrJobs(t.db);
    mockInstallationToken(42);
    mockNoRepoConfig(OWNER, REPO);
    allow(9100);
    mockListComments([], 2);
    mockPr(fixtureFiles("express-query-revalidation"));
    const c = capture();
    mockCreateComment(c);
    expect(await app.drain()).toBe(1);
    const body = c.created[0]!.body;
    expect(body).toContain("No LLM is configured, so there is no model review: set `LLM_API_KEY`");
    expect(body).toContain("**Changed:** 3 files, +50 −2");
    expect(body).toContain("<sub>Steward review · no LLM call</sub>");
  });

  it("garbage from the model twice: the failure comment and nothing else", async () => {
    const app = testApp(t.db, LLM_ENV, { onlyKinds: PR_KINDS });
    const runner = runnerWithFailureNotice(app, t.db);
    await app.receive("issue_comment", prCommentPayload("/review", 9200));
    await keepOnlyPrJobs(t.db);
    mockInstallationToken(42);
    mockNoRepoConfig(OWNER, REPO);
    allow(9200);
    mockListComments([], 2); // the review's own read, then the failure notice's upsert
    mockPr(fixtureFiles("express-query-revalidation"));
    const llm = mockLlm(["this is not json", '{"effort": "very"}']);
    const c = capture();
    mockCreateComment(c);
    expect(await runner.drain()).toBe(1);
    expect(llm).toHaveLength(2);
    expect(llm[1]!.messages.at(-1)!.content).toContain("not valid JSON");
    expect(c.created).toHaveLength(1);
    const body = c.created[0]!.body;
    expect(body.split("\n")[0]).toBe("<!-- steward:failure key=command.review -->");
    expect(body).toContain("### ❌ Steward could not finish `command.review`");
    expect(body).toContain(
      "did not match the expected format, even after one correction request, so nothing was posted",
    );
  });

  it("a 3,000-file PR: says GitHub lists at most 3,000 files, and a body over 65,536 characters is split", async () => {
    const app = testApp(t.db, { LLM_CONTEXT_WINDOW: "8192" }, { onlyKinds: PR_KINDS });
    const files: PullFile[] = Array.from({ length: 3000 }, (_, i) => ({
      filename: `src/module-${String(i).padStart(4, "0")}/a-rather-long-file-name-for-the-list-${i}.ts`,
      status: "modified",
      patch: `@@ -1,2 +1,2 @@\n const a = ${i};\n-const b = 1;\n+const b = 2;`,
      additions: 1,
      deletions: 1,
    }));
    await app.receive("issue_comment", prCommentPayload("/review", 9300));
    await keepOnlyPrJobs(t.db);
    mockInstallationToken(42);
    mockNoRepoConfig(OWNER, REPO);
    allow(9300);
    mockListComments([], 2);
    mockPr(files, { changed_files: 3500 });
    const c = capture();
    // 3,000 files over an 8k window: the "Not reviewed" list alone is ~230,000 characters.
    mockCreateComment(c, 700, 4);
    await app.drain();
    const runs = await t.db.query<{ outcome: string }>("SELECT outcome FROM job_runs");
    expect(runs).toEqual([{ outcome: "done" }]);
    expect(c.created).toHaveLength(4);
    for (const [i, p] of c.created.entries()) {
      expect(p.body.length).toBeLessThanOrEqual(65_536);
      expect(p.body.split("\n")[0]).toMatch(new RegExp(`^<!-- steward:review key=summary part=${i + 1}`));
    }
    const all = c.created.map((p) => p.body).join("\n");
    expect(all).toContain(
      "GitHub's API lists at most 3,000 files of a pull request; these 500 were never visible to Steward",
    );
    expect(all).toContain("over budget");
  });

  it("/ask in a review-comment thread answers about those lines, in that thread", async () => {
    const app = testApp(t.db, LLM_ENV, { onlyKinds: PR_KINDS });
    const p = examplePayload("pull_request_review_comment", "created");
    p.installation = { id: 42 };
    p.comment.body = "/ask why QUERY?";
    p.comment.path = "lib/request.js";
    p.comment.line = 475;
    p.comment.start_line = 474;
    p.comment.diff_hunk =
      "@@ -471,8 +471,8 @@ defineGetter(req, 'fresh', function(){\n   var res = this.res\n   var status = res.statusCode\n \n-  // GET or HEAD for weak freshness validation only\n-  if ('GET' !== method && 'HEAD' !== method) return false;\n+  // GET, HEAD, or QUERY for weak freshness validation only\n+  if ('GET' !== method && 'HEAD' !== method && 'QUERY' !== method) return false;";
    await app.receive("pull_request_review_comment", p);
    await keepOnlyPrJobs(t.db);
    mockInstallationToken(42);
    mockNoRepoConfig(OWNER, REPO);
    allow(p.comment.id, "pulls");
    mockPr(fixtureFiles("express-query-revalidation"));
    const llm = mockLlm([{ answer: "QUERY is safe and idempotent, so it can be revalidated." }]);
    const replies: Array<{ body: string }> = [];
    nock(GH)
      .post(`${R}/pulls/${NUMBER}/comments/${p.comment.id}/replies`, (b) => {
        replies.push(b);
        return true;
      })
      .reply(201, { id: 1, html_url: "https://github.com/x" });
    expect(await app.drain()).toBe(1);
    const user = llm[0]!.messages[1]!.content;
    expect(user).toContain(
      "+  if ('GET' !== method && 'HEAD' !== method && 'QUERY' !== method) return false;",
    );
    expect(user).toContain("why QUERY?");
    expect(replies).toHaveLength(1);
    expect(replies[0]!.body).toContain("> why QUERY?");
    expect(replies[0]!.body).toContain("About `lib/request.js:474-475`");
    expect(replies[0]!.body).toContain("QUERY is safe and idempotent");
  });

  it("/describe --format=json posts the validated PR JSON as a comment and leaves the body alone", async () => {
    const app = testApp(t.db, LLM_ENV, { onlyKinds: PR_KINDS });
    await app.receive("issue_comment", prCommentPayload("/describe --format=json", 9400));
    await keepOnlyPrJobs(t.db);
    mockInstallationToken(42);
    mockNoRepoConfig(OWNER, REPO);
    allow(9400);
    mockPr(fixtureFiles("express-rename-only"), { changed_files: 5 });
    nock(GH).post("/graphql").reply(502, "bad gateway");
    mockListComments([]);
    const c = capture();
    mockCreateComment(c);
    expect(await app.drain()).toBe(1);
    const body = c.created[0]!.body;
    expect(body.split("\n")[0]).toBe("<!-- steward:pr-json key=9400 -->");
    const json = JSON.parse(/```json\n([\s\S]*?)\n```/.exec(body)![1]!);
    expect(json.files).toHaveLength(5);
    expect(json.linkedIssues).toEqual([
      { number: 7, url: `https://github.com/${OWNER}/${REPO}/issues/7`, source: "closing-keyword" },
    ]);
    expect(json.notReviewed[0].reason).toBe(
      "renamed from examples/pages/app.js without content changes (nothing to review)",
    );
  });
});
