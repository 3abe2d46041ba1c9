// The action on pull_request events, against the App on the same payload and a fresh copy of the same
// GitHub: the comments, the review and the PR body must be identical, and a re-run must post nothing new.
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseMarker } from "../../src/github/markers.ts";
import { sqliteTestDb, type TestDb } from "../helpers/db.ts";
import { REVIEW } from "../tools/pr/answers.ts";
import { fixtureFiles, HEAD, NUMBER, OWNER, prOpened, pullRequest, REPO } from "../tools/pr/helpers.ts";
import { ACTIONS_LOGIN, APP_LOGIN, type Fake, fakeGitHub } from "./fake-github.ts";
import { actionEnv, llmByName, runApp } from "./helpers.ts";

const DESCRIBE = {
  types: ["feature"],
  title: "Allow QUERY in req.fresh",
  summary: ["req.fresh now validates QUERY requests too"],
  walkthrough: [
    { file: "lib/request.js", summary: "QUERY joins GET and HEAD in the freshness check" },
    { file: "test/req.fresh.js", summary: "Two QUERY freshness tests" },
  ],
};

function world(): Fake {
  return fakeGitHub({
    owner: OWNER,
    name: REPO,
    pr: pullRequest(),
    files: fixtureFiles("express-query-revalidation"),
  });
}

/** What a user sees of one run, with the author's login taken out (App and action post as different bots). */
function seen(f: Fake) {
  return {
    comments: f.bodies(NUMBER),
    reviews: f.reviews.map((r) => r.body),
    prBody: f.pr.body,
    writes: f.writes().map((w) => `${w.method} ${w.path.replace(/\d{5,}/g, "ID")}`),
  };
}

describe("action: pull_request", () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await sqliteTestDb();
  });
  afterEach(async () => {
    nock.cleanAll();
    await t.cleanup();
  });

  it("opened: posts exactly what the App posts for the same payload, and a re-run posts nothing new", async () => {
    const llm = llmByName({ describe: DESCRIBE, review: REVIEW });

    const app = world();
    expect(await runApp(t.db, "pull_request", prOpened())).toBeGreaterThanOrEqual(3);
    const fromApp = seen(app);
    app.stop();

    const gh = world();
    const a = actionEnv("pull_request", prOpened());
    try {
      const r = await a.run();
      expect(r.outcome).toBe("success");
      expect(r.exitCode).toBe(0);
      const fromAction = seen(gh);
      expect(fromAction).toEqual(fromApp);
      // The user-visible result itself: one review with the anchored finding, one summary comment, the PR body.
      expect(fromAction.comments.map((b) => parseMarker(b)?.kind)).toEqual(["review", "issue-map"]);
      expect(fromAction.comments[0]).toContain(`Updated for \`${HEAD.slice(0, 12)}\`.`);
      expect(fromAction.reviews).toHaveLength(1);
      expect(fromAction.reviews[0].comments).toHaveLength(1);
      expect(fromAction.prBody).toContain("req.fresh now validates QUERY requests too");
      expect(gh.comments.get(NUMBER)!.every((c) => c.user.login === ACTIONS_LOGIN)).toBe(true);
      expect(app.comments.get(NUMBER)!.every((c) => c.user.login === APP_LOGIN)).toBe(true);
      expect(r.jobs.map((j) => [j.kind, j.outcome])).toEqual([
        ["pr.auto", "done"],
        ["pr.describe", "done"],
        ["pr.review", "done"],
        ["pr.map-issues", "done"],
        ["index.update", "done"],
      ]);
      expect(llm.calls.sort()).toEqual(["describe", "describe", "review", "review"]);

      // Re-run of the same workflow run: the comment and the PR body are edited in place, no new comment
      // and no second inline comment.
      const before = gh.bodies(NUMBER).length;
      const again = await a.run();
      expect(again.exitCode).toBe(0);
      expect(gh.bodies(NUMBER)).toHaveLength(before);
      expect(gh.reviews).toHaveLength(1);
      expect(gh.writes().filter((w) => w.method === "POST" && w.path.endsWith("/comments"))).toHaveLength(2);

      const summary = r.summary;
      expect(summary).toContain("Event `pull_request.opened` on `Codertocat/Hello-World` #2.");
      expect(summary).toContain("| ✅ done | `pr.review` | 2 | 1 |");
      expect(summary).toContain("`POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews`");
    } finally {
      gh.stop();
      llm.stop();
      a.cleanup();
    }
  });

  it("the tools input replaces pr.auto: tools=review reviews without describing", async () => {
    const llm = llmByName({ review: REVIEW });
    const gh = world();
    const a = actionEnv("pull_request", prOpened(), { tools: "review" });
    try {
      const r = await a.run();
      expect(r.exitCode).toBe(0);
      expect(r.jobs.map((j) => j.kind)).toEqual(["pr.auto", "pr.review", "pr.map-issues", "index.update"]);
      expect(llm.calls).toEqual(["review"]);
      expect(gh.pr.body).toBe(pullRequest().body);
      expect(gh.reviews).toHaveLength(1);
    } finally {
      gh.stop();
      llm.stop();
      a.cleanup();
    }
  });

  it("tools=none: no PR tool runs on pull_request", async () => {
    const gh = world();
    const a = actionEnv("pull_request", prOpened(), { tools: "none" });
    try {
      const r = await a.run();
      expect(r.exitCode).toBe(0);
      expect(r.jobs.map((j) => j.kind)).toEqual(["pr.auto", "pr.map-issues", "index.update"]);
      expect(gh.reviews).toEqual([]);
    } finally {
      gh.stop();
      a.cleanup();
    }
  });
});
