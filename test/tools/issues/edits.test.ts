import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { testApp } from "../../helpers/app.ts";
import { sqliteTestDb, type TestDb } from "../../helpers/db.ts";
import { type FakeRepo, fakeGitHub, rawIssue } from "./fake-github.ts";
import { editedPayload, GOOD_BODY, openedPayload, POOR_BODY, seedCorpus } from "./fixtures.ts";

const TITLE = "YAMLException crash when my config file uses tabs";
const CREATED = "2024-02-01T09:00:00Z";

describe("issue triage: edits, thresholds, opt-out, malformed bodies", () => {
  let t: TestDb;
  let gh: FakeRepo;
  beforeEach(async () => {
    t = await sqliteTestDb();
    gh = fakeGitHub("acme", "widgets");
    seedCorpus(gh);
  });
  afterEach(async () => {
    gh.stop();
    await t.cleanup();
  });

  it("removes needs-more-info and thanks the author when an edit lifts the score", async () => {
    const app = testApp(t.db);
    gh.issues.set(
      20,
      rawIssue("acme", "widgets", 20, { title: TITLE, body: POOR_BODY, created_at: CREATED }),
    );
    await app.receive("issues", openedPayload(gh, 20, TITLE, POOR_BODY, CREATED));
    await app.drain();
    expect(gh.issues.get(20).labels.map((l: any) => l.name)).toEqual([
      "needs-more-info",
      "possible-duplicate",
    ]);
    const scoreId = Number(/issuecomment-(\d+)/.exec(gh.comments.get(20)![0]!.html_url)![1]);

    gh.requests.length = 0;
    gh.issues.get(20).body = GOOD_BODY;
    await app.receive("issues", editedPayload(gh, 20, TITLE, GOOD_BODY, "2024-02-01T09:30:00Z"));
    await app.drain();
    const writes = gh.writes();
    expect(writes).toContainEqual({
      method: "DELETE",
      path: "/repos/acme/widgets/issues/20/labels/needs-more-info",
    });
    const patch = writes.find(
      (w) => w.method === "PATCH" && w.path === `/repos/acme/widgets/issues/comments/${scoreId}`,
    );
    expect(patch?.body.body).toContain("Thanks for adding the details! This bug report now has");
    expect(patch?.body.body).toMatch(/Documentation score: \*\*\d(\.\d)? → (\d|10)(\.\d)?\/10\*\*/);
    // Still exactly one score comment and one similar comment; no analysis without an LLM.
    expect(gh.stewardComments(20)).toHaveLength(2);
    expect(gh.issues.get(20).labels.map((l: any) => l.name)).toEqual(["possible-duplicate"]);
    expect(writes.filter((w) => w.method === "POST" && w.path.endsWith("/labels"))).toEqual([]);
  });

  it("respects the configured thresholds: related only, then nothing at all", async () => {
    gh.config = "issues:\n  similar:\n    duplicate_threshold: 0.99\n    related_threshold: 0.2\n";
    const app = testApp(t.db);
    gh.issues.set(
      20,
      rawIssue("acme", "widgets", 20, { title: TITLE, body: POOR_BODY, created_at: CREATED }),
    );
    await app.receive("issues", openedPayload(gh, 20, TITLE, POOR_BODY, CREATED));
    await app.drain();
    const similar = gh.stewardComments(20)[1]!;
    expect(similar).not.toContain("### Possible duplicates");
    expect(similar).toContain("### Related");
    expect(similar).toMatch(/- #10 .* \(similarity 0\.\d\d\)/);
    expect(gh.issues.get(20).labels.map((l: any) => l.name)).toEqual(["needs-more-info"]);
  });

  it("posts no similar comment when nothing reaches the related threshold", async () => {
    gh.config = "issues:\n  similar:\n    duplicate_threshold: 0.999\n    related_threshold: 0.998\n";
    const app = testApp(t.db);
    gh.issues.set(
      20,
      rawIssue("acme", "widgets", 20, { title: TITLE, body: POOR_BODY, created_at: CREATED }),
    );
    await app.receive("issues", openedPayload(gh, 20, TITLE, POOR_BODY, CREATED));
    await app.drain();
    expect(gh.stewardComments(20)).toHaveLength(1);
    expect(gh.stewardComments(20)[0]).toContain("steward:issue-score");
  });

  it("leaves issues with the opt-out label alone", async () => {
    const app = testApp(t.db);
    gh.issues.set(
      20,
      rawIssue("acme", "widgets", 20, {
        title: TITLE,
        body: POOR_BODY,
        created_at: CREATED,
        labels: ["steward:skip"],
      }),
    );
    await app.receive("issues", openedPayload(gh, 20, TITLE, POOR_BODY, CREATED));
    await app.drain();
    expect(gh.writes()).toEqual([]);
  });

  it("defers itself once when issues.grace_minutes is longer than the default window", async () => {
    gh.config = "issues:\n  grace_minutes: 30\n";
    const app = testApp(t.db);
    const now = new Date().toISOString();
    const eventAt = Date.parse(now);
    gh.issues.set(20, rawIssue("acme", "widgets", 20, { title: TITLE, body: POOR_BODY, created_at: now }));
    await app.receive("issues", openedPayload(gh, 20, TITLE, POOR_BODY, now));
    await app.drain();
    const rows = await t.db.query<{ state: string; run_at: number; payload: string }>(
      "SELECT state, run_at, payload FROM jobs WHERE kind = 'issue.triage' ORDER BY id",
    );
    expect(rows.map((r) => r.state)).toEqual(["done", "done"]);
    expect(Number(rows[1]!.run_at)).toBe(eventAt + 30 * 60_000);
    expect(JSON.parse(rows[1]!.payload).deferred).toBe(true);
    expect(gh.stewardComments(20)).toHaveLength(2);
  });

  it.each([
    ["empty", null],
    ["1 MB", `${"lorem ipsum dolor sit amet ".repeat(40_000)}\n${"x".repeat(100_000)}`],
    [
      "only HTML",
      "<div><p><img src='x.png'></p><!-- template --><br/><table><tr><td></td></tr></table></div>",
    ],
  ])("handles a malformed body (%s) with a sensible score comment", async (_name, body) => {
    const app = testApp(t.db);
    gh.issues.set(
      40,
      rawIssue("acme", "widgets", 40, { title: "it does not work", body, created_at: CREATED }),
    );
    await app.receive("issues", openedPayload(gh, 40, "it does not work", body, CREATED));
    await app.drain();
    const runs = await t.db.query<{ outcome: string }>(
      "SELECT r.outcome FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE j.kind = 'issue.triage'",
    );
    expect(runs).toEqual([{ outcome: "done" }]);
    const [score] = gh.stewardComments(40);
    expect(score).toContain("A couple of details would make it much easier to act on:");
    expect(score).toMatch(/1\. \*\*[A-Z][^*]+\*\*: /);
    expect(score!.length).toBeLessThan(5_000);
    expect(gh.issues.get(40).labels.map((l: any) => l.name)).toContain("needs-more-info");
  });
});
