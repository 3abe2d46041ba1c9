import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseMarker } from "../../../src/github/markers.ts";
import { GH, mockInstallationToken, mockNoRepoConfig, testApp } from "../../helpers/app.ts";
import { sqliteTestDb, type TestDb } from "../../helpers/db.ts";
import {
  capture,
  fixtureFiles,
  keepOnlyPrJobs,
  LLM_ENV,
  mockCreateComment,
  mockCreateReview,
  mockListReviewComments,
  mockEditComment,
  mockListComments,
  mockLlm,
  mockPr,
  OWNER,
  prCommentPayload,
  R,
  REPO,
  PR_KINDS,
} from "./helpers.ts";

const IMPROVE = {
  suggestions: [
    {
      file: "lib/request.js",
      startLine: 475,
      endLine: 475,
      existingCode: "  if ('GET' !== method && 'HEAD' !== method && 'QUERY' !== method) return false;",
      improvedCode: "if (!SAFE_METHODS.has(method)) return false;",
      label: "maintainability",
      score: 8,
      summary: "Keep the safe methods in one set",
    },
    {
      file: "lib/request.js",
      startLine: 12,
      endLine: 13,
      existingCode: "var x = 1;",
      improvedCode: "const x = 1;",
      label: "possible bug",
      score: 9,
      summary: "A line outside the diff",
    },
    {
      file: "test/req.fresh.js",
      startLine: 51,
      endLine: 51,
      existingCode:
        "    it('should return true for a QUERY request with a body when the resource is not modified', function(done){",
      improvedCode: "    it('returns true for an unmodified QUERY', function(done){",
      label: "readability",
      score: 3,
      summary: "Shorter test name",
    },
  ],
};

function commandMocks(commentId: number) {
  nock(GH)
    .get(`${R}/collaborators/Codertocat/permission`)
    .reply(200, { permission: "admin", role_name: "admin" })
    .post(`${R}/issues/comments/${commentId}/reactions`, { content: "eyes" })
    .reply(201, { id: 1, content: "eyes" });
}

describe("/improve", () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await sqliteTestDb();
  });
  afterEach(async () => t.cleanup());

  it("posts a committable suggestion only on validated lines, and never the same one twice across 3 runs", async () => {
    const app = testApp(t.db, LLM_ENV, { onlyKinds: PR_KINDS });
    const files = fixtureFiles("express-query-revalidation");
    const c = capture();
    let table = "";
    for (const run of [1, 2, 3]) {
      const commentId = 9000 + run;
      await app.receive("issue_comment", prCommentPayload("/improve", commentId));
      await keepOnlyPrJobs(t.db);
      if (run === 1) {
        mockInstallationToken(42);
        mockNoRepoConfig(OWNER, REPO);
      }
      commandMocks(commentId);
      mockListComments(run === 1 ? [] : [{ id: 700, body: table }], 2);
      mockPr(files);
      const llm = mockLlm([IMPROVE]);
      // Each run has fresh suggestions (outside the diff, low score), so each reads the review comments.
      mockListReviewComments(run === 1 ? [] : [{ id: 1, body: c.reviews[0]!.comments[0].body }]);
      if (run === 1) {
        mockCreateReview(c);
        mockCreateComment(c, 700);
      } else if (run === 2) mockEditComment(c, 700);
      // Run 3 renders the same table as run 2: the gateway leaves an identical comment alone.
      expect(await app.drain()).toBe(1);
      expect(llm).toHaveLength(1);
      if (run < 3) table = run === 1 ? c.created[0]!.body : c.edited.at(-1)!.body;
      if (run > 1) expect(table).toContain("1 already posted on an earlier run and not repeated");
    }
    // One review in three runs, with only the suggestion inside the hunk.
    expect(c.reviews).toHaveLength(1);
    const comments = c.reviews[0]!.comments;
    expect(comments).toHaveLength(1);
    expect(comments[0]).toMatchObject({ path: "lib/request.js", line: 475, side: "RIGHT" });
    expect(comments[0].start_line).toBeUndefined();
    expect(comments[0].body).toContain("```suggestion\n  if (!SAFE_METHODS.has(method)) return false;\n```");
    expect(comments[0].body).toMatch(/<!-- steward:suggestion fp=v1:[0-9a-f]{20} -->/);
    expect(JSON.stringify(c.reviews)).not.toContain("A line outside the diff");
    // The persistent table: created once, then edited; the rest listed with why.
    expect(c.created).toHaveLength(1);
    expect(c.edited.map((e) => e.id)).toEqual([700]);
    expect(table).toContain(
      "lib/request.js:13 (RIGHT) is not an added or unchanged line of the new file inside a hunk of the diff",
    );
    expect(table).toContain("score 3 is below the threshold 7");
    const state = parseMarker(table)?.state as { posted: string[] };
    expect(state.posted).toHaveLength(1);
  });
});
