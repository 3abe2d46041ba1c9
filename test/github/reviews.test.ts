import { describe, expect, it } from "vitest";
import { parseDiff } from "../../src/diff/parse.ts";
import type { DiffFile } from "../../src/diff/types.ts";
import { checkReviewComments, type ReviewCommentInput, renderRejected } from "../../src/github/reviews.ts";
import { api, makeGateway, REPO_PATH } from "./helpers.ts";

// src/app.ts: lines 10-13 of the new file are in the hunk (11 and 12 added, old line 11 deleted).
const DIFF = `diff --git a/src/app.ts b/src/app.ts
index 1111111..2222222 100644
--- a/src/app.ts
+++ b/src/app.ts
@@ -10,3 +10,4 @@ export function main() {
 const a = 1;
-const b = 2;
+const b = 3;
+const c = 4;
 return a + b;
`;
const files: DiffFile[] = parseDiff(DIFF).files;
const SHA = "2222222222222222222222222222222222222222";
const REVIEWS = `${REPO_PATH}/pulls/9/reviews`;

const good: ReviewCommentInput = { path: "src/app.ts", side: "RIGHT", line: 12, body: "Name `c` better." };
const range: ReviewCommentInput = {
  path: "src/app.ts",
  side: "RIGHT",
  start_line: 11,
  line: 12,
  body: "```suggestion\nconst b = 3, c = 4;\n```",
};
const bad: ReviewCommentInput = { path: "src/app.ts", side: "RIGHT", line: 40, body: "Outside the diff." };

describe("postReview", () => {
  it("posts valid comments in one request; the bad anchor never reaches GitHub", async () => {
    const reason = checkReviewComments(files, [bad]).rejected[0]!.reason;
    expect(reason).toBe(
      "src/app.ts:40 (RIGHT) is not an added or unchanged line of the new file inside a hunk of the diff",
    );
    api()
      .post(REVIEWS, {
        commit_id: SHA,
        body: `Summary.${renderRejected([{ comment: bad, reason }])}`,
        event: "COMMENT",
        comments: [
          { path: "src/app.ts", body: "Name `c` better.", line: 12, side: "RIGHT" },
          {
            path: "src/app.ts",
            body: "```suggestion\nconst b = 3, c = 4;\n```",
            line: 12,
            side: "RIGHT",
            start_line: 11,
            start_side: "RIGHT",
          },
        ],
      })
      .reply(200, { id: 501, html_url: "https://github.com/octo/app/pull/9#pullrequestreview-501" });
    const res = await makeGateway().postReview({
      pullNumber: 9,
      commitId: SHA,
      body: "Summary.",
      event: "COMMENT",
      comments: [good, bad, range],
      files,
    });
    expect(res).toEqual({
      reviewId: 501,
      url: "https://github.com/octo/app/pull/9#pullrequestreview-501",
      posted: [good, range],
      rejected: [{ comment: bad, reason }],
    });
  });

  it("renders what could not be placed so nothing is lost", () => {
    expect(renderRejected([{ comment: bad, reason: "it is outside the diff" }])).toBe(
      "\n\n<details>\n<summary>1 comment could not be placed on the diff</summary>\n\n**`src/app.ts` line 40 (new side)**: not placed inline because it is outside the diff\n\nOutside the diff.\n\n</details>",
    );
  });

  it("leaves the body alone when appendRejected is false", async () => {
    api()
      .post(REVIEWS, { commit_id: SHA, body: "Summary.", event: "COMMENT" })
      .reply(200, { id: 502, html_url: "u" });
    const res = await makeGateway().postReview({
      pullNumber: 9,
      commitId: SHA,
      body: "Summary.",
      comments: [bad],
      files,
      appendRejected: false,
    });
    expect(res.posted).toEqual([]);
    expect(res.rejected).toHaveLength(1);
  });

  it("on a 422 retries once without inline comments and moves them into the body", async () => {
    api()
      .post(REVIEWS, (b: { comments?: unknown[] }) => Array.isArray(b.comments) && b.comments.length === 1)
      .reply(422, { message: "Unprocessable Entity", errors: ["Line could not be resolved"] });
    const why = "GitHub rejected the inline comments (Unprocessable Entity (Line could not be resolved))";
    api()
      .post(REVIEWS, {
        commit_id: SHA,
        body: `Summary.${renderRejected([{ comment: good, reason: why }])}`,
        event: "COMMENT",
      })
      .reply(200, { id: 503, html_url: "u3" });
    const res = await makeGateway().postReview({
      pullNumber: 9,
      commitId: SHA,
      body: "Summary.",
      comments: [good],
      files,
    });
    expect(res).toEqual({ reviewId: 503, url: "u3", posted: [], rejected: [{ comment: good, reason: why }] });
  });

  it("a 422 with no inline comments is a permanent failure", async () => {
    api().post(REVIEWS).reply(422, { message: "Validation Failed" });
    await expect(
      makeGateway().postReview({ pullNumber: 9, commitId: SHA, body: "Summary.", comments: [], files }),
    ).rejects.toMatchObject({ status: 422, transient: false });
  });

  it("drops a start_line equal to line instead of letting GitHub reject it", () => {
    const same = { ...good, start_line: 12 };
    expect(checkReviewComments(files, [same])).toEqual({ valid: [good], rejected: [] });
  });

  it("replies in a review thread", async () => {
    api()
      .post(`${REPO_PATH}/pulls/9/comments/77/replies`, { body: "Done." })
      .reply(201, { id: 78, html_url: "r78" });
    expect(await makeGateway().replyToReviewComment(9, 77, "Done.")).toEqual({ id: 78, url: "r78" });
  });
});
