import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { getMeta, loadDocs } from "../../../src/search/store.ts";
import { testApp } from "../../helpers/app.ts";
import { sqliteTestDb, type TestDb } from "../../helpers/db.ts";
import { type FakeRepo, fakeGitHub, rawIssue } from "./fake-github.ts";
import { editedPayload, openedPayload, POOR_BODY, seedCorpus } from "./fixtures.ts";

const QUERY_TITLE = "YAMLException crash when my config file uses tabs";
const CREATED = "2024-02-01T09:00:00Z";

describe("issue triage pipeline (no LLM configured)", () => {
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

  it("waits out the grace window, coalesces the author's edit, scores, asks, labels and lists similar issues", async () => {
    const app = testApp(t.db);
    gh.issues.set(
      20,
      rawIssue("acme", "widgets", 20, { title: QUERY_TITLE, body: POOR_BODY, created_at: CREATED }),
    );
    // A later issue with the same text must never be a candidate for #20.
    gh.issues.set(
      30,
      rawIssue("acme", "widgets", 30, {
        title: QUERY_TITLE,
        body: POOR_BODY,
        created_at: "2024-06-01T00:00:00Z",
      }),
    );

    const before = Date.now();
    await app.receive("issues", openedPayload(gh, 20, QUERY_TITLE, POOR_BODY, CREATED));
    const [first] = await t.db.query<{ run_at: number; generation: number }>(
      "SELECT run_at, generation FROM jobs WHERE kind = 'issue.triage'",
    );
    expect(Number(first!.run_at)).toBeGreaterThanOrEqual(before + 180_000);
    expect(first!.generation).toBe(0);

    await new Promise((r) => setTimeout(r, 5));
    await app.receive("issues", editedPayload(gh, 20, QUERY_TITLE, POOR_BODY, "2024-02-01T09:01:00Z"));
    const jobs = await t.db.query<{ run_at: number; generation: number; state: string }>(
      "SELECT run_at, generation, state FROM jobs WHERE kind = 'issue.triage'",
    );
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.generation).toBe(1);
    expect(Number(jobs[0]!.run_at)).toBeGreaterThan(Number(first!.run_at));
    expect(gh.requests).toEqual([]); // the webhook only enqueued

    await app.drain();
    const runs = await t.db.query<{ kind: string; outcome: string }>(
      "SELECT j.kind, r.outcome FROM job_runs r JOIN jobs j ON j.id = r.job_id ORDER BY r.id",
    );
    expect(runs.filter((r) => r.kind === "issue.triage")).toEqual([
      { kind: "issue.triage", outcome: "done" },
    ]);

    const comments = gh.stewardComments(20);
    expect(comments).toHaveLength(2);
    const [score, similar] = comments as [string, string];
    expect(score).toMatch(/^<!-- steward:issue-score key=20 state=/);
    expect(score).toContain(
      "Thanks for the bug report! A couple of details would make it much easier to act on:",
    );
    expect(score).toContain("1. **Versions and environment**: the versions involved");
    expect(score).toContain("2. **Minimal reproduction or test case**: ");
    expect(score).toContain("this repository asks for 5");
    expect(similar).toMatch(/^<!-- steward:issue-similar key=20 -->/);
    expect(similar).toContain("### Possible duplicates");
    expect(similar).toMatch(
      /- #10 CLI crashes with YAMLException when config file is indented with tabs \(similarity 0\.\d\d\)/,
    );
    expect(similar).toContain("  - possibly fixed by #11");
    expect(similar).not.toMatch(/#20\b/);
    expect(similar).not.toMatch(/#30\b/);
    expect(similar).not.toContain("dark mode");
    const labelCalls = gh.writes().filter((w) => w.path.endsWith("/labels"));
    expect(labelCalls).toEqual([
      { method: "POST", path: "/repos/acme/widgets/issues/20/labels", body: { labels: ["needs-more-info"] } },
      {
        method: "POST",
        path: "/repos/acme/widgets/issues/20/labels",
        body: { labels: ["possible-duplicate"] },
      },
    ]);
    expect(gh.writes().some((w) => w.method === "PATCH" && w.path === "/repos/acme/widgets/issues/20")).toBe(
      false,
    );

    // The back-fill read the corpus through the paginated API and recorded the closing reference.
    const meta = await getMeta(t.db, "acme/widgets");
    expect(meta?.backfilledAt).toBeGreaterThan(0);
    const docs = await loadDocs(t.db, "acme/widgets");
    expect(docs.map((d) => [d.number, d.kind, d.closedBy])).toEqual([
      [10, "issue", [11]],
      [11, "pr", []],
      [12, "issue", []],
      [20, "issue", []],
      [30, "issue", []],
    ]);
    expect(docs[0]!.comments).toContain("loadDocuments throwing");
  });
});
