// Incident commands from the outside: a log line becomes an incident issue, then a maintainer's
// `/incident resolve` closes it with a summary and `/incident reopen` opens it again; `/incident dispatch`
// queues a worker run whose instructions never carry the exception text (it stays in the fenced context).
import { appendFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { trace, wrap } from "../incidents/records.ts";
import { waitFor, World } from "./harness.ts";
import { userComments } from "./payloads.ts";
import type { SimIssue, SimRepo } from "./sim/state.ts";

const SECRET = "e2e-worker-secret-0123456789abcdef";

describe("e2e: /incident resolve, reopen and dispatch", { timeout: 240_000 }, () => {
  let w: World;
  let repo: SimRepo;
  let log: string;
  const incidentIssues = () =>
    [...repo.issues.values()].filter((i) => !i.pull && i.title.startsWith("[incident]"));
  const line = (name: string, type: string, message: string) =>
    `${JSON.stringify(wrap("pino", trace(name), { service: "api", type, message, time: Date.now() }))}\n`;
  const bot = (n: number) => w.sim.state.commentsOn(repo, n).filter((c) => c.user.login === w.sim.botLogin);
  const status = async (n: number) =>
    (await w.db.one<{ status: string }>("SELECT status FROM incidents WHERE issue_number = $1", [n]))?.status;
  const api = async (path: string, token: string, body: unknown = {}) => {
    const res = await fetch(`${w.url}/api/workers${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), "steward-e2e-logs-"));
    log = join(dir, "app.log");
    writeFileSync(log, "");
    w = new World({
      env: { STEWARD_INGEST_PATHS: log, STEWARD_INCIDENTS_REPO: "acme/api", WORKER_SHARED_SECRET: SECRET },
    });
    repo = w.sim.state.addRepo("acme/api", { installationId: 7 });
    repo.permissions.set("mike", "maintain");
    await w.start();
  });
  afterEach(() => w.assertClean());
  afterAll(async () => {
    await w?.stop();
  });

  it("/incident resolve by a maintainer closes the issue with a summary; /incident reopen opens it again", async () => {
    appendFileSync(log, line("js-express-router-2399.txt", "TypeError", "Cannot read property '0' of null"));
    const issue = (await waitFor(() => incidentIssues()[0], "the incident issue", 90_000)) as SimIssue;
    await w.idle();
    expect(issue.state).toBe("open");
    expect(await status(issue.number)).toBe("open");

    const before = bot(issue.number).length;
    const { comment } = await userComments(w, repo, issue.number, "mike", "/incident resolve");
    await w.idle();
    expect(
      repo.reactions
        .filter((r) => r.subject.kind === "comment" && r.subject.id === comment.id)
        .map((r) => r.content),
    ).toEqual(["eyes"]);
    expect(await status(issue.number)).toBe("resolved");
    expect(issue.state).toBe("closed");
    expect(issue.stateReason).toBe("completed");
    expect(issue.labels).toContain("incident");
    const summary = bot(issue.number).slice(before);
    expect(summary).toHaveLength(1);
    expect(summary[0]?.body).toContain("resolved");
    expect(summary[0]?.body).toContain("| Regressions | 0 |");
    expect(summary[0]?.body).toContain("/incident resolve");

    const before2 = bot(issue.number).length;
    await userComments(w, repo, issue.number, "mike", "/incident reopen");
    await w.idle();
    expect(await status(issue.number)).toBe("open");
    expect(issue.state).toBe("open");
    expect(issue.labels).toContain("incident");
    const reply = bot(issue.number).slice(before2);
    expect(reply).toHaveLength(1);
    expect(reply[0]?.body).toContain("is **open** again");
    expect(reply[0]?.body).toContain("@mike");
    expect(incidentIssues()).toHaveLength(1);
  });

  it("/incident dispatch queues a worker run; the exception text is only in the fenced context", async () => {
    const message = "Unexpected token zebra-7731 in JSON at position 4";
    appendFileSync(log, line("js-togetherjs-156.txt", "SyntaxError", message));
    const issue = (await waitFor(
      () => incidentIssues().find((i) => i.title.includes("zebra-7731")),
      "the second incident issue",
      90_000,
    )) as SimIssue;
    await w.idle();
    const before = bot(issue.number).length;
    const { comment } = await userComments(w, repo, issue.number, "mike", "/incident dispatch");
    await w.idle();
    expect(
      repo.reactions
        .filter((r) => r.subject.kind === "comment" && r.subject.id === comment.id)
        .map((r) => r.content),
    ).toEqual(["eyes"]);
    // The run's status comment and a reply naming the run.
    const posted = bot(issue.number).slice(before);
    expect(posted).toHaveLength(2);
    expect(posted.filter((c) => c.body.includes("steward:agent-run"))).toHaveLength(1);
    expect(posted.find((c) => c.body.includes("steward:agent-run"))?.body).toContain("queued");
    expect(posted.some((c) => /handed to a worker as run #\d+/.test(c.body))).toBe(true);
    expect(posted.every((c) => !c.body.includes("zebra-7731"))).toBe(true);

    const claim = await api("/claim", SECRET, { workerId: "e2e-worker", waitMs: 1000 });
    expect(claim.status).toBe(200);
    expect(claim.body.run).toMatchObject({ repo: "acme/api", ticket: issue.number, requestedBy: "mike" });
    expect(claim.body.run.instructions).not.toContain("zebra-7731");
    expect(claim.body.contextText).toContain("UNTRUSTED");
    expect(claim.body.contextText).toContain("zebra-7731");
    await w.idle();
  });
});
