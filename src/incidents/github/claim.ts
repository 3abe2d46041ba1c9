import type { Db } from "../../store/types.ts";

// Compare-and-set claims in the shared `kv` table. A claim is taken before a GitHub write that must
// happen once across replicas (opening an incident's issue), so two processes never both write.
// A claim whose holder vanished (crash, lost network) is taken over once it is `staleMs` old; the
// taker learns the previous claim's time so it can look for work the vanished holder finished.

export const ISSUE_CLAIM_NS = "incident-issue";
/** Longer than any one issue creation can take (a job's GitHub calls time out well before this). */
export const ISSUE_CLAIM_STALE_MS = 10 * 60_000;
/** Claims are kept (not deleted) for a day, so a late replica still sees one; maintenance purges them. */
const CLAIM_KEEP_MS = 24 * 3_600_000;

export type ClaimResult =
  | { won: true /** Set when a stale claim was taken over: its time. */; takeoverFrom?: number }
  | { won: false };

export async function claimOnce(
  db: Db,
  ns: string,
  key: string,
  owner: string,
  opts: { now?: number; staleMs?: number } = {},
): Promise<ClaimResult> {
  const now = opts.now ?? Date.now();
  const staleMs = opts.staleMs ?? ISSUE_CLAIM_STALE_MS;
  const cur = await db.one<{ value: string; updated_at: number | string }>(
    "SELECT value, updated_at FROM kv WHERE namespace = $1 AND key = $2",
    [ns, key],
  );
  if (!cur) {
    const c = await db.exec(
      "INSERT INTO kv (namespace, key, value, expires_at, updated_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (namespace, key) DO NOTHING",
      [ns, key, owner, now + CLAIM_KEEP_MS, now],
    );
    return c === 1 ? { won: true } : { won: false };
  }
  const at = Number(cur.updated_at);
  if (at > now - staleMs) return { won: false };
  const c = await db.exec(
    "UPDATE kv SET value = $3, updated_at = $4, expires_at = $5 WHERE namespace = $1 AND key = $2 AND value = $6 AND updated_at = $7",
    [ns, key, owner, now, now + CLAIM_KEEP_MS, cur.value, at],
  );
  return c === 1 ? { won: true, takeoverFrom: at } : { won: false };
}
