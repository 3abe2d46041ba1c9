import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DESCRIBE_END, DESCRIBE_START } from "../../../src/tools/describe/render.ts";
import { PrJson } from "../../../src/tools/pr-json/schema.ts";
import { GH, mockInstallationToken, mockNoRepoConfig, testApp } from "../../helpers/app.ts";
import { sqliteTestDb, type TestDb } from "../../helpers/db.ts";
import {
  capture,
  fixtureFiles,
  keepOnlyPrJobs,
  HEAD,
  markerOf,
  mockCreateComment,
  mockCreateReview,
  mockListReviewComments,
  mockListComments,
  mockLlm,
  mockPr,
  NUMBER,
  OWNER,
  prOpened,
  R,
  REPO,
  LLM_ENV,
  PR_KINDS,
} from "./helpers.ts";
import { REVIEW } from "./answers.ts";

const DESCRIBE = {
  types: ["feature"],
  title: "Allow QUERY in req.fresh",
  summary: ["req.fresh now validates QUERY requests too"],
  walkthrough: [
    { file: "lib/request.js", summary: "QUERY joins GET and HEAD in the freshness check" },
    { file: "test/req.fresh.js", summary: "Two QUERY freshness tests" },
  ],
};

describe("pull_request.opened → describe + review", () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await sqliteTestDb();
  });
  afterEach(async () => t.cleanup());

  it("fans out to pr.describe and pr.review and makes exactly the expected GitHub calls", async () => {
    const app = testApp(t.db, LLM_ENV, { onlyKinds: PR_KINDS });
    await app.receive("pull_request", prOpened());
    await keepOnlyPrJobs(t.db);
    mockInstallationToken(42);
    mockNoRepoConfig(OWNER, REPO);
    const files = fixtureFiles("express-query-revalidation");
    const c = capture();

    // pr.describe
    mockPr(files, {}, 2);
    const llm = mockLlm([DESCRIBE, REVIEW]);
    nock(GH)
      .post("/graphql")
      .reply(200, {
        data: {
          repository: {
            pullRequest: {
              closingIssuesReferences: {
                nodes: [{ number: 9, url: `https://github.com/${OWNER}/${REPO}/issues/9` }],
              },
            },
          },
        },
      });
    nock(GH)
      .patch(`${R}/pulls/${NUMBER}`, (b) => {
        c.prPatches.push(b);
        return true;
      })
      .reply(200, {});
    // pr.review
    mockListComments([], 2);
    mockPr(files);
    mockListReviewComments();
    mockCreateReview(c);
    mockCreateComment(c);

    expect(await app.drain()).toBe(3);
    const runs = await t.db.query<{ outcome: string }>("SELECT outcome FROM job_runs ORDER BY id");
    expect(runs.map((r) => r.outcome)).toEqual(["done", "done", "done"]);

    // Exactly one LLM call per tool.
    expect(llm).toHaveLength(2);
    expect(llm[0]!.messages[1]!.content).toContain("lib/request.js");

    // describe: the author's text is kept, Steward's section sits between the markers.
    expect(c.prPatches).toHaveLength(1);
    const body: string = c.prPatches[0]!.body;
    expect(body.startsWith("Author text.\n\nFixes #7\n\n" + DESCRIBE_START)).toBe(true);
    expect(body.trimEnd().endsWith(DESCRIBE_END)).toBe(true);
    expect(body).toContain("- req.fresh now validates QUERY requests too");
    expect(body).toContain("| `lib/request.js` | QUERY joins GET and HEAD in the freshness check |");
    const json = JSON.parse(/```json\n([\s\S]*?)\n```/.exec(body)![1]!);
    const pj = PrJson.parse(json);
    expect(pj.linkedIssues.map((i) => [i.number, i.source])).toEqual([
      [7, "closing-keyword"],
      [9, "graphql"],
    ]);
    expect(pj.headSha).toBe(HEAD);

    // review: ONE review with only the anchored finding; the other one is in the summary.
    expect(c.reviews).toHaveLength(1);
    expect(c.reviews[0]).toMatchObject({ commit_id: HEAD, event: "COMMENT" });
    expect(c.reviews[0]!.comments).toEqual([
      {
        path: "lib/request.js",
        body: expect.stringContaining("**Comment and condition must stay in sync** (minor)"),
        line: 476,
        side: "RIGHT",
        start_line: 475,
        start_side: "RIGHT",
      },
    ]);
    expect(c.created).toHaveLength(1);
    const summary = c.created[0]!.body;
    expect(markerOf(summary)).toMatch(/^<!-- steward:review key=summary state=/);
    expect(summary).toContain(`Updated for \`${HEAD.slice(0, 12)}\`.`);
    expect(summary).toContain("**Findings outside the diff**");
    expect(summary).toContain("**Unrelated line outside the diff** — `lib/request.js:12`");
    expect(summary).toContain("Facts (computed without a model)");
    expect(summary).toContain("**Not reviewed:** none");
    expect(summary).toContain("model `gpt-4o-mini` · 1 call");
  });

  it("skips a draft PR: no GitHub call beyond reading the config", async () => {
    const app = testApp(t.db, LLM_ENV, { onlyKinds: PR_KINDS });
    const p = prOpened();
    p.pull_request.draft = true;
    await app.receive("pull_request", p);
    await keepOnlyPrJobs(t.db);
    mockInstallationToken(42);
    mockNoRepoConfig(OWNER, REPO);
    expect(await app.drain()).toBe(1);
    const jobs = await t.db.query<{ kind: string; state: string }>(
      "SELECT kind, state FROM jobs ORDER BY id",
    );
    // No PR tool ran; only the issue-intelligence follow-ups every PR open gets stay queued.
    expect(jobs).toEqual([
      { kind: "pr.auto", state: "done" },
      { kind: "pr.map-issues", state: "queued" },
      { kind: "index.update", state: "queued" },
    ]);
  });
});
