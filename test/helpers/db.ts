import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { migrate } from "../../src/store/migrate.ts";
import { PgDb } from "../../src/store/postgres.ts";
import { SqliteDb } from "../../src/store/sqlite.ts";
import type { Db } from "../../src/store/types.ts";

/** Postgres URL for the Postgres half of the suite; scripts/check-env.ts guarantees it in CI. */
export const PG_URL = process.env.TEST_DATABASE_URL;

export interface TestDb {
  db: Db;
  /** A DATABASE_URL another process can open to reach the same data. */
  url: string;
  cleanup(): Promise<void>;
}

export async function sqliteTestDb(): Promise<TestDb> {
  const dir = mkdtempSync(join(tmpdir(), "steward-test-"));
  const file = join(dir, "steward.db");
  const db = new SqliteDb(file);
  await migrate(db);
  return {
    db,
    url: `sqlite:${file}`,
    cleanup: async () => {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A fresh schema per call, so parallel test files never see each other's rows. */
export async function pgTestDb(): Promise<TestDb> {
  if (!PG_URL) throw new Error("TEST_DATABASE_URL is not set");
  const schema = `t_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const url = withSearchPath(PG_URL, schema);
  const db = new PgDb(url);
  await migrate(db);
  return {
    db,
    url,
    cleanup: async () => {
      await db.close();
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`DROP SCHEMA ${schema} CASCADE`);
      await c.end();
    },
  };
}

export function withSearchPath(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set("options", `-c search_path=${schema}`);
  return u.toString();
}

/** The backends a contract suite runs against: SQLite always, Postgres when configured. */
export const backends: Array<{ name: "sqlite" | "postgres"; open: () => Promise<TestDb> }> = [
  { name: "sqlite", open: sqliteTestDb },
  ...(PG_URL ? [{ name: "postgres" as const, open: pgTestDb }] : []),
];
