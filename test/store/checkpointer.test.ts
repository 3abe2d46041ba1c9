import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { describe, expect, it } from "vitest";
import { migrate } from "../../src/store/migrate.ts";
import { SqliteDb } from "../../src/store/sqlite.ts";

describe("background WAL checkpoints", () => {
  it("copy the WAL back into the database off the request path, and close cleanly", async () => {
    const dir = mkdtempSync(join(tmpdir(), "steward-ckpt-"));
    const file = join(dir, "s.db");
    const db = new SqliteDb(file, { backgroundCheckpoint: true });
    await migrate(db);
    for (let i = 0; i < 500; i++) {
      await db.exec("INSERT INTO notices (key, created_at) VALUES ($1, $2)", [`k${i}`, i]);
    }
    expect(statSync(`${file}-wal`).size).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 1_500));
    // Every frame in the WAL has already been checkpointed by the worker thread.
    const [ck] = await db.query<{ busy: number; log: number; checkpointed: number }>(
      "PRAGMA wal_checkpoint(PASSIVE)",
    );
    expect(ck!.log).toBeGreaterThan(0);
    expect(ck!.checkpointed).toBe(ck!.log);
    await db.close();
    const raw = new DatabaseSync(file);
    expect(raw.prepare("SELECT count(*) AS n FROM notices").get()).toEqual({ n: 500 });
    raw.close();
    expect(existsSync(file)).toBe(true);
    rmSync(dir, { recursive: true, force: true });
  });
});
