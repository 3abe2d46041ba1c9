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

/**
 * How long the hash of a signed webhook body is remembered. A captured body (a public smee channel, a
 * proxy log) re-sent with a fresh X-GitHub-Delivery id carries a valid signature; within this window it
 * is dropped as a replay. GitHub never sends two deliveries with the same body: each carries the
 * object's new `updated_at`, ids or SHAs.
 */
export const BODY_REPLAY_WINDOW_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * Records the hash of a delivery's signed body. True the first time the body is seen within the
 * window; false for a replay under any delivery id. Inside the caller's transaction, like markDelivery.
 */
export async function markBody(
  db: Db,
  hash: string,
  deliveryId: string,
  event: string,
  now = Date.now(),
): Promise<boolean> {
  const changed = await db.exec(
    "INSERT INTO delivery_bodies (hash, delivery_id, event, received_at, expires_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (hash) DO NOTHING",
    [hash, deliveryId, event, now, now + BODY_REPLAY_WINDOW_MS],
  );
  return changed === 1;
}

export async function purgeDeliveries(db: Db, now = Date.now()): Promise<number> {
  const bodies = await db.exec("DELETE FROM delivery_bodies WHERE expires_at < $1", [now]);
  return bodies + (await db.exec("DELETE FROM deliveries WHERE expires_at < $1", [now]));
}
