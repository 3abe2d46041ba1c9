import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import type { CliIO } from "../../src/cli/types.ts";
import { sqliteTestDb, type TestDb } from "../helpers/db.ts";

function fakeIO(env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = {
    stdout: (s) => out.push(s),
    stderr: (s) => err.push(s),
    env,
    cwd: process.cwd(),
    isTTY: false,
  };
  return { io, out: () => out.join(""), err: () => err.join("") };
}

let t: TestDb;
let dir: string;
beforeEach(async () => {
  t = await sqliteTestDb();
  dir = mkdtempSync(join(tmpdir(), "steward-cli-inc-"));
});
afterEach(async () => {
  await t.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const line = (type: string, i: number, extra: object = {}) =>
  JSON.stringify({
    level: 50,
    time: 1_700_000_000_000 + i,
    name: "api",
    msg: "x",
    err: { type, message: `bad ${i}`, stack: `${type}: bad ${i}\n    at run (/srv/app/src/a.js:${i}:1)` },
    req: { method: "POST", url: "/login?password=hunter2" },
    ...extra,
  });

describe("steward ingest --once / incidents list / show", () => {
  it("ingests a file, lists incidents as a table and as JSON, shows one with masked secrets", async () => {
    const file = join(dir, "app.log");
    writeFileSync(
      file,
      [
        line("TypeError", 1),
        line("TypeError", 2, { trace_id: "abc" }),
        "garbage",
        line("AuthError", 3),
        JSON.stringify({ level: 30, msg: "ok" }),
      ]
        .join("\n")
        .replace('"message":"bad 3"', '"message":"login failed for postgres://svc:s3cr3t@db/x"') + "\n",
    );
    const env = { DATABASE_URL: t.url };
    const a = fakeIO(env);
    expect(await main(["ingest", file, "--once"], a.io)).toBe(0);
    expect(a.out()).toBe(
      `${file}: ${statSync(file).size} bytes, 5 lines, 3 error records, 2 new incidents, 0 regressions, 1 non-JSON lines skipped, 0 over-long lines skipped\n`,
    );

    const j = fakeIO(env);
    expect(await main(["incidents", "list", "--json"], j.io)).toBe(0);
    const list = JSON.parse(j.out()) as Array<Record<string, unknown>>;
    expect(list.map((i) => [i.title, i.count, i.status, i.service])).toEqual([
      ["AuthError: login failed for postgres://svc:[redacted]@db/x", 1, "open", "api"],
      ["TypeError: bad 1", 2, "open", "api"],
    ]);
    expect(list[0]).toMatchObject({
      id: expect.any(Number),
      fingerprint: expect.stringMatching(/^[0-9a-f]{32}$/),
      fpVersion: "steward:2026-11",
    });

    const tbl = fakeIO(env);
    await main(["incidents", "list"], tbl.io);
    expect(tbl.out().split("\n")[0]).toBe("ID  STATUS  COUNT  SERVICE  LAST SEEN             TITLE");
    expect(tbl.out()).toContain("2      api      2023-11-14T22:13:20Z  TypeError: bad 1");

    const s = fakeIO(env);
    expect(await main(["incidents", "show", String(list[0]!.id)], s.io)).toBe(0);
    expect(s.out()).toContain("  request       POST /login");
    expect(s.out()).toContain("Incident 2: AuthError: login failed for postgres://svc:[redacted]@db/x\n");
    expect(s.out()).toContain("AuthError: bad 3\n    at run (/srv/app/src/a.js:3:1)");
    expect(s.out()).not.toContain("s3cr3t");
    expect(s.out()).not.toContain("hunter2");

    const sj = fakeIO(env);
    await main(["incidents", "show", String(list[1]!.id), "--json"], sj.io);
    expect(JSON.parse(sj.out())).toMatchObject({
      count: 2,
      sample: {
        method: "POST",
        path: "/login",
        stack: "TypeError: bad 1\n    at run (/srv/app/src/a.js:1:1)",
      },
    });
    expect(sj.out()).not.toContain("hunter2");

    // second run: nothing new
    const again = fakeIO(env);
    await main(["ingest", file, "--once", "--json"], again.io);
    expect(JSON.parse(again.out())).toEqual([
      { file, totals: expect.objectContaining({ bytes: 0, lines: 0, newIncidents: 0 }) },
    ]);
  });

  it("usage errors", async () => {
    const env = { DATABASE_URL: t.url };
    const a = fakeIO(env);
    expect(await main(["ingest", "x.log"], a.io)).toBe(2);
    expect(a.err()).toContain("choose exactly one of --follow and --once");
    const b = fakeIO(env);
    expect(await main(["incidents", "show", "nope"], b.io)).toBe(2);
    const c = fakeIO(env);
    expect(await main(["incidents", "show", "999"], c.io)).toBe(1);
    expect(c.err()).toBe("steward incidents: no incident with ID 999\n");
    const d = fakeIO(env);
    expect(await main(["incidents", "list", "--status", "weird"], d.io)).toBe(2);
  });
});
