import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import { enqueue } from "../../src/jobs/queue.ts";
import { SqliteDb } from "../../src/store/sqlite.ts";
import { migrate } from "../../src/store/migrate.ts";
import { GH, mockNoRepoConfig } from "../helpers/app.ts";
import { examplePayload } from "../helpers/webhooks.ts";

function capture(env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: {
      stdout: (t: string) => out.push(t),
      stderr: (t: string) => err.push(t),
      env,
      cwd: process.cwd(),
      isTTY: false,
    },
  };
}

describe("steward jobs and replay", () => {
  let dir: string;
  let url: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "steward-cli-"));
    url = `sqlite:${join(dir, "s.db")}`;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("lists, cancels and retries jobs", async () => {
    const db = new SqliteDb(join(dir, "s.db"));
    await migrate(db);
    await enqueue(db, {
      kind: "pr.review",
      payload: {},
      repo: "o/r",
      targetNumber: 7,
      runAt: Date.UTC(2026, 10, 22, 3, 0, 0),
    });
    const dead = await enqueue(db, { kind: "command.ask", payload: {}, repo: "o/r", targetNumber: 8 });
    await db.exec("UPDATE jobs SET state = 'dead', attempts = 5, last_error = 'HTTP 502' WHERE id = $1", [
      dead.id,
    ]);
    await db.close();

    const list = capture({ DATABASE_URL: url });
    expect(await main(["jobs", "list"], list.io)).toBe(0);
    expect(list.out.join("").split("\n")[0]).toMatch(
      /^ID\s+STATE\s+KIND\s+TARGET\s+ATTEMPTS\s+RUN AT\s+LAST ERROR$/,
    );
    expect(list.out.join("")).toMatch(/2\s+dead\s+command\.ask\s+o\/r#8\s+5\/5\s+\S+\s+HTTP 502/);
    expect(list.out.join("")).toMatch(/1\s+queued\s+pr\.review\s+o\/r#7\s+0\/5\s+2026-11-22T03:00:00Z/);

    const json = capture({ DATABASE_URL: url });
    expect(await main(["jobs", "list", "--state", "dead", "--json"], json.io)).toBe(0);
    expect(JSON.parse(json.out.join(""))).toMatchObject([{ id: 2, state: "dead", kind: "command.ask" }]);

    const retry = capture({ DATABASE_URL: url });
    expect(await main(["jobs", "retry", "2"], retry.io)).toBe(0);
    expect(retry.out.join("")).toBe("job 2 re-queued\n");
    const cancel = capture({ DATABASE_URL: url });
    expect(await main(["jobs", "cancel", "1"], cancel.io)).toBe(0);
    expect(cancel.out.join("")).toBe("job 1 cancelled\n");
    const again = capture({ DATABASE_URL: url });
    expect(await main(["jobs", "cancel", "1"], again.io)).toBe(1);
    expect(again.err.join("")).toBe("steward jobs: job 1 is cancelled; only queued jobs can be cancelled\n");
    const bad = capture({ DATABASE_URL: url });
    expect(await main(["jobs", "list", "--state", "sleeping"], bad.io)).toBe(2);
    expect(bad.err.join("")).toContain("--state must be one of queued, running, done, dead, cancelled");
  });

  it("replays a saved issue_comment payload: handlers, then its job, against GitHub", async () => {
    const payload = examplePayload("issue_comment", "created");
    payload.comment.body = "/help";
    const file = join(dir, "comment.json");
    writeFileSync(file, JSON.stringify(payload));
    const [owner, repo] = payload.repository.full_name.split("/");
    const n = payload.issue.number;
    mockNoRepoConfig(owner, repo);
    const bodies: string[] = [];
    nock(GH)
      .post(`/repos/${owner}/${repo}/issues/comments/${payload.comment.id}/reactions`, { content: "eyes" })
      .reply(201, {})
      .get(`/repos/${owner}/${repo}/issues/${n}/comments`)
      .query(true)
      .reply(200, [])
      .post(`/repos/${owner}/${repo}/issues/${n}/comments`, (b) => {
        if (typeof b?.body === "string") bodies.push(b.body);
        return typeof b?.body === "string";
      })
      .reply(201, { id: 1, html_url: "https://github.com/x" });
    const c = capture({
      DATABASE_URL: url,
      GITHUB_TOKEN: "ghp_replaytoken",
      APP_SLUG: "steward-test",
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
      STEWARD_COMMAND_DEBOUNCE_MS: "60000",
    });
    expect(await main(["replay", "issue_comment", file, "--id", "replay-1"], c.io)).toBe(0);
    expect(c.out.join("")).toMatch(
      /^delivery replay-1: enqueued, \d+ job\(s\) enqueued\nran \d+ job run\(s\)\n$/,
    );
    expect(bodies).toHaveLength(1);
    expect(bodies[0]).toContain("## Steward commands");
  }, 30_000);

  it("replay refuses a payload that is not JSON, with one line", async () => {
    const file = join(dir, "bad.json");
    writeFileSync(file, "{not json");
    const c = capture({ DATABASE_URL: url, GITHUB_TOKEN: "x" });
    expect(await main(["replay", "issues", file], c.io)).toBe(1);
    expect(c.err.join("")).toMatch(/^steward replay: .*bad\.json is not a readable JSON payload \(.+\)\n$/);
  });
});
