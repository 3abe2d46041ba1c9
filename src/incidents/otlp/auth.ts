import { createHash, timingSafeEqual } from "node:crypto";

// Bearer tokens (STEWARD_OTLP_TOKEN, comma-separated) and a records-per-second bucket per token.

const digest = (s: string) => createHash("sha256").update(s).digest();

/**
 * Index of the token the `authorization` header carries, or -1. Digests make the comparison
 * independent of the tokens' lengths, and every configured token is compared (no early exit), so
 * the time taken says nothing about which or how much of a token matched.
 */
export function tokenMatcher(tokens: string[]): (authorization: string | undefined) => number {
  const digests = tokens.map(digest);
  return (authorization) => {
    const m =
      typeof authorization === "string"
        ? /^Bearer[ \t]+(\S{1,4096})[ \t]*$/i.exec(authorization.slice(0, 5000))
        : null;
    const got = digest(m ? m[1]! : "");
    let found = -1;
    for (let i = 0; i < digests.length; i++)
      if (timingSafeEqual(got, digests[i]!) && found < 0 && m) found = i;
    return found;
  };
}

/** A token bucket per token: `rate` records per second, holding up to `burst`. */
export class RecordRateLimiter {
  readonly #rate: number;
  readonly #burst: number;
  readonly #buckets = new Map<number, { level: number; at: number }>();
  readonly #now: () => number;

  constructor(rate: number, burst: number, now: () => number = Date.now) {
    this.#rate = rate;
    this.#burst = Math.max(burst, rate);
    this.#now = now;
  }

  /** Takes `n` records from the token's bucket; when it cannot, the seconds to wait (nothing taken). */
  take(token: number, n: number): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const now = this.#now();
    let b = this.#buckets.get(token);
    if (!b) {
      b = { level: this.#burst, at: now };
      this.#buckets.set(token, b);
    }
    b.level = Math.min(this.#burst, b.level + ((now - b.at) / 1000) * this.#rate);
    b.at = now;
    const need = Math.min(n, this.#burst);
    if (b.level >= need) {
      b.level -= need;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((need - b.level) / this.#rate)) };
  }
}
