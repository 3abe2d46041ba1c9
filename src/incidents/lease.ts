import type { Db } from "../store/types.ts";

// One ingest process per file, enforced with a row in the shared `leases` table. Acquire and renew
// are one compare-and-set statement: it succeeds only for the current owner or an expired lease.

export async function acquireLease(
  db: Db,
  name: string,
  owner: string,
  ttlMs: number,
  now = Date.now(),
): Promise<boolean> {
  const row = await db.one<{ owner: string }>(
    `INSERT INTO leases (name, owner, expires_at) VALUES ($1, $2, $3)
     ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
     WHERE leases.owner = excluded.owner OR leases.expires_at < $4
     RETURNING owner`,
    [name, owner, now + ttlMs, now],
  );
  return row?.owner === owner;
}

export async function releaseLease(db: Db, name: string, owner: string): Promise<void> {
  await db.exec("DELETE FROM leases WHERE name = $1 AND owner = $2", [name, owner]);
}

export async function leaseOwner(db: Db, name: string, now = Date.now()): Promise<string | null> {
  const r = await db.one<{ owner: string }>("SELECT owner FROM leases WHERE name = $1 AND expires_at >= $2", [
    name,
    now,
  ]);
  return r?.owner ?? null;
}
