// Inline comments are posted before the persistent comment that records them. These tests crash in
// between (the comment write fails once, the job is retried) and load a PR with more earlier
// suggestions than the marker state can hold: nothing may be posted twice.
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { renderParts } from "../../../src/github/comments.ts";
import { parseMarker } from "../../../src/github/markers.ts";
import { suggestionFingerprint } from "../../../src/tools/improve/fingerprint.ts";
import { findingFingerprint } from "../../../src/tools/pr/review-core.ts";
import { GH, mockInstallationToken, mockNoRepoConfig, testApp } from "../../helpers/app.ts";
import { sqliteTestDb, type TestDb } from "../../helpers/db.ts";
import {
  capture,
  fixtureFiles,
  HEAD,
  keepOnlyPrJobs,
  LLM_ENV,
  mockCreateComment,
  mockCreateReview,
  mockEditComment,
  mockListComments,
  mockListReviewComments,
  mockLlm,
  mockPr,
  NUMBER,
  OWNER,
  PR_KINDS,
  prCommentPayload,
  R,
  REPO,
} from "./helpers.ts";

const files = fixtureFiles("express-query-revalidation");

const FINDING = {
  file: "test/req.fresh.js",
  startLine: 51,
  endLine: 51,
  severity: "minor" as const,
  title: "Test name is long",
  explanation: "Consider a shorter name.",
};
const REVIEW = {
  effort: 1,
  summary: "Adds two QUERY freshness tests.",
  findings: [FINDING],
  securityConcerns: [],
  tests: { assessment: "Tests only." },
  canBeSplit: { possible: false, suggestions: [] },
};
const FINDING_ID = findingFingerprint(FINDING);

const SUGGESTION = {
  file: "lib/request.js",
  startLine: 475,
  endLine: 475,
  existingCode: "  if ('GET' !== method && 'HEAD' !== method && 'QUERY' !== method) return false;",
  improvedCode: "if (!SAFE_METHODS.has(method)) return false;",
  label: "maintainability",
  score: 8,
  summary: "Keep the safe methods in one set",
};
const SUGGESTION_FP = suggestionFingerprint(SUGGESTION);
const SUGGESTION_BODY = [
  "**maintainability** · score 8/10 — Keep the safe methods in one set",
  "",
  "```suggestion",
  "  if (!SAFE_METHODS.has(method)) return false;",
  "```",
  "",
  `<!-- steward:suggestion fp=${SUGGESTION_FP} -->`,
].join("\n");

function commandMocks(commentId: number, times = 1) {
  nock(GH)
    .get(`${R}/collaborators/Codertocat/permission`)
    .times(times)
    .reply(200, { permission: "admin", role_name: "admin" })
    .post(`${R}/issues/comments/${commentId}/reactions`, { content: "eyes" })
    .times(times)
    .reply(201, { id: 1, content: "eyes" });
}

/** A fake earlier fingerprint, distinct per index. */
const oldFp = (i: number) => `v1:${i.toString(16).padStart(20, "0")}`;

