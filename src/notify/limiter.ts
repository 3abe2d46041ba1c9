import { createHash, randomUUID } from "node:crypto";
import type { Db } from "../store/types.ts";

// Volume control shared by every replica through the store's `kv` table (namespace "notify"):
//  - a token bucket per channel (`rate:<CHANNEL>`), updated by compare-and-set on the stored value;
//  - a dedupe claim per channel and message (`dedupe:<CHANNEL>:<hash>`), taken by one atomic upsert
//    that only succeeds when no live claim exists.

export const KV_NAMESPACE = "notify";
export const DEFAULT_DEDUPE_WINDOW_MS = 10 * 60_000;
const CAS_ATTEMPTS = 8;

interface Bucket {
  tokens: number;
  /** Epoch ms of the last refill. */
  at: number;
}

export interface Limiter {
  /** Takes one token from the channel's bucket; false when the channel is over its rate. */
  take(channel: string, ratePerMinute: number): Promise<boolean>;
  /** Claims `key` on `channel` for the dedupe window; returns a claim id, or null when a live claim exists. */
  claim(channel: string, key: string): Promise<string | null>;
  /** Gives a claim back (the send was not made), so a later identical message is not suppressed. */
  release(channel: string, key: string, claimId: string): Promise<void>;
}

export interface LimiterDeps {
  db: Db;
  now?: () => number;
  dedupeWindowMs?: number;
}

export function rateKey(channelKey: string): string {
  return `rate:${channelKey}`;
}

export function dedupeKvKey(channelKey: string, key: string): string {
  return `dedupe:${channelKey}:${createHash("sha256").update(key).digest("hex").slice(0, 32)}`;
}

/** Pure bucket step: refill by elapsed time (capacity = one minute's worth), then try to spend one. */
export function spend(
  prev: Bucket | undefined,
  now: number,
  ratePerMinute: number,
): { ok: boolean; next: Bucket } {
  const capacity = ratePerMinute;
  const start = prev ?? { tokens: capacity, at: now };
  const elapsed = Math.max(0, now - start.at);
  const tokens = Math.min(capacity, start.tokens + (elapsed * ratePerMinute) / 60_000);
  if (tokens < 1) return { ok: false, next: { tokens, at: now } };
  return { ok: true, next: { tokens: tokens - 1, at: now } };
}

function parseBucket(value: string): Bucket | undefined {
  try {
    const j = JSON.parse(value) as Partial<Bucket>;
    if (typeof j.tokens === "number" && Number.isFinite(j.tokens) && typeof j.at === "number")
      return { tokens: j.tokens, at: j.at };
  } catch {
    // A corrupt row is treated as a full bucket and overwritten by the next CAS.
  }
  return undefined;
}

export function createLimiter(deps: LimiterDeps): Limiter {
  const { db } = deps;
  const now = deps.now ?? Date.now;
  const windowMs = deps.dedupeWindowMs ?? DEFAULT_DEDUPE_WINDOW_MS;

  return {
    async take(channel, ratePerMinute) {
      const key = rateKey(channel);
      for (let i = 0; i < CAS_ATTEMPTS; i++) {
        const t = now();
        const row = await db.one<{ value: string }>(
          "SELECT value FROM kv WHERE namespace = $1 AND key = $2",
          [KV_NAMESPACE, key],
        );
        const { ok, next } = spend(row ? parseBucket(row.value) : undefined, t, ratePerMinute);
        // A denied take does not write: the refill is recomputed from the stored state next time.
        if (!ok) return false;
        const value = JSON.stringify(next);
        // Idle buckets are full again after a minute; let maintenance purge them after an hour.
        const expires = t + 60 * 60_000;
        const changed = row
          ? await db.exec(
              "UPDATE kv SET value = $3, expires_at = $4, updated_at = $5 WHERE namespace = $1 AND key = $2 AND value = $6",
              [KV_NAMESPACE, key, value, expires, t, row.value],
            )
          : (
              await db.query(
                "INSERT INTO kv (namespace, key, value, expires_at, updated_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (namespace, key) DO NOTHING RETURNING key",
                [KV_NAMESPACE, key, value, expires, t],
              )
            ).length;
        if (changed === 1) return true;
        // Another replica moved the bucket between our read and write: re-read and try again.
      }
      // Persistent contention means many sends at once; refusing is the safe side of a rate limit.
      return false;
    },

    async claim(channel, key) {
      const t = now();
      const id = randomUUID();
      const rows = await db.query(
        `INSERT INTO kv (namespace, key, value, expires_at, updated_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at, updated_at = excluded.updated_at
         WHERE kv.expires_at IS NOT NULL AND kv.expires_at <= $5
         RETURNING key`,
        [KV_NAMESPACE, dedupeKvKey(channel, key), id, t + windowMs, t],
      );
      return rows.length === 1 ? id : null;
    },

    async release(channel, key, claimId) {
      await db.exec("DELETE FROM kv WHERE namespace = $1 AND key = $2 AND value = $3", [
        KV_NAMESPACE,
        dedupeKvKey(channel, key),
        claimId,
      ]);
    },
  };
}
