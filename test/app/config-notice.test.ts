import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GH, mockInstallationToken, testApp } from "../helpers/app.ts";
import { sqliteTestDb, type TestDb } from "../helpers/db.ts";
import { examplePayload } from "../helpers/webhooks.ts";

const BAD_CONFIG = "pr:\n  auto: [describe, reviw]\n  drafts: maybe\nisues:\n  grace_minutes: 3\n";

describe("invalid .github/steward.yml", () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await sqliteTestDb();
  });
  afterEach(async () => t.cleanup());

  function configComment(id: number) {
    const p = examplePayload("issue_comment", "created");
    p.installation = { id: 42 };
    p.comment.id = id;
    p.comment.body = "/config";
    return p;
  }

  it("explains the problem once, and the command still runs on the defaults", async () => {
    const app = testApp(t.db, { STEWARD_CONFIG_CACHE_MS: "0" }, { onlyKinds: ["command.config"] });
    const p = configComment(7001);
    const [owner, repo] = p.repository.full_name.split("/");
    const n = p.issue.number;
    const posted: Array<{ body: string }> = [];
    const capture = (b: { body?: unknown }) => {
      if (typeof b?.body === "string") posted.push(b as { body: string });
      return typeof b?.body === "string";
    };

    mockInstallationToken(42); // cached by Probot for the second job
    nock(GH)
      .get(`/repos/${owner}/${repo}/contents/${encodeURIComponent(".github/steward.yml")}`)
      .times(2)
      .reply(200, BAD_CONFIG, { "content-type": "text/plain; charset=utf-8" })
      // notice (first job only) + the /config reply for each job
      .get(`/repos/${owner}/${repo}/issues/${n}/comments`)
      .query(true)
      .times(3)
      .reply(200, [])
      .post(`/repos/${owner}/${repo}/issues/${n}/comments`, capture)
      .times(3)
      .reply(201, { id: 1, html_url: "https://github.com/x" })
      .get(`/repos/${owner}/${repo}/collaborators/${p.comment.user.login}/permission`)
      .times(2)
      .reply(200, { permission: "admin", role_name: "admin", user: { login: p.comment.user.login } })
      .post(/\/issues\/comments\/700[12]\/reactions/, { content: "eyes" })
      .times(2)
      .reply(201, {});

    await app.receive("issue_comment", p);
    expect(await app.drain()).toBe(1);
    await app.receive("issue_comment", configComment(7002));
    expect(await app.drain()).toBe(1);

    const notices = posted.filter((b) => b.body.includes("<!-- steward:config-error"));
    expect(notices).toHaveLength(1);
    expect(notices[0]!.body).toContain("`pr.auto[1]: expected a PR tool: describe, review, improve`");
    expect(notices[0]!.body).toContain("`pr.drafts: Invalid input: expected boolean, received string`");
    expect(notices[0]!.body).toContain(
      "`(root): unknown key isues (expected sections: pr, issues, incidents, notify, agents)`",
    );
    expect(notices[0]!.body).toContain("running with its **default settings**");
    const replies = posted.filter((b) => b.body.includes("<!-- steward:config key="));
    expect(replies).toHaveLength(2);
    // The effective config shown is the default one.
    expect(replies[0]!.body).toContain("- describe\n    - review");
    expect(await t.db.query("SELECT state FROM jobs WHERE kind = 'command.config'")).toEqual([
      { state: "done" },
      { state: "done" },
    ]);
  });
});
