import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { renderParts } from "../../../src/github/comments.ts";
import { parseMarker } from "../../../src/github/markers.ts";
import { GH, mockInstallationToken, mockNoRepoConfig, testApp } from "../../helpers/app.ts";
import { sqliteTestDb, type TestDb } from "../../helpers/db.ts";
import { examplePayload } from "../../helpers/webhooks.ts";
import {
  capture,
  fixtureFiles,
  HEAD,
  keepOnlyPrJobs,
  LLM_ENV,
  mockCreateReview,
  mockListReviewComments,
  mockEditComment,
  mockListComments,
  mockLlm,
  mockPr,
  NUMBER,
  OWNER,
  R,
  REPO,
  PR_KINDS,
} from "./helpers.ts";

const OLD = "1111111111111111111111111111111111111111";
const NEXT = "2222222222222222222222222222222222222222";

function push(head: string, before: string): any {
  const p = examplePayload("pull_request", "synchronize");
  p.installation = { id: 42 };
  p.pull_request.head.sha = head;
  p.before = before;
  p.after = head;
  return p;
}

const files = fixtureFiles("express-query-revalidation");
const testsOnly = files.filter((f) => f.filename === "test/req.fresh.js");

const REVIEW = {
  effort: 1,
  summary: "Adds two QUERY freshness tests.",
  findings: [
    {
      file: "test/req.fresh.js",
      startLine: 51,
      endLine: 51,
      severity: "minor",
      title: "Test name is long",
      explanation: "Consider a shorter name.",
    },
  ],
  securityConcerns: [],
  tests: { assessment: "Tests only." },
  canBeSplit: { possible: false, suggestions: [] },
};

describe("pr.push → incremental review", () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await sqliteTestDb();
  });
  afterEach(async () => t.cleanup());

  it("sends only the new commits' diff, edits the one comment, and never repeats an inline finding", async () => {
    const app = testApp(t.db, LLM_ENV, { onlyKinds: PR_KINDS });
    const first = renderParts({
      issueNumber: NUMBER,
      kind: "review",
      key: "summary",
      body: "## Steward review\n\nold",
      state: { lastReviewedSha: OLD },
    })[0]!;
    const c = capture();

    // Run 1: OLD → HEAD; only test/req.fresh.js changed in between.
    await app.receive("pull_request", push(HEAD, OLD));
    await keepOnlyPrJobs(t.db);
    mockInstallationToken(42);
    mockNoRepoConfig(OWNER, REPO);
    mockListComments([{ id: 500, body: first }], 2);
    mockPr(files);
    nock(GH)
      .get(`${R}/compare/${OLD}...${HEAD}`)
      .reply(200, {
        status: "ahead",
        files: testsOnly,
        commits: [{ commit: { message: "Add QUERY tests" } }],
      });
    const llm1 = mockLlm([REVIEW]);
    mockListReviewComments();
    mockCreateReview(c);
    mockEditComment(c, 500);
    expect(await app.drain()).toBe(1);

    expect(llm1).toHaveLength(1);
    const user = llm1[0]!.messages[1]!.content;
    expect(user).toContain("## File: test/req.fresh.js");
    expect(user).toContain("INCREMENTAL: the diff below holds only the commits after 111111111111");
    expect(user).not.toContain("## File: lib/request.js");
    expect(user).not.toContain("'QUERY' !== method");
    expect(user).not.toContain("## File: History.md");
    expect(c.reviews).toHaveLength(1);
    expect(c.reviews[0]!.comments).toEqual([
      {
        path: "test/req.fresh.js",
        body: expect.stringContaining("Test name is long"),
        line: 51,
        side: "RIGHT",
      },
    ]);
    expect(c.edited).toHaveLength(1);
    const edited1 = c.edited[0]!.body;
    expect(parseMarker(edited1)?.state).toEqual({
      lastReviewedSha: HEAD,
      inline: [expect.stringMatching(/^[0-9a-f]{12}$/)],
    });
    expect(edited1).toContain(
      `Updated for \`${HEAD.slice(0, 12)}\` — incremental: only the commits after \`111111111111\` were reviewed.`,
    );

    // Run 2: the same head again (a second synchronize for it; its body differs, as GitHub's would, or
    // the intake drops it as a replay): skipped after one read, nothing written.
    const again = push(HEAD, OLD);
    again.pull_request.updated_at = "2019-05-15T15:21:00Z";
    await app.receive("pull_request", again);
    await keepOnlyPrJobs(t.db);
    mockListComments([{ id: 500, body: edited1 }]);
    expect(await app.drain()).toBe(1);

    // Run 3: HEAD → NEXT; the model repeats its finding: the comment is edited, no second inline comment.
    await app.receive("pull_request", push(NEXT, HEAD));
    await keepOnlyPrJobs(t.db);
    mockListComments([{ id: 500, body: edited1 }], 2);
    mockPr(files, { head: { sha: NEXT, ref: "feature" } });
    nock(GH)
      .get(`${R}/compare/${HEAD}...${NEXT}`)
      .reply(200, { status: "ahead", files: testsOnly, commits: [{ commit: { message: "Rename" } }] });
    const llm3 = mockLlm([REVIEW]);
    mockEditComment(c, 500);
    expect(await app.drain()).toBe(1);
    expect(llm3).toHaveLength(1);
    expect(c.reviews).toHaveLength(1);
    expect(c.edited).toHaveLength(2);
    expect(c.edited[1]!.body).toContain(`Updated for \`${NEXT.slice(0, 12)}\` — incremental`);
    const runs = await t.db.query<{ outcome: string }>("SELECT outcome FROM job_runs ORDER BY id");
    expect(runs.map((r) => r.outcome)).toEqual(["done", "done", "done"]);
  });

  it("falls back to the full diff after a force-push, and says so", async () => {
    const app = testApp(t.db, LLM_ENV, { onlyKinds: PR_KINDS });
    const first = renderParts({
      issueNumber: NUMBER,
      kind: "review",
      key: "summary",
      body: "old",
      state: { lastReviewedSha: OLD },
    })[0]!;
    const c = capture();
    await app.receive("pull_request", push(HEAD, OLD));
    await keepOnlyPrJobs(t.db);
    mockInstallationToken(42);
    mockNoRepoConfig(OWNER, REPO);
    mockListComments([{ id: 500, body: first }], 2);
    mockPr(files);
    nock(GH).get(`${R}/compare/${OLD}...${HEAD}`).reply(200, { status: "diverged", files: [], commits: [] });
    const llm = mockLlm([{ ...REVIEW, findings: [] }]);
    mockEditComment(c, 500);
    expect(await app.drain()).toBe(1);
    const user = llm[0]!.messages[1]!.content;
    expect(user).toContain("## File: lib/request.js");
    expect(user).not.toContain("INCREMENTAL");
    expect(c.edited[0]!.body).toContain(
      "Full review: the last reviewed commit 111111111111 is not an ancestor of the head (force-push?).",
    );
  });

  it("does nothing on push when pr.on_push is none", async () => {
    const app = testApp(t.db, LLM_ENV, { onlyKinds: PR_KINDS });
    await app.receive("pull_request", push(HEAD, OLD));
    await keepOnlyPrJobs(t.db);
    mockInstallationToken(42);
    nock(GH)
      .get(`${R}/contents/${encodeURIComponent(".github/steward.yml")}`)
      .reply(200, "pr:\n  on_push: none\n");
    expect(await app.drain()).toBe(1);
  });
});
