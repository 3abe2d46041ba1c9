import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTxBatcher } from "../../src/store/batch.ts";
import type { Db } from "../../src/store/types.ts";
import { backends, type TestDb } from "../helpers/db.ts";

describe.each(backends)("group commit on $name", ({ open }) => {
  let t: TestDb;
  let db: Db;
  beforeEach(async () => {
    t = await open();
    db = t.db;
  });
  afterEach(async () => t.cleanup());

  it("commits items submitted together; a failing item rolls back only itself", async () => {
    const b = createTxBatcher(db);
    const insert = (key: string) => (tx: Db) =>
      tx.exec("INSERT INTO notices (key, created_at) VALUES ($1, 1)", [key]);
    const results = await Promise.allSettled([
      b.run(insert("a")),
      b.run(async (tx) => {
        await tx.exec("INSERT INTO notices (key, created_at) VALUES ('b', 1)");
        await tx.exec("INSERT INTO notices (key, created_at) VALUES ('a', 1)"); // duplicate: this item fails
      }),
      b.run(insert("c")),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    const keys = (await db.query<{ key: string }>("SELECT key FROM notices ORDER BY key")).map((r) => r.key);
    expect(keys).toEqual(["a", "c"]);
  });

  it("returns each item's own value", async () => {
    const b = createTxBatcher(db, { maxBatch: 3 });
    const values = await Promise.all(Array.from({ length: 10 }, (_, i) => b.run(async () => i * 2)));
    expect(values).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
  });
});
