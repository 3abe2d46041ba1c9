import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SqliteDb } from "../../src/store/sqlite.ts";
import { FakeGitHub } from "../helpers/fake-github.ts";
import { freePort, type Proc, spawnSteward, waitFor, waitHealthy } from "../helpers/server.ts";
import { examplePayload, sign, testPrivateKey } from "../helpers/webhooks.ts";

const SECRET = "crash-secret";

describe("crash recovery", () => {
  const dir = mkdtempSync(join(tmpdir(), "steward-crash-"));
  const gh = new FakeGitHub();
  let proc: Proc | undefined;
  afterAll(async () => {
    await proc?.stop("SIGKILL");
    await gh.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a job killed with SIGKILL mid-run runs again after restart, and the PR ends with exactly one Steward comment", async () => {
    const ghPort = await gh.start();
    const port = await freePort();
    const env = {
      APP_ID: "12345",
      APP_SLUG: "steward-test",
      PRIVATE_KEY: testPrivateKey(),
      WEBHOOK_SECRET: SECRET,
      PORT: String(port),
      HOST: "127.0.0.1",
      DATABASE_URL: `sqlite:${join(dir, "steward.db")}`,
      GHE_HOST: `127.0.0.1:${ghPort}`,
      GHE_PROTOCOL: "http",
      STEWARD_LEASE_MS: "5000",
      STEWARD_COMMAND_DEBOUNCE_MS: "0",
    };
    // The first run posts its comment, then dies before GitHub's answer arrives: the worst moment,
    // because the write happened but the job never learnt it.
    let held!: () => void;
    const heldPromise = new Promise<void>((r) => {
      held = r;
    });
    gh.hold = (route) => route.startsWith("POST /repos/") && route.endsWith("/comments");
    gh.onHold = held;

    proc = spawnSteward(["serve"], env);
    await waitHealthy(port, proc);
    const payload = examplePayload("issue_comment", "created");
    payload.installation = { id: 42 };
    payload.issue.pull_request = { url: "https://api.github.com/repos/x/y/pulls/1" };
    payload.comment.body = "/help";
    const body = JSON.stringify(payload);
    const res = await fetch(`http://127.0.0.1:${port}/api/github/webhooks`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": "issue_comment",
        "x-github-delivery": "crash-1",
        "x-hub-signature-256": sign(body, SECRET),
      },
      body,
    });
    expect(res.status).toBeLessThan(300);
    await heldPromise;
    proc.child.kill("SIGKILL");
    await proc.exited;
    const number = payload.issue.number;
    expect(gh.comments.get(number)).toHaveLength(1);

    proc = spawnSteward(["serve"], env);
    await waitHealthy(port, proc);
    const db = new SqliteDb(join(dir, "steward.db"));
    try {
      const job = await waitFor(
        async () => {
          const row = await db.one<{ state: string; attempts: number }>(
            "SELECT state, attempts FROM jobs WHERE kind = 'command.help'",
          );
          return row?.state === "done" ? row : undefined;
        },
        "the job to finish after restart",
        30_000,
      );
      expect(job).toEqual({ state: "done", attempts: 2 });
    } finally {
      await db.close();
    }
    const comments = gh.comments.get(number) ?? [];
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain("<!-- steward:help key=");
    expect(comments[0]!.body).toContain("## Steward commands");
  }, 60_000);
});
