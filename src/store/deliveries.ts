import type { Db } from "./types.ts";

/** How long a delivery id is remembered. GitHub's manual redelivery window is about 3 days. */
export const DELIVERY_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Records a webhook delivery id. Returns true the first time an id is seen, false for a redelivery.
 * Runs inside the caller's transaction when given one, so "seen" and "enqueued" commit together.
 */
export async function markDelivery(db: Db, id: string, event: string, now = Date.now()): Promise<boolean> {
  const changed = await db.exec(
    "INSERT INTO deliveries (id, event, received_at, expires_at) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING",
    [id, event, now, now + DELIVERY_TTL_MS],
  );
  return changed === 1;
}

export async function purgeDeliveries(db: Db, now = Date.now()): Promise<number> {
  return db.exec("DELETE FROM deliveries WHERE expires_at < $1", [now]);
}
