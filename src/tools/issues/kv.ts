// Small persistent values for the issue jobs (index sync time, PR↔issue mappings), in the shared kv
// table under the "issues" namespace.
import type { Db } from "../../store/types.ts";

export const KV_NS = "issues";

export async function kvGet(db: Db, key: string): Promise<string | undefined> {
  const row = await db.one<{ value: string }>("SELECT value FROM kv WHERE namespace = $1 AND key = $2", [
    KV_NS,
    key,
  ]);
  return row?.value;
}

export async function kvSet(db: Db, key: string, value: string, now = Date.now()): Promise<void> {
  await db.exec(
    `INSERT INTO kv (namespace, key, value, expires_at, updated_at) VALUES ($1, $2, $3, NULL, $4)
     ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    [KV_NS, key, value, now],
  );
}

export async function kvDelete(db: Db, key: string): Promise<void> {
  await db.exec("DELETE FROM kv WHERE namespace = $1 AND key = $2", [KV_NS, key]);
}
