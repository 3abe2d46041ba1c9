// The SQLite store's disk fills up under the real `steward serve` (a small tmpfs): intake answers 503 with a
// clear error and stores nothing of what it refused, the database stays intact, and once space is freed
// the refused deliveries are accepted on redelivery and their jobs run.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SqliteDb } from "../../src/store/sqlite.ts";
import { FakeGitHub } from "../helpers/fake-github.ts";
import { freePort, type Proc, spawnSteward, waitFor, waitHealthy } from "../helpers/server.ts";
import { examplePayload, sign, testPrivateKey } from "../helpers/webhooks.ts";

const SECRET = "disk-secret";
const dir = mkdtempSync(join(tmpdir(), "steward-full-"));

function tryMount(): string | undefined {
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=6m", "tmpfs", dir], { stdio: "pipe" });
    return undefined;
  } catch (err) {
    return (err as Error).message.split("\n")[0];
  }
}
const mountError = tryMount();
if (mountError && process.env.CI !== "true")
  console.warn(`skipping the disk-full test: cannot mount a small tmpfs here (${mountError})`);

describe.skipIf(Boolean(mountError) && process.env.CI !== "true")("SQLite store on a full disk", () => {
  const gh = new FakeGitHub();
  let proc: Proc | undefined;
  afterAll(async () => {
    await proc?.stop("SIGKILL");
    await gh.stop();
    if (!mountError) execFileSync("umount", ["-l", dir]);
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers 503 and stores nothing it refused; nothing is corrupted; work resumes once space is freed", async () => {
    if (mountError) throw new Error(`CI=true but no tmpfs: ${mountError}`);
    const ghPort = await gh.start();
    const port = await freePort();
    const dbPath = join(dir, "steward.db");
    proc = spawnSteward(["serve"], {
      APP_ID: "12345",
      APP_SLUG: "steward-test",
      PRIVATE_KEY: testPrivateKey(),
      WEBHOOK_SECRET: SECRET,
      PORT: String(port),
      HOST: "127.0.0.1",
      DATABASE_URL: `sqlite:${dbPath}`,
      GHE_HOST: `127.0.0.1:${ghPort}`,
      GHE_PROTOCOL: "http",
      STEWARD_LEASE_MS: "5000",
      STEWARD_COMMAND_DEBOUNCE_MS: "0",
    });
    await waitHealthy(port, proc);
    const deliver = async (id: string, n: number) => {
      const payload = examplePayload("issue_comment", "created");
      payload.installation = { id: 42 };
      payload.issue.number = n;
      payload.issue.pull_request = { url: `https://api.github.com/repos/x/y/pulls/${n}` };
      // A long comment makes each stored delivery big, so the write-ahead log must grow.
      payload.comment.body = `/help\n\n${"padding ".repeat(4_000)}`;
      const body = JSON.stringify(payload);
      const res = await fetch(`http://127.0.0.1:${port}/api/github/webhooks`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-github-event": "issue_comment",
          "x-github-delivery": id,
          "x-hub-signature-256": sign(body, SECRET),
        },
        body,
      });
      return { status: res.status, text: await res.text() };
    };
    expect((await deliver("before-1", 1)).status).toBeLessThan(300);
    await waitFor(() => (gh.comments.get(1)?.length ? true : undefined), "the first job to post");

    // Fill the disk.
    const filler = join(dir, "filler");
    const chunk = Buffer.alloc(64 * 1024, 1);
    let written = 0;
    try {
      for (;;) {
        writeFileSync(filler, chunk, { flag: "a" });
        written += chunk.length;
      }
    } catch (err) {
      expect((err as NodeJS.ErrnoException).code).toBe("ENOSPC");
    }
    expect(written).toBeGreaterThan(0);

    const answers: Array<{ id: string; n: number; status: number; text: string }> = [];
    for (let n = 2; n < 40; n++) {
      const id = `full-${n}`;
      answers.push({ id, n, ...(await deliver(id, n)) });
      if (answers.filter((a) => a.status === 503).length >= 3) break;
    }
    const refused = answers.filter((a) => a.status === 503);
    expect(refused.length).toBeGreaterThan(0);
    for (const a of answers)
      expect([503].includes(a.status) || a.status < 300, `${a.id}: ${a.status}`).toBe(true);
    expect(refused[0]!.text).toContain("the store's disk is full; this delivery was not stored");
    expect(proc.output()).toContain("intake failed: the store's disk is full");
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);

    // Free the space: the database is intact and holds exactly what was accepted.
    unlinkSync(filler);
    const db = new SqliteDb(dbPath);
    try {
      expect(await db.query("PRAGMA integrity_check")).toEqual([{ integrity_check: "ok" }]);
      const stored = new Set((await db.query<{ id: string }>("SELECT id FROM deliveries")).map((r) => r.id));
      for (const a of answers) expect(stored.has(a.id), `${a.id} answered ${a.status}`).toBe(a.status < 300);

      // GitHub's redelivery of the refused ones is accepted now, and every job runs.
      for (const a of refused) expect((await deliver(a.id, a.n)).status).toBeLessThan(300);
      await waitFor(
        async () => {
          const r = await db.one<{ n: number }>(
            "SELECT count(*) AS n FROM jobs WHERE kind = 'command.help' AND state <> 'done'",
          );
          return Number(r?.n) === 0 ? true : undefined;
        },
        `every job to finish after space was freed:\n${proc.output().slice(-3000)}`,
        60_000,
      );
      for (const a of answers) expect(gh.comments.get(a.n)?.length, `PR #${a.n}`).toBe(1);
    } finally {
      await db.close();
    }
  }, 120_000);
});
