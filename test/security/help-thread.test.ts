// /help written in a review-comment thread: the 👀 goes on that review comment (not on an issue
// comment with the same id, which 404s and dead-letters the job) and the answer goes in the thread.
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GH, mockInstallationToken, mockNoRepoConfig, testApp } from "../helpers/app.ts";
import { sqliteTestDb, type TestDb } from "../helpers/db.ts";
import { examplePayload } from "../helpers/webhooks.ts";

describe("/help in a review thread", () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await sqliteTestDb();
  });
  afterEach(async () => t.cleanup());

  it("reacts on the review comment and answers in its thread", async () => {
    const app = testApp(t.db, {}, { onlyKinds: ["command.help"] });
    const p = examplePayload("pull_request_review_comment", "created");
    p.installation = { id: 42 };
    p.comment.body = "/help";
    delete p.comment.in_reply_to_id;
    const R = `/repos/${p.repository.full_name}`;
    await app.receive("pull_request_review_comment", p);
    mockInstallationToken(42);
    mockNoRepoConfig(p.repository.owner.login, p.repository.name);
    const replies: Array<{ body: string }> = [];
    nock(GH)
      .post(`${R}/pulls/comments/${p.comment.id}/reactions`, { content: "eyes" })
      .reply(201, { id: 1, content: "eyes" })
      .post(`${R}/pulls/${p.pull_request.number}/comments/${p.comment.id}/replies`, (b) => {
        replies.push(b);
        return true;
      })
      .reply(201, { id: 2, html_url: "https://github.com/x" });
    expect(await app.drain()).toBe(1);
    const runs = await t.db.query<{ outcome: string }>("SELECT outcome FROM job_runs");
    expect(runs).toEqual([{ outcome: "done" }]);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.body).toContain("/review");
  });
});
