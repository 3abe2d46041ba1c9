import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listIncidents } from "../../src/incidents/registry.ts";
import { backends, sqliteTestDb } from "../helpers/db.ts";

// Real `steward ingest` processes: kill -9 mid-file and restart; two processes on one file.

const ROOT = join(import.meta.dirname, "../..");
const TYPES = ["TypeError", "RangeError", "DatabaseError", "TimeoutError"];
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "steward-ingest-proc-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes `lines` pino lines (5% errors over 4 types) and returns the true count per type. */
function generate(file: string, lines: number, salt: string): Record<string, number> {
  const truth: Record<string, number> = {};
  const out: string[] = [`{"level":30,"msg":"start ${salt}"}`];
  for (let i = 0; i < lines; i++) {
    if (i % 20 === 7) {
      const type = TYPES[Math.floor(i / 20) % TYPES.length]!;
      truth[type] = (truth[type] ?? 0) + 1;
      out.push(
        JSON.stringify({
          level: 50,
          time: 1_700_000_000_000 + i,
          pid: 1,
          hostname: `web-${i % 3}`,
          name: "api",
          msg: "request failed",
          err: {
            type,
            message: `failed for user ${i}`,
            stack: `${type}: failed for user ${i}\n    at handle${type} (/srv/app/src/routes.js:${i % 90}:7)\n    at Layer.handle (/srv/app/node_modules/express/lib/router/layer.js:95:5)`,
          },
          req: { method: "GET", url: `/users/${i}` },
        }),
      );
    } else {
      out.push(
        JSON.stringify({
          level: 30,
          time: 1_700_000_000_000 + i,
          pid: 1,
          hostname: `web-${i % 3}`,
          name: "api",
          req: {
            id: i,
            method: "GET",
            url: `/items/${i}`,
            headers: { host: "example.com", "user-agent": "Mozilla/5.0" },
          },
          res: { statusCode: 200 },
          responseTime: i % 100,
          msg: "request completed",
        }),
      );
    }
  }
  writeFileSync(file, `${out.join("\n")}\n`);
  return truth;
}

function run(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ["bin/steward.js", "ingest", ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env, LOG_LEVEL: "silent" },
    stdio: ["ignore", "pipe", "pipe"],
  });
}
function exit(p: ChildProcess): Promise<number | null> {
  return new Promise((r) => p.once("exit", (code) => r(code)));
}
const countsOf = async (db: Parameters<typeof listIncidents>[0]) =>
  Object.fromEntries((await listIncidents(db)).map((i) => [i.exceptionType, i.count]));

describe("ingest processes", () => {
  it("kill -9 during a back-fill, restart: counts equal the truth exactly", async () => {
    const t = await sqliteTestDb();
    try {
      const file = join(dir, "big.log");
      const truth = generate(file, 400_000, "crash");
      const size = statSync(file).size;
      const p = run([file, "--once", "--lease-ms", "1000"], { DATABASE_URL: t.url });
      let killedAt = -1;
      for (let i = 0; i < 2000 && killedAt < 0; i++) {
        await new Promise((r) => setTimeout(r, 10));
        const cp = await t.db.one<{ offset: number }>('SELECT "offset" FROM log_checkpoints');
        if (cp && Number(cp.offset) > 0) {
          p.kill("SIGKILL");
          killedAt = Number(cp.offset);
        }
      }
      await exit(p);
      expect(killedAt).toBeGreaterThan(0);
      expect(killedAt).toBeLessThan(size); // really mid-file
      const partial = await countsOf(t.db);
      expect((Object.values(partial) as number[]).reduce((a, b) => a + b, 0)).toBeLessThan(20_000);
      const again = run([file, "--once", "--lease-ms", "1000"], { DATABASE_URL: t.url });
      expect(await exit(again)).toBe(0);
      expect(await countsOf(t.db)).toEqual(truth);
      const cp = await t.db.one<{ offset: number; lines: number }>(
        'SELECT "offset", lines FROM log_checkpoints',
      );
      expect(Number(cp!.offset)).toBe(size);
      expect(Number(cp!.lines)).toBe(400_001);
    } finally {
      await t.cleanup();
    }
  }, 120_000);

  const pg = backends.find((b) => b.name === "postgres");
  it.runIf(pg)(
    "two ingest processes on one Postgres never double count",
    async () => {
      const t = await pg!.open();
      try {
        const a = join(dir, "a.log");
        const b = join(dir, "b.log");
        const ta = generate(a, 60_000, "a");
        const tb = generate(b, 60_000, "b");
        const truth = Object.fromEntries(TYPES.map((k) => [k, (ta[k] ?? 0) + (tb[k] ?? 0)]));
        const p1 = run([a, b, "--once", "--lease-ms", "2000"], { DATABASE_URL: t.url });
        const p2 = run([b, a, "--once", "--lease-ms", "2000"], { DATABASE_URL: t.url });
        expect(await Promise.all([exit(p1), exit(p2)])).toEqual([0, 0]);
        expect(await countsOf(t.db)).toEqual(truth);
        // and a third run over the same files adds nothing
        expect(await exit(run([a, b, "--once"], { DATABASE_URL: t.url }))).toBe(0);
        expect(await countsOf(t.db)).toEqual(truth);
      } finally {
        await t.cleanup();
      }
    },
    120_000,
  );
});
