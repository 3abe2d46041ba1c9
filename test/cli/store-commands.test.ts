// The store commands (issue 10, defects 7 and 10): read-only commands never create a database at a
// mistyped DATABASE_URL, and jobs, incidents and audit say "empty" and "not found" the same way, with
// the same dates in --json.
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import type { CliIO } from "../../src/cli/types.ts";
import { PG_URL, sqliteTestDb, type TestDb, withSearchPath } from "../helpers/db.ts";

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

const READ_ONLY: Array<[string, string[]]> = [
  ["jobs", ["jobs", "list"]],
  ["jobs", ["jobs", "retry", "1"]],
  ["incidents", ["incidents", "list"]],
  ["incidents", ["incidents", "show", "1"]],
  ["audit", ["audit"]],
];

describe("read-only commands never create a store", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "steward-nostore-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it.each(READ_ONLY)("%s: a mistyped sqlite path is an error and nothing is created", async (name, argv) => {
    const path = join(dir, "no", "such", "dir", "x.db");
    const t = fakeIO({ DATABASE_URL: `sqlite:${path}` });
    expect(await main(argv, t.io)).toBe(1);
    expect(t.err()).toBe(
      `steward ${name}: DATABASE_URL: no Steward store: ${path} does not exist. Check DATABASE_URL; \`steward serve\`, \`worker\` or \`ingest\` create the store (this command does not).\n`,
    );
    expect(t.out()).toBe("");
    expect(existsSync(join(dir, "no"))).toBe(false);
  });

  it("a file that is not Steward's database is refused, not migrated", async () => {
    const path = join(dir, "other.db");
    const { DatabaseSync } = await import("node:sqlite");
    const other = new DatabaseSync(path);
    other.exec("CREATE TABLE notes (x TEXT)");
    other.close();
    const t = fakeIO({ DATABASE_URL: `sqlite:${path}` });
    expect(await main(["jobs", "list"], t.io)).toBe(1);
    expect(t.err()).toContain(`no Steward store: ${path} is not a Steward database.`);
    const again = new DatabaseSync(path);
    const tables = again.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all();
    again.close();
    expect(tables).toEqual([{ name: "notes" }]);
  });

  it("ingest may create the store", async () => {
    const path = join(dir, "new", "steward.db");
    const log = join(dir, "app.log");
    writeFileSync(
      log,
      `${JSON.stringify({ level: 50, time: 1, msg: "boom", err: { type: "E", message: "m" } })}\n`,
    );
    const t = fakeIO({ DATABASE_URL: `sqlite:${path}` });
    expect(await main(["ingest", log, "--once"], t.io)).toBe(0);
    expect(existsSync(path)).toBe(true);
  });

  it.skipIf(!PG_URL)("postgres: a database without Steward's tables is refused and left empty", async () => {
    const schema = `t_${randomBytes(6).toString("hex")}`;
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    try {
      const t = fakeIO({ DATABASE_URL: withSearchPath(PG_URL!, schema) });
      expect(await main(["incidents", "list"], t.io)).toBe(1);
      expect(t.err()).toContain("no Steward store: that database holds no Steward store.");
      const { rows } = await admin.query(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = $1",
        [schema],
      );
      expect(rows).toEqual([]);
    } finally {
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    }
  });
});

describe("jobs, incidents and audit agree", () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await sqliteTestDb();
  });
  afterEach(async () => t.cleanup());

  it("on an empty list", async () => {
    const out: string[] = [];
    for (const argv of [["jobs", "list"], ["incidents", "list"], ["audit"]]) {
      const c = fakeIO({ DATABASE_URL: t.url });
      expect(await main(argv, c.io)).toBe(0);
      out.push(c.out());
    }
    expect(out).toEqual(["No jobs.\n", "No incidents.\n", "No audit entries.\n"]);
  });

  it("on an ID that does not exist", async () => {
    const errs: string[] = [];
    for (const argv of [
      ["jobs", "retry", "99"],
      ["jobs", "cancel", "99"],
      ["incidents", "show", "99"],
    ]) {
      const c = fakeIO({ DATABASE_URL: t.url });
      expect(await main(argv, c.io)).toBe(1);
      errs.push(c.err());
    }
    expect(errs).toEqual([
      "steward jobs: no job with ID 99\n",
      "steward jobs: no job with ID 99\n",
      "steward incidents: no incident with ID 99\n",
    ]);
  });

  it("incidents list --json and show --json write dates the same way", async () => {
    const dir = mkdtempSync(join(tmpdir(), "steward-dates-"));
    try {
      const log = join(dir, "app.log");
      writeFileSync(
        log,
        `${JSON.stringify({ level: 50, time: 1_700_000_000_000, msg: "boom", err: { type: "TypeError", message: "bad" } })}\n`,
      );
      expect(await main(["ingest", log, "--once"], fakeIO({ DATABASE_URL: t.url }).io)).toBe(0);
      const l = fakeIO({ DATABASE_URL: t.url });
      await main(["incidents", "list", "--json"], l.io);
      const listed = JSON.parse(l.out())[0];
      const s = fakeIO({ DATABASE_URL: t.url });
      await main(["incidents", "show", String(listed.id), "--json"], s.io);
      const shown = JSON.parse(s.out());
      expect(listed.firstSeen).toBe("2023-11-14T22:13:20Z");
      expect(shown.firstSeen).toBe(listed.firstSeen);
      expect(shown.lastSeen).toBe(listed.lastSeen);
      expect(shown.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(shown.sample.time).toBe("2023-11-14T22:13:20Z");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
