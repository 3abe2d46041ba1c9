import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { listRuns } from "../../../src/agents/runs.ts";
import { syncIncidents } from "../../../src/incidents/github/sync.ts";
import { getIncident, listIncidents } from "../../../src/incidents/registry.ts";
import { testApp } from "../../helpers/app.ts";
import { sqliteTestDb, type TestDb } from "../../helpers/db.ts";
import { examplePayload } from "../../helpers/webhooks.ts";
import { FakeRepo, INSTALLATION, LogFile, REPO, SECRETS } from "./helpers.ts";

const ENV = { STEWARD_INCIDENTS_REPO: REPO, STEWARD_INCIDENTS_INSTALLATION_ID: String(INSTALLATION) };

let commentSeq = 900;
function command(body: string, issue: number, login: string) {
  const p = examplePayload("issue_comment", "created");
  p.installation = { id: INSTALLATION };
  p.issue.number = issue;
  delete p.issue.pull_request;
  p.comment.id = ++commentSeq;
  p.comment.body = body;
  p.comment.user = { ...p.comment.user, login, type: "User" };
  p.sender = { ...p.sender, login, type: "User" };
  return p;
}

describe("/incident commands", () => {
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

  async function incidentWithIssue() {
    const app = testApp(t.db, ENV);
    await log.add(t.db, 2, Date.now() - 60_000);
    await syncIncidents(app.services);
    const [inc] = await listIncidents(t.db);
    expect(inc!.issueNumber).toBe(1347);
    return { app, inc: inc! };
  }

  it("refuses /incident ignore from an outsider and applies it for a maintainer; ignored never regresses", async () => {
    const { app, inc } = await incidentWithIssue();
    gh.permissions = { outsider: "read", maint: "maintain" };

    let from = gh.calls.length;
    await app.receive("issue_comment", command("/incident ignore", 1347, "outsider"));
    await app.drain();
    expect(gh.since(from)).toEqual([
      `GET /repos/${REPO}/collaborators/outsider/permission`,
      `GET /repos/${REPO}/issues/1347/comments`,
      `POST /repos/${REPO}/issues/1347/comments`,
    ]);
    expect(gh.calls.at(-1)!.body.body).toContain(
      "@outsider `/incident ignore` needs **triage** permission on this repository; GitHub reports yours as **read**.",
    );
    expect((await getIncident(t.db, inc.id))!.status).toBe("open");

    from = gh.calls.length;
    await app.receive("issue_comment", command("/incident ignore", 1347, "maint"));
    await app.drain();
    expect(gh.since(from)).toEqual([
      `GET /repos/${REPO}/collaborators/maint/permission`,
      `POST /repos/${REPO}/issues/comments/${commentSeq}/reactions`,
      `PATCH /repos/${REPO}/issues/1347`,
      `GET /repos/${REPO}/issues/1347/comments`,
      `POST /repos/${REPO}/issues/1347/comments`,
    ]);
    expect(gh.calls[from + 2]!.body).toEqual({ state: "closed", state_reason: "not_planned" });
    expect(gh.calls.at(-1)!.body.body).toContain(`Incident ${inc.id} is **ignored**`);
    expect(gh.calls.at(-1)!.body.body).toContain("_Set by @maint with `/incident ignore`._");
    expect((await getIncident(t.db, inc.id))!).toMatchObject({ status: "ignored", syncedStatus: "ignored" });

    // More of the same error: counted, but no regression and nothing on GitHub.
    await log.add(t.db, 5, Date.now() + 60_000, { release: "9.9.9" });
    from = gh.calls.length;
    const pass = await syncIncidents(app.services, { now: Date.now() + 3 * 3_600_000 });
    expect(pass).toMatchObject({ opened: [], mirrored: [], stats: [], errors: [] });
    expect(gh.since(from)).toEqual([]);
    expect((await getIncident(t.db, inc.id))!).toMatchObject({
      status: "ignored",
      count: 7,
      regressionCount: 0,
    });

    // /incident reopen brings it back and reopens the issue.
    from = gh.calls.length;
    await app.receive("issue_comment", command("/incident reopen", 1347, "maint"));
    await app.drain();
    expect(gh.calls.slice(from).find((c) => c.method === "PATCH")!.body).toEqual({
      state: "open",
      state_reason: "reopened",
    });
    expect((await getIncident(t.db, inc.id))!.status).toBe("open");
  });

  it("/incident resolve on a plain issue says it is not an incident's; resolve on the incident closes it", async () => {
    const { app, inc } = await incidentWithIssue();
    gh.permissions = { maint: "write" };
    let from = gh.calls.length;
    await app.receive("issue_comment", command("/incident resolve", 9, "maint"));
    await app.drain();
    expect(gh.calls.at(-1)!.body.body).toBe(
      `<!-- steward:reply key=${commentSeq} -->\n\`/incident\` works on the issues Steward opens for incidents; this issue is not linked to one.`,
    );
    from = gh.calls.length;
    await app.receive("issue_comment", command("/incident resolve", 1347, "maint"));
    await app.drain();
    expect(gh.calls.slice(from).find((c) => c.method === "PATCH")!.body).toEqual({
      state: "closed",
      state_reason: "completed",
    });
    expect(gh.calls.at(-1)!.body.body).toContain(`### ✅ Incident ${inc.id} resolved`);
    expect((await getIncident(t.db, inc.id))!.status).toBe("resolved");
    // An ignored incident cannot be resolved; the reply says why.
    await app.receive("issue_comment", command("/incident ignore", 1347, "maint"));
    await app.receive("issue_comment", command("/incident resolve", 1347, "maint"));
    await app.drain();
    expect(gh.calls.at(-1)!.body.body).toBe(
      `<!-- steward:reply key=${commentSeq} -->\nIncident ${inc.id} is **ignored**; \`/incident resolve\` does not apply to that status.`,
    );
  });

  it("/incident dispatch queues a worker run carrying the masked incident context (write permission needed)", async () => {
    const { app, inc } = await incidentWithIssue();
    gh.permissions = { triager: "triage", dev: "write" };
    await app.receive("issue_comment", command("/incident dispatch", 1347, "triager"));
    await app.drain();
    expect(gh.calls.at(-1)!.body.body).toContain("`/incident dispatch` needs **write** permission");
    expect(await listRuns(t.db, REPO, 1347)).toEqual([]);

    await app.receive("issue_comment", command("/incident dispatch", 1347, "dev"));
    await app.drain();
    const runs = await listRuns(t.db, REPO, 1347);
    expect(runs).toHaveLength(1);
    const run = runs[0]!;
    expect(run).toMatchObject({ state: "queued", requestedBy: "dev", installationId: INSTALLATION });
    // The exception message is log text: it is context (fenced for the worker), never an instruction.
    expect(run.instructions).toContain(`Fix incident ${inc.id} (its title, traceback and request`);
    expect(run.instructions).not.toContain("TypeError");
    expect((run.context as { title: string }).title).toContain("TypeError");
    expect(run.instructions).toContain('"Fixes #1347"');
    const ctx = run.context as { incident: string };
    expect(ctx.incident).toContain("Request: POST /orders/17/checkout → 500");
    expect(ctx.incident).toContain("Trace id: 4bf92f3577b34da6a3ce929d0e0e4736");
    expect(ctx.incident).toContain("at computeTotal (/srv/shop/src/orders/total.js:42:17)");
    expect(ctx.incident).toContain("Sample record:");
    const persisted = JSON.stringify(
      await t.db.query("SELECT instructions, context FROM runs WHERE repo = $1", [REPO]),
    );
    for (const secret of [...Object.values(SECRETS), "ghs_test"]) expect(persisted).not.toContain(secret);
    const texts = gh.calls
      .filter((c) => c.method === "POST" && c.body?.body)
      .map((c) => c.body.body as string);
    expect(texts.some((b) => b.startsWith("<!-- steward:agent-run key="))).toBe(true);
    expect(texts.at(-1)).toContain(`Incident ${inc.id} is handed to a worker as run #${run.id} (created)`);
    expect(texts.at(-1)).toContain("no `WORKER_SHARED_SECRET`");
  });
});