describe("inline comments are never posted twice", () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await sqliteTestDb();
  });
  afterEach(async () => t.cleanup());

  it("/review: the summary comment fails once after the review went out; the retry posts no inline comment again", async () => {
    const app = testApp(t.db, LLM_ENV, { onlyKinds: PR_KINDS });
    await app.receive("issue_comment", prCommentPayload("/review", 9700));
    await keepOnlyPrJobs(t.db);
    mockInstallationToken(42);
    mockNoRepoConfig(OWNER, REPO);
    commandMocks(9700, 2);
    const c = capture();

    // Attempt 1: read state, PR, model, review comments (none), review; the comment write fails.
    mockListComments([], 2);
    mockPr(files);
    mockLlm([REVIEW]);
    mockListReviewComments([]);
    mockCreateReview(c);
    nock(GH).post(`${R}/issues/${NUMBER}/comments`).reply(500, { message: "Server Error" });

    // Attempt 2: the same model answer; the finding is found on the PR by its hidden id.
    const inlineBody = `<!-- steward:finding id=${FINDING_ID} -->\n🟡 **Test name is long** (minor)\n\nConsider a shorter name.\n\n<sub>Steward review</sub>`;
    mockListComments([], 2);
    mockPr(files);
    mockLlm([REVIEW]);
    mockListReviewComments([{ id: 31, body: inlineBody }]);
    mockCreateComment(c, 700);

    expect(await app.drain()).toBe(2);
    const runs = await t.db.query<{ outcome: string }>("SELECT outcome FROM job_runs ORDER BY id");
    expect(runs.map((r) => r.outcome)).toEqual(["retry:requeued", "done"]);

    expect(c.reviews).toEqual([
      {
        commit_id: HEAD,
        body: `Steward review for \`${HEAD.slice(0, 12)}\`: 1 finding on the changed lines. The summary is in the Steward review comment on this PR.`,
        event: "COMMENT",
        comments: [{ path: "test/req.fresh.js", body: inlineBody, line: 51, side: "RIGHT" }],
      },
    ]);
    expect(c.created).toHaveLength(1);
    const summary = c.created[0]!.body;
    expect(parseMarker(summary)).toEqual({
      kind: "review",
      key: "summary",
      state: { lastReviewedSha: HEAD, inline: [FINDING_ID] },
    });
    expect(summary).toContain("Test name is long");
  });

  it("/improve: the table comment fails once after the suggestion went out; the retry posts it no more", async () => {
    const app = testApp(t.db, LLM_ENV, { onlyKinds: PR_KINDS });
    await app.receive("issue_comment", prCommentPayload("/improve", 9701));
    await keepOnlyPrJobs(t.db);
    mockInstallationToken(42);
    mockNoRepoConfig(OWNER, REPO);
    commandMocks(9701, 2);
    const c = capture();

    mockListComments([], 2);
    mockPr(files);
    mockLlm([{ suggestions: [SUGGESTION] }]);
    mockListReviewComments([]);
    mockCreateReview(c);
    nock(GH).post(`${R}/issues/${NUMBER}/comments`).reply(500, { message: "Server Error" });

    mockListComments([], 2);
    mockPr(files);
    mockLlm([{ suggestions: [SUGGESTION] }]);
    mockListReviewComments([{ id: 32, body: SUGGESTION_BODY }]);
    mockCreateComment(c, 700);

    expect(await app.drain()).toBe(2);
    expect(c.reviews).toEqual([
      {
        commit_id: HEAD,
        body: `Steward: 1 code suggestion for \`${HEAD.slice(0, 12)}\`. The rest are in the Steward code suggestions comment.`,
        event: "COMMENT",
        comments: [{ path: "lib/request.js", body: SUGGESTION_BODY, line: 475, side: "RIGHT" }],
      },
    ]);
    expect(c.created).toHaveLength(1);
    const table = c.created[0]!.body;
    expect(parseMarker(table)?.state).toEqual({ lastSha: HEAD, posted: [SUGGESTION_FP] });
    expect(table).toContain("1 already posted on an earlier run and not repeated");
  });

  it("/improve on a PR with 150 earlier suggestions: one the state forgot is still found (page 2), none reposted", async () => {
    const app = testApp(t.db, LLM_ENV, { onlyKinds: PR_KINDS });
    await app.receive("issue_comment", prCommentPayload("/improve", 9702));
    await keepOnlyPrJobs(t.db);
    mockInstallationToken(42);
    mockNoRepoConfig(OWNER, REPO);
    commandMocks(9702);
    // The state remembers only the latest 100 (fingerprints 50..149); ours was number 120 on the PR.
    const remembered = Array.from({ length: 100 }, (_, i) => oldFp(i + 50));
    const table = renderParts({
      issueNumber: NUMBER,
      kind: "improve",
      key: "table",
      body: "old",
      state: { lastSha: HEAD, posted: remembered },
    })[0]!;
    mockListComments([{ id: 700, body: table }], 2);
    mockPr(files);
    mockLlm([{ suggestions: [SUGGESTION] }]);
    const earlier = Array.from({ length: 150 }, (_, i) => ({
      id: 1000 + i,
      body: i === 120 ? SUGGESTION_BODY : `earlier\n\n<!-- steward:suggestion fp=${oldFp(i)} -->`,
    }));
    mockListReviewComments(earlier);
    const c = capture();
    mockEditComment(c, 700);

    expect(await app.drain()).toBe(1);
    expect(c.reviews).toEqual([]);
    expect(c.edited).toHaveLength(1);
    expect(c.edited[0]!.body).toContain("1 already posted on an earlier run and not repeated");
    const state = parseMarker(c.edited[0]!.body)?.state as { posted: string[] };
    expect(state.posted).toEqual([...remembered.slice(1), SUGGESTION_FP]);
  });

  it("a marker in someone else's review comment does not count: the suggestion is posted", async () => {
    const app = testApp(t.db, LLM_ENV, { onlyKinds: PR_KINDS });
    await app.receive("issue_comment", prCommentPayload("/improve", 9703));
    await keepOnlyPrJobs(t.db);
    mockInstallationToken(42);
    mockNoRepoConfig(OWNER, REPO);
    commandMocks(9703);
    mockListComments([], 2);
    mockPr(files);
    mockLlm([{ suggestions: [SUGGESTION] }]);
    mockListReviewComments([
      { id: 40, body: SUGGESTION_BODY, user: { login: "Codertocat", type: "User" } },
      { id: 41, body: SUGGESTION_BODY, user: { login: "other-app[bot]", type: "Bot" } },
    ]);
    const c = capture();
    mockCreateReview(c);
    mockCreateComment(c, 700);

    expect(await app.drain()).toBe(1);
    expect(c.reviews.map((r) => r.comments)).toEqual([
      [{ path: "lib/request.js", body: SUGGESTION_BODY, line: 475, side: "RIGHT" }],
    ]);
    expect(parseMarker(c.created[0]!.body)?.state).toEqual({ lastSha: HEAD, posted: [SUGGESTION_FP] });
  });
});
