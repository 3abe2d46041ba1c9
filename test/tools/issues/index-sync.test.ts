import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { getDoc, getMeta } from "../../../src/search/store.ts";
import { testApp } from "../../helpers/app.ts";
import { backends, type TestDb } from "../../helpers/db.ts";
import { examplePayload } from "../../helpers/webhooks.ts";
import { type FakeRepo, fakeGitHub, rawIssue } from "./fake-github.ts";
import { seedCorpus } from "./fixtures.ts";

function commentEvent(gh: FakeRepo, number: number, id: number) {
  const p = examplePayload("issue_comment", "created");
  p.installation = { id: 42 };
  p.repository.full_name = `${gh.owner}/${gh.name}`;
  p.repository.name = gh.name;
  p.repository.owner.login = gh.owner;
  p.issue.number = number;
  p.comment.id = id;
  p.comment.body = "more detail";
  return p;
}

describe.each(backends)("index maintenance ($name)", ({ open }) => {
  let t: TestDb;
  let gh: FakeRepo;
  beforeEach(async () => {
    t = await open();
    gh = fakeGitHub("acme", "widgets");
    seedCorpus(gh);
  });
  afterEach(async () => {
    gh.stop();
    await t.cleanup();
  });

  it("costs nothing before the first triage; then syncs only what changed; bursts coalesce into one run", async () => {
    const app = testApp(t.db);
    await app.receive("issue_comment", commentEvent(gh, 12, 1));
    await app.receive("issue_comment", commentEvent(gh, 12, 2));
    const queued = await t.db.query<{ generation: number }>(
      "SELECT generation FROM jobs WHERE kind = 'index.update'",
    );
    expect(queued).toEqual([{ generation: 1 }]);
    await app.drain();
    const runs = await t.db.query<{ outcome: string }>(
      "SELECT r.outcome FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE j.kind = 'index.update'",
    );
    expect(runs).toEqual([{ outcome: "done" }]);
    // (The workers area also looks at comments, without calling GitHub for plain ones.)
    expect(gh.requests).toEqual([]);

    // The first /similar back-fills through the paginated API.
    await app.receive("issue_comment", {
      ...commentEvent(gh, 12, 3),
      comment: { id: 3, body: "/similar", user: { login: "m" } },
    });
    await app.drain();
    expect((await getMeta(t.db, "acme/widgets"))?.docCount).toBe(3);
    const pages = gh.requests.filter(
      (r) =>
        r.path.startsWith("/repos/acme/widgets/issues?") ||
        r.path.startsWith("/repos/acme/widgets/issues/comments?"),
    );
    expect(pages.map((r) => r.path)).toEqual([
      "/repos/acme/widgets/issues?state=all&sort=created&direction=asc&per_page=100&page=1",
      "/repos/acme/widgets/issues/comments?sort=created&direction=asc&per_page=100&page=1",
    ]);

    // A new comment on #12 and a new issue #13, updated "now".
    const now = new Date().toISOString();
    Object.assign(gh.issues.get(12), { updated_at: now, comments: 1 });
    gh.comments.set(12, [
      {
        id: 777,
        body: "Dark mode would also help with the settings page.",
        user: { login: "someone", type: "User" },
        html_url: "x",
        issue_url: "https://api.github.com/repos/acme/widgets/issues/12",
        created_at: now,
        updated_at: now,
      },
    ]);
    gh.issues.set(
      13,
      rawIssue("acme", "widgets", 13, { title: "Settings page is slow", created_at: now, updated_at: now }),
    );
    gh.requests.length = 0;
    await app.receive("issue_comment", commentEvent(gh, 12, 4));
    await app.drain();
    const listed = gh.requests.filter((r) => r.method === "GET" && r.path.includes("/issues"));
    expect(listed.map((r) => r.path.replace(/since=[^&]+/, "since=T"))).toEqual([
      "/repos/acme/widgets/issues?state=all&sort=updated&direction=asc&since=T&per_page=100&page=1",
      "/repos/acme/widgets/issues/12/comments?per_page=100",
    ]);
    expect((await getDoc(t.db, "acme/widgets", 12))?.comments).toBe(
      "Dark mode would also help with the settings page.",
    );
    expect((await getDoc(t.db, "acme/widgets", 13))?.title).toBe("Settings page is slow");
    // The closing reference recorded during the back-fill survives the incremental updates.
    expect((await getDoc(t.db, "acme/widgets", 10))?.closedBy).toEqual([11]);
  });

  it("a deleted issue leaves the index", async () => {
    const app = testApp(t.db);
    await app.receive("issue_comment", {
      ...commentEvent(gh, 12, 1),
      comment: { id: 1, body: "/similar", user: { login: "m" } },
    });
    await app.drain();
    expect(await getDoc(t.db, "acme/widgets", 12)).toBeDefined();
    const p = examplePayload("issues", "deleted");
    p.installation = { id: 42 };
    p.repository.full_name = "acme/widgets";
    p.issue.number = 12;
    await app.receive("issues", p);
    await app.drain();
    expect(await getDoc(t.db, "acme/widgets", 12)).toBeUndefined();
  });
});
