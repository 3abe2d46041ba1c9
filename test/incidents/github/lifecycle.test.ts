import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openIncidentIssue } from "../../../src/incidents/github/issue.ts";
import { syncIncidents } from "../../../src/incidents/github/sync.ts";
import { getIncident, listIncidents } from "../../../src/incidents/registry.ts";
import { DEFAULT_CONFIG } from "../../../src/config/schema.ts";
import { testApp, type TestApp } from "../../helpers/app.ts";
import { sqliteTestDb, type TestDb } from "../../helpers/db.ts";
import { examplePayload } from "../../helpers/webhooks.ts";
import { FakeRepo, INSTALLATION, LogFile, REPO, SECRETS } from "./helpers.ts";

const ENV = { STEWARD_INCIDENTS_REPO: REPO, STEWARD_INCIDENTS_INSTALLATION_ID: String(INSTALLATION) };
const HOUR = 3_600_000;

/** Runs only this area's queued jobs; other areas' jobs for the same event are dropped (and named). */
async function drainIncidentJobs(t: TestDb, app: TestApp): Promise<string[]> {
  const others = await t.db.query<{ kind: string }>(
    "SELECT kind FROM jobs WHERE state = 'queued' AND kind NOT LIKE 'incidents.%' AND kind <> 'command.incident' ORDER BY id",
  );
  await t.db.exec(
    "DELETE FROM jobs WHERE state = 'queued' AND kind NOT LIKE 'incidents.%' AND kind <> 'command.incident'",
  );
  const mine = await t.db.query<{ kind: string }>("SELECT kind FROM jobs WHERE state = 'queued' ORDER BY id");
  await app.drain();
  const dead = await t.db.query<{ kind: string; last_error: string }>(
    "SELECT kind, last_error FROM jobs WHERE state = 'dead'",
  );
  expect(dead).toEqual([]);
  return [...mine.map((r) => r.kind), ...others.map((r) => `(other) ${r.kind}`)];
}

function prPayload(action: "edited" | "closed", body: string, merged = false) {
  const p = examplePayload("pull_request", action === "edited" ? "opened" : "closed");
  p.action = action;
  p.installation = { id: INSTALLATION };
  p.pull_request.body = body;
  p.pull_request.merged = merged;
  if (action === "edited") p.changes = { body: { from: "" } };
  return p;
}

