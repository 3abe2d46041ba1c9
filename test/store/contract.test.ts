import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { markDelivery, purgeDeliveries } from "../../src/store/deliveries.ts";
import { migrate } from "../../src/store/migrate.ts";
import { migrations } from "../../src/store/migrations/index.ts";
import type { Db } from "../../src/store/types.ts";
import { backends, type TestDb } from "../helpers/db.ts";

// The Store contract: every statement the app relies on behaves the same on both backends.
describe.each(backends)("store contract on $name", ({ open }) => {
  let t: TestDb;
  let db: Db;
  beforeEach(async () => {
    t = await open();
    db = t.db;
  });
  afterEach(async () => t.cleanup());

  it("applies every migration once and records it", async () => {
    const again = await migrate(db);
    expect(again).toEqual([]);
    const rows = await db.query<{ version: number }>(
      "SELECT version FROM schema_migrations ORDER BY version",
    );
    expect(rows.map((r) => Number(r.version))).toEqual(
      migrations.map((m) => m.version).sort((a, b) => a - b),
    );
  });

  it("round-trips values: big epoch ms, JSON text, null, integers", async () => {
    const ts = 1_795_000_000_123;
    await db.exec(
      "INSERT INTO kv (namespace, key, value, expires_at, updated_at) VALUES ($1, $2, $3, $4, $5)",
      ["ns", "k", JSON.stringify({ a: [1, "x"] }), null, ts],
    );
    const row = await db.one<{ value: string; expires_at: number | null; updated_at: number }>(
      "SELECT value, expires_at, updated_at FROM kv WHERE namespace = $1 AND key = $2",
      ["ns", "k"],
    );
    expect(row).toEqual({ value: '{"a":[1,"x"]}', expires_at: null, updated_at: ts });
    expect(typeof row?.updated_at).toBe("number");
  });

  it("upserts with ON CONFLICT and reports changed rows", async () => {
    const up =
      "INSERT INTO kv (namespace, key, value, updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at";
    expect(await db.exec(up, ["n", "a", "1", 1])).toBe(1);
    expect(await db.exec(up, ["n", "a", "2", 2])).toBe(1);
    const rows = await db.query<{ value: string }>("SELECT value FROM kv WHERE namespace = 'n'");
    expect(rows).toEqual([{ value: "2" }]);
  });

  it("commits a transaction as a whole and rolls back on error", async () => {
    await db.tx(async (tx) => {
      await tx.exec("INSERT INTO notices (key, created_at) VALUES ($1, $2)", ["a", 1]);
      await tx.exec("INSERT INTO notices (key, created_at) VALUES ($1, $2)", ["b", 1]);
    });
    await expect(
      db.tx(async (tx) => {
        await tx.exec("INSERT INTO notices (key, created_at) VALUES ($1, $2)", ["c", 1]);
        await tx.exec("INSERT INTO notices (key, created_at) VALUES ($1, $2)", ["a", 1]); // duplicate key
      }),
    ).rejects.toThrow();
    const keys = (await db.query<{ key: string }>("SELECT key FROM notices ORDER BY key")).map((r) => r.key);
    expect(keys).toEqual(["a", "b"]);
  });

  it("keeps concurrent transactions isolated from each other's statements", async () => {
    // Two interleaved async transactions must not mix: the failing one leaves no rows behind.
    const ok = db.tx(async (tx) => {
      await tx.exec("INSERT INTO notices (key, created_at) VALUES ($1, $2)", ["ok1", 1]);
      await new Promise((r) => setTimeout(r, 20));
      await tx.exec("INSERT INTO notices (key, created_at) VALUES ($1, $2)", ["ok2", 1]);
    });
    const bad = db.tx(async (tx) => {
      await tx.exec("INSERT INTO notices (key, created_at) VALUES ($1, $2)", ["bad1", 1]);
      await new Promise((r) => setTimeout(r, 5));
      throw new Error("boom");
    });
    const [okResult, badResult] = await Promise.allSettled([ok, bad]);
    expect(okResult.status).toBe("fulfilled");
    expect(badResult).toMatchObject({ status: "rejected", reason: { message: "boom" } });
    const keys = (await db.query<{ key: string }>("SELECT key FROM notices ORDER BY key")).map((r) => r.key);
    expect(keys).toEqual(["ok1", "ok2"]);
  });

  it("marks a delivery once and forgets it after its TTL", async () => {
    expect(await markDelivery(db, "d-1", "issues", 1000)).toBe(true);
    expect(await markDelivery(db, "d-1", "issues", 2000)).toBe(false);
    expect(await markDelivery(db, "d-2", "issues", 2000)).toBe(true);
    expect(await purgeDeliveries(db, 1000 + 8 * 24 * 3600 * 1000)).toBe(2);
    expect(await markDelivery(db, "d-1", "issues", 1000 + 8 * 24 * 3600 * 1000)).toBe(true);
  });
});
