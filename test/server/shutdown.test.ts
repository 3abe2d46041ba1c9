import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SqliteDb } from "../../src/store/sqlite.ts";
import { FakeGitHub } from "../helpers/fake-github.ts";
import { freePort, type Proc, spawnSteward, waitFor, waitHealthy } from "../helpers/server.ts";
import { examplePayload, sign, testPrivateKey } from "../helpers/webhooks.ts";

const SECRET = "shutdown-secret";
const SHUTDOWN_MS = 2_000;

describe("shutdown deadline", () => {
  const dir = mkdtempSync(join(tmpdir(), "steward-shutdown-"));
  const gh = new FakeGitHub();
  let proc: Proc | undefined;
  afterAll(async () => {
    await proc?.stop("SIGKILL");
    await gh.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("SIGTERM during a stuck job exits within the deadline, gives the lease back, and the next process finishes the job", async () => {
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
      // A long lease: only the shutdown's release can let the second process take the job this soon.
      STEWARD_LEASE_MS: "600000",
      STEWARD_SHUTDOWN_MS: String(SHUTDOWN_MS),
      STEWARD_COMMAND_DEBOUNCE_MS: "0",
    };
    // GitHub takes the comment and never answers: the job hangs on a dependency.
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
        "x-github-delivery": "shutdown-1",
        "x-hub-signature-256": sign(body, SECRET),
      },
      body,
    });
    expect(res.status).toBeLessThan(300);
    await heldPromise;

    const t0 = Date.now();
    const code = await proc.stop("SIGTERM");
    const took = Date.now() - t0;
    expect(code).toBe(0);
    // The deadline, plus the release and process exit; far below the 5 s backstop.
    expect(took).toBeGreaterThanOrEqual(SHUTDOWN_MS - 100);
    expect(took).toBeLessThan(SHUTDOWN_MS + 4_000);
    expect(proc.output()).toContain("job released at shutdown");

    const db = new SqliteDb(join(dir, "steward.db"));
    try {
      const released = await db.one(
        "SELECT state, attempts, lease_owner FROM jobs WHERE kind = 'command.help'",
      );
      expect(released).toEqual({ state: "queued", attempts: 1, lease_owner: null });

      proc = spawnSteward(["serve"], env);
      await waitHealthy(port, proc);
      const job = await waitFor(
        async () => {
          const row = await db.one<{ state: string; attempts: number }>(
            "SELECT state, attempts FROM jobs WHERE kind = 'command.help'",
          );
          return row?.state === "done" ? row : undefined;
        },
        "the second process to finish the job",
        30_000,
      );
      expect(job).toEqual({ state: "done", attempts: 2 });
      const runs = await db.query("SELECT attempt, outcome FROM job_runs ORDER BY id");
      expect(runs).toEqual([
        { attempt: 1, outcome: "released" },
        { attempt: 2, outcome: "done" },
      ]);
    } finally {
      await db.close();
    }
    // The first attempt's comment landed before the hang; the second edited it instead of posting again.
    const comments = gh.comments.get(payload.issue.number) ?? [];
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain("## Steward commands");
  }, 60_000);
});
