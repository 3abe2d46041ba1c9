// Incidents from the outside: `steward serve` tails a log file (STEWARD_INGEST_PATHS); real stack traces
// written to it become one GitHub issue per fingerprint in STEWARD_INCIDENTS_REPO (the installation found
// with the App's JWT), a recurrence updates rather than duplicates, and a PR that fixes the incident
// moves it along.
import { appendFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { trace, wrap } from "../incidents/records.ts";
import { waitFor, World } from "./harness.ts";
import { prFiles, pullRequestPayload, userComments } from "./payloads.ts";
import type { SimIssue, SimRepo } from "./sim/state.ts";

describe("e2e: incidents from a log file to an issue", { timeout: 240_000 }, () => {
  let w: World;
  let repo: SimRepo;
  let log: string;
  const incidentIssues = () =>
    [...repo.issues.values()].filter((i) => !i.pull && i.title.startsWith("[incident]"));
  const line = (name: string, type: string, message: string) =>
    `${JSON.stringify(wrap("pino", trace(name), { service: "api", type, message, time: Date.now() }))}\n`;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), "steward-e2e-logs-"));
    log = join(dir, "app.log");
    writeFileSync(log, "");
    w = new World({
      env: { STEWARD_INGEST_PATHS: log, STEWARD_INCIDENTS_REPO: "acme/api" },
    });
    repo = w.sim.state.addRepo("acme/api", { installationId: 7 });
    repo.permissions.set("mike", "maintain");
    repo.permissions.set("rita", "read");
    await w.start();
  });
  afterEach(() => w.assertClean());
  afterAll(async () => {
    await w?.stop();
  });

  it("an exception in the log becomes one issue; its recurrence updates it instead of opening another", async () => {
    appendFileSync(log, '{"level":30,"msg":"request ok","time":1}\n');
    appendFileSync(log, line("js-express-router-2399.txt", "TypeError", "Cannot read property '0' of null"));
    const issue = await waitFor(() => incidentIssues()[0], "the incident issue", 90_000);
    await w.idle();
    expect(issue.title).toBe("[incident] TypeError: Cannot read property '0' of null");
    expect(issue.user.login).toBe(w.sim.botLogin);
    expect(issue.labels).toContain("incident");
    expect(issue.body).toContain("trim_prefix");
    expect(w.sim.calls("apps/get-repo-installation")).toHaveLength(1);

    // The same failure twice more, with a different line number: same fingerprint, same issue.
    appendFileSync(
      log,
      line("js-express-router-2399.txt", "TypeError", "Cannot read property '0' of null").repeat(2),
    );
    await waitFor(
      async () => {
        const rows = await w.db.query<{ count: number }>("SELECT count FROM incidents");
        return rows[0] && Number(rows[0].count) >= 3 ? rows : undefined;
      },
      "three occurrences counted",
      30_000,
    );
    await w.idle();
    expect(incidentIssues()).toHaveLength(1);
    // A different exception is a different incident.
    appendFileSync(log, line("js-togetherjs-156.txt", "ReferenceError", "jQuery is not defined"));
    await waitFor(
      () => (incidentIssues().length === 2 ? true : undefined),
      "a second incident issue",
      30_000,
    );
    await w.idle();
  });

  it("a PR that fixes the incident moves it to fix-proposed, its merge to fix-merged; an outsider cannot /incident ignore it", async () => {
    const issue = incidentIssues()[0] as SimIssue;
    const pr = w.sim.state.openPull(repo, {
      title: "Guard against null params",
      body: `Fixes #${issue.number}`,
      author: "mike",
      head: "fix/null",
      files: prFiles("express-query-revalidation"),
    });
    await w.deliver("pull_request", pullRequestPayload(w, repo, pr, "opened"));
    await w.idle();
    const row = await w.db.one<{ status: string }>("SELECT status FROM incidents WHERE issue_number = $1", [
      issue.number,
    ]);
    expect(row?.status).toBe("fix-proposed");

    w.sim.state.merge(repo, pr.number, "mike");
    await w.deliver("pull_request", pullRequestPayload(w, repo, pr, "closed", "mike"));
    await w.idle();
    expect(
      (
        await w.db.one<{ status: string }>("SELECT status FROM incidents WHERE issue_number = $1", [
          issue.number,
        ])
      )?.status,
    ).toBe("fix-merged");

    const before = w.sim.state.commentsOn(repo, issue.number).length;
    await userComments(w, repo, issue.number, "rita", "/incident ignore");
    await w.idle();
    const reply = w.sim.state
      .commentsOn(repo, issue.number)
      .slice(before)
      .filter((c) => c.user.login === w.sim.botLogin);
    expect(reply).toHaveLength(1);
    expect(reply[0]?.body).toContain("needs **triage** permission");
    expect(
      (
        await w.db.one<{ status: string }>("SELECT status FROM incidents WHERE issue_number = $1", [
          issue.number,
        ])
      )?.status,
    ).toBe("fix-merged");
  });

  it("/incident ignore by a triage user ignores the second incident", async () => {
    repo.permissions.set("tina", "triage");
    const issue = incidentIssues()[1] as SimIssue;
    const { comment } = await userComments(w, repo, issue.number, "tina", "/incident ignore");
    await w.idle();
    expect(
      repo.reactions
        .filter((r) => r.subject.kind === "comment" && r.subject.id === comment.id)
        .map((r) => r.content),
    ).toEqual(["eyes"]);
    expect(
      (
        await w.db.one<{ status: string }>("SELECT status FROM incidents WHERE issue_number = $1", [
          issue.number,
        ])
      )?.status,
    ).toBe("ignored");
  });
});
