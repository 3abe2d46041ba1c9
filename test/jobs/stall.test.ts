import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { enqueue } from "../../src/jobs/queue.ts";
import { openDb } from "../../src/store/index.ts";
import { FakeGitHub } from "../helpers/fake-github.ts";
import { waitFor } from "../helpers/server.ts";
import { testPrivateKey } from "../helpers/webhooks.ts";

const SCRIPT = resolve(import.meta.dirname, "../helpers/stall-worker.ts");
const LEASE_MS = 1_500;
const STALL_MS = 4_000;

describe("a job that stalls its process past the lease", () => {
  const dir = mkdtempSync(join(tmpdir(), "steward-stall-"));
  const gh = new FakeGitHub();
  const children: ChildProcess[] = [];
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
    await gh.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs at most max-attempts times across two processes, posts nothing after losing its lease, and fails with one comment", async () => {
    const ghPort = await gh.start();
    const url = `sqlite:${join(dir, "steward.db")}`;
    const db = await openDb(url);
    const { id } = await enqueue(db, {
      kind: "test.stall",
      payload: {},
      installationId: 42,
      repo: "o/r",
      targetNumber: 7,
      maxAttempts: 2,
    });
    const env = {
      PATH: process.env.PATH ?? "",
      APP_ID: "12345",
      APP_SLUG: "steward-test",
      PRIVATE_KEY: testPrivateKey(),
      WEBHOOK_SECRET: "s",
      DATABASE_URL: url,
      GHE_HOST: `127.0.0.1:${ghPort}`,
      GHE_PROTOCOL: "http",
      LOG_LEVEL: "info" as const,
      LEASE_MS: String(LEASE_MS),
      STALL_MS: String(STALL_MS),
    };
    let out = "";
    for (let i = 0; i < 2; i++) {
      const c: ChildProcess = spawn(process.execPath, [SCRIPT], {
        env,
        cwd: tmpdir(),
        stdio: ["ignore", "pipe", "pipe"],
      });
      const collect = (d: Buffer) => {
        out += d.toString();
      };
      c.stdout?.on("data", collect);
      c.stderr?.on("data", collect);
      children.push(c);
    }
    try {
      const dead = await waitFor(
        async () => {
          const row = await db.one<{ state: string; attempts: number; last_error: string }>(
            "SELECT state, attempts, last_error FROM jobs WHERE id = $1",
            [id],
          );
          return row?.state === "dead" ? row : undefined;
        },
        `the job to be dead-lettered; output:\n${out}`,
        40_000,
      );
      expect(dead.attempts).toBe(2);
      expect(dead.last_error).toContain("lease expired on the last attempt (2 of 2)");
      // Both stalled attempts wake up, find their lease gone, and stop.
      await waitFor(
        () => (out.match(/job attempt abandoned: lease lost/g) ?? []).length >= 2 || undefined,
        `both attempts to be abandoned; output:\n${out}`,
        20_000,
      );
      await new Promise((r) => setTimeout(r, 1_000));
      const runs = await db.query<{ attempt: number }>(
        "SELECT attempt FROM job_runs WHERE job_id = $1 ORDER BY attempt",
        [id],
      );
      expect(runs.map((r) => r.attempt)).toEqual([1, 2]);
      expect(await db.one("SELECT state, attempts FROM jobs WHERE id = $1", [id])).toEqual({
        state: "dead",
        attempts: 2,
      });
    } finally {
      await db.close();
    }
    // Nothing from either stalled attempt reached GitHub; the failure comment did, once.
    const comments = gh.comments.get(7) ?? [];
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain("Steward could not finish `test.stall`");
    expect(comments[0]!.body).toContain("gave up after 2 attempt(s)");
    expect(comments.some((c) => c.body.includes("result of attempt"))).toBe(false);
    expect(gh.requests.filter((r) => r === "POST /repos/o/r/issues/7/comments")).toHaveLength(1);
  }, 90_000);
});
