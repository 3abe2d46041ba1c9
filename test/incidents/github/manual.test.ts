import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { syncIncidents } from "../../../src/incidents/github/sync.ts";
import { getIncident, listIncidents } from "../../../src/incidents/registry.ts";
import { type TestApp, testApp } from "../../helpers/app.ts";
import { sqliteTestDb, type TestDb } from "../../helpers/db.ts";
import { examplePayload } from "../../helpers/webhooks.ts";
import { FakeRepo, INSTALLATION, LogFile, REPO } from "./helpers.ts";

// Lifecycle gaps closed by GitHub-side events: a fix PR closed without merging, an incident issue
// closed or reopened by a person, and each repository's own verification window.

const ENV = { STEWARD_INCIDENTS_REPO: REPO, STEWARD_INCIDENTS_INSTALLATION_ID: String(INSTALLATION) };
const HOUR = 3_600_000;
const INCIDENT_KINDS = ["incidents.sync", "incidents.pr-link", "incidents.issue-state"];

function pr(number: number, action: "edited" | "closed", merged = false) {
  const p = examplePayload("pull_request", action === "edited" ? "opened" : "closed");
  p.action = action;
  p.installation = { id: INSTALLATION };
  p.pull_request.number = number;
  p.pull_request.body = "Guard the empty cart.\n\nFixes #1347";
  p.pull_request.merged = merged;
  if (action === "edited") p.changes = { body: { from: "" } };
  return p;
}

/** `pull_request.edited` whose body went from `from` to `to` (GitHub sends the old text in `changes`). */
function edit(number: number, from: string, to: string) {
  const p = pr(number, "edited");
  p.pull_request.body = to;
  p.changes = { body: { from } };
  return p;
}

function issueEvent(
  action: "closed" | "reopened",
  body: string,
  o: { reason?: string | null; sender?: { login: string; type: string } } = {},
) {
  const p = examplePayload("issues", "opened");
  p.action = action;
  p.installation = { id: INSTALLATION };
  p.issue.number = 1347;
  p.issue.body = body;
  p.issue.state = action === "closed" ? "closed" : "open";
  p.issue.state_reason = o.reason ?? null;
  p.sender = { ...p.sender, ...(o.sender ?? { login: "maint", type: "User" }) };
  return p;
}

