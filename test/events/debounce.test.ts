import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GH, mockInstallationToken, mockNoRepoConfig, testApp } from "../helpers/app.ts";
import { sqliteTestDb, type TestDb } from "../helpers/db.ts";
import { examplePayload } from "../helpers/webhooks.ts";

describe("debounce", () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await sqliteTestDb();
  });
  afterEach(async () => t.cleanup());

  it("20 issue_comment.created commands on one PR inside the window give exactly one job run", async () => {
    const app = testApp(t.db, {}, { onlyKinds: ["command.help"] });
    const base = examplePayload("issue_comment", "created");
    // Deliveries to an App carry the installation (the public examples come from a repo webhook).
    base.installation ??= { id: 42, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNDI=" };
    const { owner, name } = { owner: base.repository.owner.login, name: base.repository.name };
    const number = base.issue.number;
    base.issue.pull_request = { url: `${GH}/repos/${owner}/${name}/pulls/${number}` };
    for (let i = 0; i < 20; i++) {
      const p = structuredClone(base);
      p.comment.id = 1000 + i;
      p.comment.body = i % 2 ? "/help" : "please\n/help";
      await app.receive("issue_comment", p);
    }
    const jobs = await t.db.query<{ kind: string; state: string; generation: number }>(
      "SELECT kind, state, generation FROM jobs WHERE kind LIKE 'command.%'",
    );
    expect(jobs).toEqual([{ kind: "command.help", state: "queued", generation: 19 }]);

    mockInstallationToken(base.installation.id);
    mockNoRepoConfig(owner, name);
    const posted: unknown[] = [];
    nock(GH)
      .post(`/repos/${owner}/${name}/issues/comments/1019/reactions`, { content: "eyes" })
      .reply(201, { id: 1, content: "eyes" })
      .get(`/repos/${owner}/${name}/issues/${number}/comments`)
      .query(true)
      .reply(200, [])
      .post(`/repos/${owner}/${name}/issues/${number}/comments`, (b) => {
        posted.push(b);
        return true;
      })
      .reply(201, { id: 555, html_url: "https://github.com/x" });

    expect(await app.drain()).toBe(1);
    const runs = await t.db.query<{ outcome: string }>("SELECT outcome FROM job_runs");
    expect(runs).toEqual([{ outcome: "done" }]);
    expect(posted).toHaveLength(1);
    const body = (posted[0] as { body: string }).body;
    expect(body).toContain("<!-- steward:help key=1019 -->");
    expect(body).toContain("## Steward commands");
    expect(body).toContain("| `/review` |");
  });
});