describe("incident lifecycle on GitHub", () => {
  let t: TestDb;
  let log: LogFile;
  let gh: FakeRepo;
  beforeEach(async () => {
    t = await sqliteTestDb();
    log = new LogFile();
    gh = new FakeRepo();
  });
  afterEach(async () => {
    gh.done();
    log.cleanup();
    await t.cleanup();
  });

  it("opens one issue, edits one stats comment, follows the fix PR to resolved, and reopens on regression", async () => {
    const app = testApp(t.db, ENV);
    const s = app.services;
    const t0 = Date.now() - 10 * 60_000;

    // (1) A new incident opens exactly one issue, even with two sync passes at once.
    await log.add(t.db, 3, t0);
    const [inc] = await listIncidents(t.db);
    expect(inc).toMatchObject({ count: 3, status: "open", issueNumber: null, service: "shop-api" });
    const passes = await Promise.all([syncIncidents(s), syncIncidents(s)]);
    expect(passes.map((p) => p.busy).sort()).toEqual([false, true]);
    expect(gh.since(0)).toEqual([`POST /repos/${REPO}/issues`]);
    const created = gh.calls[0]!.body;
    expect(created.title).toBe("[incident] TypeError: Cannot read properties of undefined (reading 'total')");
    expect(created.labels).toEqual(["incident", "severity:high"]);
    const body: string = created.body;
    expect(body.split("\n")[0]).toBe(`<!-- steward:incident key=${inc!.id} -->`);
    for (const secret of Object.values(SECRETS)) expect(body).not.toContain(secret);
    expect(body).toContain("[redacted");
    expect(body).toContain("| Service | `shop-api` |");
    expect(body).toContain("| Events | 3 |");
    expect(body).toContain("| Request | `POST /orders/17/checkout` → 500 |");
    expect(body).toContain("| Trace id | `4bf92f3577b34da6a3ce929d0e0e4736` |");
    expect(body).toContain("| Release | `1.4.0` |");
    expect(body).toContain(`| First seen | ${new Date(t0).toISOString().replace(".000Z", "Z")} |`);
    expect(body).toContain(
      "```text\nTypeError: Cannot read properties of undefined (reading 'total')\n    at computeTotal (/srv/shop/src/orders/total.js:42:17)\n",
    );
    const issue = (await getIncident(t.db, inc!.id))!;
    expect(issue).toMatchObject({ repo: REPO, issueNumber: 1347, syncedStatus: "open", statsCount: 3 });

    // (2) Recurrences edit one stats comment: created once, then edited, never duplicated.
    await log.add(t.db, 2, t0 + 60_000);
    let from = gh.calls.length;
    const now1 = Date.now();
    expect((await syncIncidents(s, { now: now1 })).stats).toEqual([inc!.id]);
    expect(gh.since(from)).toEqual([
      `GET /repos/${REPO}/issues/1347/comments`,
      `POST /repos/${REPO}/issues/1347/comments`,
    ]);
    expect(gh.calls.at(-1)!.body.body).toContain("| Events | 5 |");
    await log.add(t.db, 4, t0 + 120_000);
    from = gh.calls.length;
    // Inside `stats_comment_minutes` (30): nothing is posted.
    await syncIncidents(s, { now: now1 + 29 * 60_000 });
    expect(gh.since(from)).toEqual([]);
    await syncIncidents(s, { now: now1 + 31 * 60_000 });
    expect(gh.since(from)).toEqual([
      `GET /repos/${REPO}/issues/1347/comments`,
      `PATCH /repos/${REPO}/issues/comments/5000`,
    ]);
    expect(gh.calls.at(-1)!.body.body).toContain("| Events | 9 |");
    expect(gh.comments.get(1347)).toHaveLength(1);

    // (3) A PR that says "Fixes #1347" moves the incident to fix-proposed.
    from = gh.calls.length;
    await app.receive("pull_request", prPayload("edited", "Guard the empty cart.\n\nFixes #1347"));
    const kinds = await drainIncidentJobs(t, app);
    expect(kinds.filter((k) => !k.startsWith("(other)"))).toEqual(["incidents.pr-link"]);
    expect((await getIncident(t.db, inc!.id))!).toMatchObject({
      status: "fix-proposed",
      syncedStatus: "fix-proposed",
      linkedPrs: [expect.objectContaining({ repo: REPO, number: 2, state: "open" })],
    });
    expect(gh.since(from)).toEqual([
      `GET /repos/${REPO}/issues/1347/comments`,
      `POST /repos/${REPO}/issues/1347/comments`,
    ]);
    expect(gh.calls.at(-1)!.body.body).toContain("A fix is proposed in #2. Incident");

    // (4) The merge moves it to fix-merged; verification starts.
    from = gh.calls.length;
    await app.receive("pull_request", prPayload("closed", "Guard the empty cart.\n\nFixes #1347", true));
    await drainIncidentJobs(t, app);
    const merged = (await getIncident(t.db, inc!.id))!;
    expect(merged).toMatchObject({ status: "fix-merged", syncedStatus: "fix-merged" });
    expect(merged.fixMergedAt).not.toBeNull();
    expect(gh.since(from)).toEqual([
      `GET /repos/${REPO}/issues/1347/comments`,
      `POST /repos/${REPO}/issues/1347/comments`,
    ]);
    expect(gh.calls.at(-1)!.body.body).toContain("Steward watches the logs for 24 h");

    // (5) Before the window nothing happens; after it, resolved and the issue closed with a summary.
    from = gh.calls.length;
    expect((await syncIncidents(s, { now: merged.fixMergedAt! + 23 * HOUR })).resolved).toEqual([]);
    expect(gh.since(from)).toEqual([]);
    const resolvedAt = merged.fixMergedAt! + 24 * HOUR + 1;
    expect((await syncIncidents(s, { now: resolvedAt })).resolved).toEqual([inc!.id]);
    expect(gh.since(from)).toEqual([
      `GET /repos/${REPO}/issues/1347/comments`,
      `POST /repos/${REPO}/issues/1347/comments`,
      `PATCH /repos/${REPO}/issues/1347`,
    ]);
    expect(gh.calls.at(-2)!.body.body).toContain(`### ✅ Incident ${inc!.id} resolved`);
    expect(gh.calls.at(-2)!.body.body).toContain("| Fix | #2 |");
    expect(gh.calls.at(-1)!.body).toEqual({ state: "closed", state_reason: "completed" });
    expect((await getIncident(t.db, inc!.id))!).toMatchObject({
      status: "resolved",
      syncedStatus: "resolved",
    });

    // (6) A recurrence after resolution reopens the issue as regressed.
    await log.add(t.db, 1, resolvedAt + 60_000, { release: "1.5.0" });
    from = gh.calls.length;
    await syncIncidents(s, { now: resolvedAt + 2 * 60_000 });
    const regressed = (await getIncident(t.db, inc!.id))!;
    expect(regressed).toMatchObject({ status: "regressed", regressionCount: 1, syncedStatus: "regressed" });
    expect(gh.since(from).slice(0, 3)).toEqual([
      `GET /repos/${REPO}/issues/1347/comments`,
      `POST /repos/${REPO}/issues/1347/comments`,
      `PATCH /repos/${REPO}/issues/1347`,
    ]);
    expect(gh.calls[from + 1]!.body.body).toContain(`### ⚠️ Incident ${inc!.id} regressed`);
    expect(gh.calls[from + 1]!.body.body).toContain("Regressions so far: **1**");
    expect(gh.calls[from + 2]!.body).toEqual({ state: "open", state_reason: "reopened" });
    // Still exactly one issue for the incident.
    expect(gh.calls.filter((c) => c.method === "POST" && c.path === `/repos/${REPO}/issues`)).toHaveLength(1);
  });

  it("two replicas racing to open an incident's issue create it once (the claim, without the sync lease)", async () => {
    const app = testApp(t.db, ENV);
    await log.add(t.db, 1, Date.now());
    const [inc] = await listIncidents(t.db);
    const open = (owner: string) =>
      openIncidentIssue(app.services, inc!, REPO, INSTALLATION, DEFAULT_CONFIG, owner, app.services.log);
    const outcomes = await Promise.all([open("replica-a"), open("replica-b")]);
    expect(outcomes.map((o) => o.outcome).sort()).toEqual(["busy", "opened"]);
    // A replica that comes later finds the issue already recorded.
    expect((await open("replica-c")).outcome).toBe("busy");
    expect(gh.since(0)).toEqual([`POST /repos/${REPO}/issues`]);
  });

  it("a replica taking over a stale claim adopts the issue its crashed holder opened, instead of opening another", async () => {
    const app = testApp(t.db, ENV);
    await log.add(t.db, 1, Date.now());
    const [inc] = await listIncidents(t.db);
    const crashedAt = Date.now() - 11 * 60_000;
    // The crashed holder claimed, created #77 and died before recording it.
    await t.db.exec(
      "INSERT INTO kv (namespace, key, value, expires_at, updated_at) VALUES ('incident-issue', $1, 'dead-replica', $2, $3)",
      [String(inc!.id), crashedAt + 86_400_000, crashedAt],
    );
    const { default: nock } = await import("nock");
    const listed: string[] = [];
    nock("https://api.github.com")
      .get(`/repos/${REPO}/issues`)
      .query((q) => {
        listed.push(String(q.since));
        return q.state === "all" && q.sort === "created";
      })
      .reply(200, [
        { number: 78, body: "a human's issue", user: { login: "octocat", type: "User" } },
        {
          number: 77,
          body: `<!-- steward:incident key=${inc!.id} -->\n### 🚨 Incident`,
          user: { login: "steward-test[bot]", type: "Bot" },
        },
      ]);
    const out = await openIncidentIssue(
      app.services,
      inc!,
      REPO,
      INSTALLATION,
      DEFAULT_CONFIG,
      "new",
      app.services.log,
    );
    expect(out).toEqual({ outcome: "adopted", issueNumber: 77 });
    expect(listed).toEqual([new Date(crashedAt - 60_000).toISOString()]);
    expect((await getIncident(t.db, inc!.id))!.issueNumber).toBe(77);
    expect(gh.calls).toEqual([]);
  });
});