describe("incident lifecycle: hand-made changes on GitHub", () => {
  let t: TestDb;
  let log: LogFile;
  let gh: FakeRepo;
  beforeEach(async () => {
    t = await sqliteTestDb();
    log = new LogFile();
  });
  afterEach(async () => {
    gh.done();
    log.cleanup();
    await t.cleanup();
  });

  async function incidentWithIssue(config?: string) {
    gh = new FakeRepo({ config });
    const app = testApp(t.db, ENV, { onlyKinds: INCIDENT_KINDS });
    await log.add(t.db, 2, Date.now() - 60_000);
    await syncIncidents(app.services);
    const [inc] = await listIncidents(t.db);
    expect(inc!.issueNumber).toBe(1347);
    return { app, id: inc!.id, body: gh.issues.get(1347)!.body };
  }

  async function receive(app: TestApp, name: string, payload: unknown) {
    await app.receive(name, payload);
    await app.drain();
    expect(await t.db.query("SELECT kind, last_error FROM jobs WHERE state = 'dead'")).toEqual([]);
  }

  it("a fix PR closed without merging sends the incident back to open only when no other PR is open", async () => {
    const { app, id, body } = await incidentWithIssue();
    await receive(app, "pull_request", pr(2, "edited"));
    await receive(app, "pull_request", pr(3, "edited"));
    expect((await getIncident(t.db, id))!).toMatchObject({
      status: "fix-proposed",
      linkedPrs: [
        expect.objectContaining({ number: 2, state: "open" }),
        expect.objectContaining({ number: 3, state: "open" }),
      ],
    });

    // #2 closes unmerged, #3 still references the incident: nothing changes on GitHub.
    let from = gh.calls.length;
    await receive(app, "pull_request", pr(2, "closed"));
    expect((await getIncident(t.db, id))!).toMatchObject({
      status: "fix-proposed",
      linkedPrs: [
        expect.objectContaining({ number: 3, state: "open" }),
        expect.objectContaining({ number: 2, state: "closed" }),
      ],
    });
    expect(gh.since(from)).toEqual([]);

    // #3 closes unmerged too: open again, said on the issue, and the issue kept open.
    from = gh.calls.length;
    await receive(app, "pull_request", pr(3, "closed"));
    expect((await getIncident(t.db, id))!).toMatchObject({ status: "open", syncedStatus: "open" });
    expect(gh.since(from)).toEqual([
      `GET /repos/${REPO}/issues/1347/comments`,
      `POST /repos/${REPO}/issues/1347/comments`,
      `PATCH /repos/${REPO}/issues/1347`,
    ]);
    expect(gh.calls[from + 1]!.body.body).toContain(
      `↩️ The fix PR #3 was closed without merging, and no other open PR references this issue. Incident ${id} is **open** again.`,
    );
    expect(gh.calls[from + 2]!.body).toEqual({ state: "open", state_reason: "reopened" });

    // A redelivered close changes nothing; a new fix PR starts the cycle again.
    from = gh.calls.length;
    await receive(app, "pull_request", pr(3, "closed"));
    expect(gh.since(from)).toEqual([]);
    await receive(app, "pull_request", pr(4, "edited"));
    expect((await getIncident(t.db, id))!.status).toBe("fix-proposed");
    await receive(app, "pull_request", pr(4, "closed"));
    expect((await getIncident(t.db, id))!.status).toBe("open");

    // Ignored and reopened by hand afterwards: the reopen is not blamed on the withdrawn PR.
    await receive(app, "issues", issueEvent("closed", body, { reason: "not_planned" }));
    await receive(app, "issues", issueEvent("reopened", body));
    expect((await getIncident(t.db, id))!.status).toBe("open");
    expect(gh.calls.at(-1)!.body.body).toMatch(
      new RegExp(`\\nIncident ${id} is \\*\\*open\\*\\* again\\.\\n\\n_Reopened on GitHub by @maint\\._$`),
    );
  });

  it("a `Fixes #N` edited out of an open PR withdraws the link; the incident opens when no PR still names it", async () => {
    const { app, id } = await incidentWithIssue();
    const fixes = "Guard the empty cart.\n\nFixes #1347";
    const plain = "Guard the empty cart.";
    await receive(app, "pull_request", edit(2, "", fixes));
    await receive(app, "pull_request", edit(3, "", fixes));
    expect((await getIncident(t.db, id))!.status).toBe("fix-proposed");

    // #2 drops the reference; #3 still names the issue: the link is withdrawn, nothing on GitHub.
    let from = gh.calls.length;
    await receive(app, "pull_request", edit(2, fixes, plain));
    expect((await getIncident(t.db, id))!).toMatchObject({
      status: "fix-proposed",
      linkedPrs: [
        expect.objectContaining({ number: 3, state: "open" }),
        expect.objectContaining({ number: 2, state: "unlinked" }),
      ],
    });
    expect(gh.since(from)).toEqual([]);
    // An edit elsewhere in a PR that never named the issue is not even a job.
    await app.receive("pull_request", edit(9, "typo", "no typo"));
    expect(
      await t.db.query("SELECT id FROM jobs WHERE kind = 'incidents.pr-link' AND target_number = 9"),
    ).toEqual([]);

    // #3 drops it too, before closing: open again, and the issue says why.
    from = gh.calls.length;
    await receive(app, "pull_request", edit(3, fixes, plain));
    expect((await getIncident(t.db, id))!).toMatchObject({ status: "open", syncedStatus: "open" });
    expect(gh.since(from)).toEqual([
      `GET /repos/${REPO}/issues/1347/comments`,
      `POST /repos/${REPO}/issues/1347/comments`,
      `PATCH /repos/${REPO}/issues/1347`,
    ]);
    expect(gh.calls[from + 1]!.body.body).toContain(
      `↩️ The fix PR #3 no longer references this issue (its closing keyword was edited out of the title or body), and no other open PR references this issue. Incident ${id} is **open** again.`,
    );

    // Closing #3 later (no reference left) changes nothing; putting the reference back proposes again.
    from = gh.calls.length;
    const closed = pr(3, "closed");
    closed.pull_request.body = plain;
    await receive(app, "pull_request", closed);
    expect(gh.since(from)).toEqual([]);
    expect((await getIncident(t.db, id))!.status).toBe("open");
    await receive(app, "pull_request", edit(2, plain, fixes));
    expect((await getIncident(t.db, id))!).toMatchObject({
      status: "fix-proposed",
      linkedPrs: expect.arrayContaining([expect.objectContaining({ number: 2, state: "open" })]),
    });
  });

  it("closing the issue by hand ignores (not planned) or resolves (completed); reopening opens it again", async () => {
    const { app, id, body } = await incidentWithIssue();

    let from = gh.calls.length;
    await receive(app, "issues", issueEvent("closed", body, { reason: "not_planned" }));
    expect((await getIncident(t.db, id))!).toMatchObject({ status: "ignored", syncedStatus: "ignored" });
    // Only a comment: the issue is already closed the way the status says.
    expect(gh.since(from)).toEqual([
      `GET /repos/${REPO}/issues/1347/comments`,
      `POST /repos/${REPO}/issues/1347/comments`,
    ]);
    expect(gh.calls.at(-1)!.body.body).toContain(`Incident ${id} is **ignored**`);
    expect(gh.calls.at(-1)!.body.body).toContain("_Closed on GitHub by @maint._");

    from = gh.calls.length;
    await receive(app, "issues", issueEvent("reopened", body));
    expect((await getIncident(t.db, id))!).toMatchObject({ status: "open", syncedStatus: "open" });
    expect(gh.calls.at(-1)!.body.body).toBe(
      `<!-- steward:incident key=${id}:open:${(await getIncident(t.db, id))!.updatedAt} -->\nIncident ${id} is **open** again.\n\n_Reopened on GitHub by @maint._`,
    );

    from = gh.calls.length;
    await receive(app, "issues", issueEvent("closed", body, { reason: "completed" }));
    const resolved = (await getIncident(t.db, id))!;
    expect(resolved).toMatchObject({ status: "resolved", syncedStatus: "resolved", fixMergedAt: null });
    expect(gh.since(from)).toEqual([
      `GET /repos/${REPO}/issues/1347/comments`,
      `POST /repos/${REPO}/issues/1347/comments`,
    ]);
    expect(gh.calls.at(-1)!.body.body).toContain(`### ✅ Incident ${id} resolved`);

    // A sync pass finds nothing to mirror; a recurrence regresses it as usual.
    from = gh.calls.length;
    expect((await syncIncidents(app.services)).mirrored).toEqual([]);
    expect(gh.since(from)).toEqual([]);
    await log.add(t.db, 1, resolved.resolvedAt! + 60_000);
    await syncIncidents(app.services);
    expect((await getIncident(t.db, id))!).toMatchObject({ status: "regressed", regressionCount: 1 });
  });

  it("leaves bots, non-incident issues and closes during a proposed fix alone", async () => {
    const { app, id, body } = await incidentWithIssue();
    const from = gh.calls.length;
    // Steward's own close (a bot) never reaches a job.
    await app.receive(
      "issues",
      issueEvent("closed", body, {
        reason: "not_planned",
        sender: { login: "steward-test[bot]", type: "Bot" },
      }),
    );
    await app.receive("issues", issueEvent("closed", "A human's issue"));
    expect(await t.db.query("SELECT kind FROM jobs WHERE kind LIKE 'incidents.%'")).toEqual([]);

    // GitHub closes the issue itself when the fix PR merges: verification decides, not the close.
    await receive(app, "pull_request", pr(2, "edited"));
    const proposedCalls = gh.calls.length;
    await receive(app, "issues", issueEvent("closed", body, { reason: "completed" }));
    expect((await getIncident(t.db, id))!.status).toBe("fix-proposed");
    expect(gh.calls.length).toBe(proposedCalls);
    expect(gh.since(from)).toHaveLength(2); // the fix-proposed comment only
  });

  it("verification uses the incident's repository window (incidents.verification_hours)", async () => {
    const { app, id } = await incidentWithIssue("incidents:\n  verification_hours: 48\n");
    const from = gh.calls.length;
    await receive(app, "pull_request", pr(2, "closed", true));
    const merged = (await getIncident(t.db, id))!;
    expect(merged.status).toBe("fix-merged");
    expect(gh.calls.slice(from).at(-1)!.body.body).toContain("Steward watches the logs for 48 h");
    expect((await syncIncidents(app.services, { now: merged.fixMergedAt! + 25 * HOUR })).resolved).toEqual(
      [],
    );
    expect((await syncIncidents(app.services, { now: merged.fixMergedAt! + 48 * HOUR })).resolved).toEqual([
      id,
    ]);
  });
});
