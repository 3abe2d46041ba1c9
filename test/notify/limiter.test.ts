import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLimiter, dedupeKvKey, KV_NAMESPACE, spend } from "../../src/notify/limiter.ts";
import { backends, type TestDb } from "../helpers/db.ts";

describe("spend (token bucket step)", () => {
  it("starts full, spends one per send, refills by elapsed time up to capacity", () => {
    let s = spend(undefined, 0, 2);
    expect(s).toEqual({ ok: true, next: { tokens: 1, at: 0 } });
    s = spend(s.next, 0, 2);
    expect(s).toEqual({ ok: true, next: { tokens: 0, at: 0 } });
    expect(spend(s.next, 29_999, 2).ok).toBe(false);
    expect(spend(s.next, 30_000, 2)).toEqual({ ok: true, next: { tokens: 0, at: 30_000 } });
    expect(spend(s.next, 10 * 60_000, 2)).toEqual({ ok: true, next: { tokens: 1, at: 600_000 } });
  });
});

for (const backend of backends) {
  describe(`notify limiter (${backend.name})`, () => {
    let t: TestDb;
    let clock = 1_000_000;
    beforeAll(async () => {
      t = await backend.open();
    });
    afterAll(async () => {
      await t.cleanup();
    });
    const now = () => clock;

    it("shares one bucket across two limiters on the same store", async () => {
      const a = createLimiter({ db: t.db, now });
      const b = createLimiter({ db: t.db, now });
      const results = [
        await a.take("OPS", 3),
        await b.take("OPS", 3),
        await a.take("OPS", 3),
        await b.take("OPS", 3),
      ];
      expect(results).toEqual([true, true, true, false]);
      clock += 20_000; // 3/min → one token per 20 s
      expect(await b.take("OPS", 3)).toBe(true);
      expect(await a.take("OPS", 3)).toBe(false);
      const row = await t.db.one<{ value: string }>(
        "SELECT value FROM kv WHERE namespace = $1 AND key = $2",
        [KV_NAMESPACE, "rate:OPS"],
      );
      expect(JSON.parse(row!.value)).toEqual({ tokens: 0, at: clock });
    });

    it("never over-spends under concurrent takes (compare-and-set)", async () => {
      const limiters = Array.from({ length: 4 }, () => createLimiter({ db: t.db, now }));
      const got = await Promise.all(Array.from({ length: 20 }, (_, i) => limiters[i % 4]!.take("BURST", 5)));
      expect(got.filter(Boolean).length).toBeLessThanOrEqual(5);
      const row = await t.db.one<{ value: string }>(
        "SELECT value FROM kv WHERE namespace = $1 AND key = $2",
        [KV_NAMESPACE, "rate:BURST"],
      );
      expect(JSON.parse(row!.value).tokens).toBe(5 - got.filter(Boolean).length);
    });

    it("claims a dedupe key once per window, across limiters, and frees it after expiry", async () => {
      const a = createLimiter({ db: t.db, now, dedupeWindowMs: 60_000 });
      const b = createLimiter({ db: t.db, now, dedupeWindowMs: 60_000 });
      const first = await a.claim("DEV", "msg-1");
      expect(first).toMatch(/^[0-9a-f-]{36}$/);
      expect(await b.claim("DEV", "msg-1")).toBeNull();
      expect(await b.claim("OTHER", "msg-1")).not.toBeNull();
      const row = await t.db.one<{ value: string; expires_at: string | number }>(
        "SELECT value, expires_at FROM kv WHERE namespace = $1 AND key = $2",
        [KV_NAMESPACE, dedupeKvKey("DEV", "msg-1")],
      );
      expect([row!.value, Number(row!.expires_at)]).toEqual([first, clock + 60_000]);
      clock += 60_000;
      expect(await b.claim("DEV", "msg-1")).not.toBeNull();
    });

    it("releases only its own claim", async () => {
      const a = createLimiter({ db: t.db, now });
      const id = (await a.claim("DEV", "msg-2"))!;
      await a.release("DEV", "msg-2", "someone-else");
      expect(await a.claim("DEV", "msg-2")).toBeNull();
      await a.release("DEV", "msg-2", id);
      expect(await a.claim("DEV", "msg-2")).not.toBeNull();
    });

    it("races on one dedupe key let exactly one claimer win", async () => {
      const ls = Array.from({ length: 4 }, () => createLimiter({ db: t.db, now }));
      const got = await Promise.all(Array.from({ length: 12 }, (_, i) => ls[i % 4]!.claim("RACE", "same")));
      expect(got.filter((g) => g !== null)).toHaveLength(1);
    });
  });
}
