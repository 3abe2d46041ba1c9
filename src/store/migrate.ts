import { migrations } from "./migrations/index.ts";
import type { Db, Migration } from "./types.ts";

const LOCK_KEY = 7_401_334; // arbitrary constant for pg_advisory_xact_lock: one migrator at a time

/** Applies every migration not yet recorded, each in its own transaction. Safe to race. */
export async function migrate(db: Db, list: Migration[] = migrations): Promise<number[]> {
  await db.exec(
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
  );
  const applied: number[] = [];
  const sorted = [...list].sort((a, b) => a.version - b.version);
  for (const m of sorted) {
    const did = await db.tx(async (tx) => {
      if (tx.dialect === "postgres") await tx.exec(`SELECT pg_advisory_xact_lock(${LOCK_KEY})`);
      const seen = await tx.one("SELECT version FROM schema_migrations WHERE version = $1", [m.version]);
      if (seen) return false;
      const sql = typeof m.up === "string" ? m.up : m.up[tx.dialect];
      for (const stmt of splitStatements(sql)) await tx.exec(stmt);
      await tx.exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)", [
        m.version,
        m.name,
        Date.now(),
      ]);
      return true;
    });
    if (did) applied.push(m.version);
  }
  return applied;
}

/** Splits a migration script on top-level semicolons (migrations contain no procedural bodies). */
export function splitStatements(sql: string): string[] {
  return sql
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0 && !s.split("\n").every((line) => line.startsWith("--")));
}
