import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  cancelJob,
  claim,
  complete,
  countByState,
  deadLetter,
  enqueue,
  getJob,
  heartbeat,
  release,
  retryJob,
  retryLater,
} from "../../src/jobs/queue.ts";
import type { Db } from "../../src/store/types.ts";
import { backends, type TestDb } from "../helpers/db.ts";

const W = { workerId: "w1", leaseMs: 1_000, perInstallationLimit: 2 };

describe.each(backends)("job queue on $name", ({ open }) => {
  let t: TestDb;
  let db: Db;
  beforeEach(async () => {
    t = await open();
    db = t.db;
  });
  afterEach(async () => t.cleanup());

  it("enqueues, claims with a lease, and completes", async () => {
    const { id } = await enqueue(
      db,
      { kind: "review", payload: { pr: 1 }, repo: "o/r", targetNumber: 1 },
      100,
    );
    expect(await claim(db, W, 99)).toBeUndefined(); // not before run_at
    const job = await claim(db, W, 100);
    expect(job).toMatchObject({
      id,
      kind: "review",
      payload: { pr: 1 },
      state: "running",
      attempts: 1,
      leaseUntil: 1_100,
    });
    expect(await claim(db, W, 200)).toBeUndefined();
    expect(await complete(db, job!, 300)).toBe(true);
    expect(await getJob(db, id)).toMatchObject({ state: "done", finishedAt: 300 });
  });

  it("coalesces a burst on one key into one pending job and pushes back its run time", async () => {
    const ids = new Set<number>();
    for (let i = 0; i < 20; i++) {
      const r = await enqueue(
        db,
        { kind: "ask", dedupeKey: "ask:o/r#5", debounceMs: 3_000, payload: { n: i } },
        1_000 + i * 100,
      );
      ids.add(r.id);
    }
    expect(ids.size).toBe(1);
    expect(await claim(db, W, 1_000 + 19 * 100 + 2_999)).toBeUndefined();
    const job = await claim(db, W, 1_000 + 19 * 100 + 3_000);
    expect(job).toMatchObject({ payload: { n: 19 }, generation: 19 });
    expect((await countByState(db)).queued).toBe(0);
  });

  it("never runs two jobs with the same key at once", async () => {
    await enqueue(db, { kind: "k", dedupeKey: "key", payload: { v: 1 } }, 0);
    const first = await claim(db, W, 0);
    await enqueue(db, { kind: "k", dedupeKey: "key", payload: { v: 2 } }, 1);
    expect(await claim(db, W, 2)).toBeUndefined();
    await complete(db, first!, 3);
    expect(await claim(db, W, 4)).toMatchObject({ payload: { v: 2 } });
  });

  it("reclaims a job whose lease expired (its worker died) and fences the old owner", async () => {
    await enqueue(db, { kind: "k", payload: {} }, 0);
    const a = await claim(db, { ...W, workerId: "a" }, 0);
    const b = await claim(db, { ...W, workerId: "b" }, 1_001);
    expect(b).toMatchObject({ id: a!.id, attempts: 2 });
    expect(await heartbeat(db, a!, 1_000, 1_002)).toBe(false);
    expect(await complete(db, a!, 1_003)).toBe(false);
    expect(await complete(db, b!, 1_004)).toBe(true);
  });

  it("limits running jobs per installation", async () => {
    for (let i = 0; i < 3; i++) await enqueue(db, { kind: "k", installationId: 7, payload: { i } }, 0);
    await enqueue(db, { kind: "k", installationId: 8, payload: { i: 9 } }, 0);
    const got = [await claim(db, W, 1), await claim(db, W, 1), await claim(db, W, 1), await claim(db, W, 1)];
    expect(got.map((j) => j?.installationId)).toEqual([7, 7, 8, undefined]);
  });

  it("retries later, then dead-letters; an operator can retry or cancel", async () => {
    const { id } = await enqueue(db, { kind: "k", payload: {}, maxAttempts: 2 }, 0);
    const j1 = await claim(db, W, 0);
    expect(await retryLater(db, j1!, 5_000, "HTTP 502", 1)).toBe("requeued");
    expect(await claim(db, W, 4_999)).toBeUndefined();
    const j2 = await claim(db, W, 5_000);
    expect(j2).toMatchObject({ attempts: 2, lastError: "HTTP 502" });
    expect(await deadLetter(db, j2!, "HTTP 502 again", 5_001)).toBe(true);
    expect(await getJob(db, id)).toMatchObject({ state: "dead", lastError: "HTTP 502 again" });
    expect(await retryJob(db, id, 6_000)).toBe("requeued");
    expect(await getJob(db, id)).toMatchObject({ state: "queued", attempts: 0 });
    expect(await cancelJob(db, id, 6_001)).toBe(true);
    expect(await getJob(db, id)).toMatchObject({ state: "cancelled" });
    expect(await retryJob(db, 999_999)).toBe("not-found");
  });

  it("releases at shutdown keeping the attempt, and a newer queued job supersedes a retry", async () => {
    await enqueue(db, { kind: "k", dedupeKey: "x", payload: { v: 1 } }, 0);
    const j = await claim(db, W, 0);
    expect(await release(db, j!, 1)).toBe("requeued");
    const again = await claim(db, W, 2);
    expect(again).toMatchObject({ attempts: 2, payload: { v: 1 } });
    await enqueue(db, { kind: "k", dedupeKey: "x", payload: { v: 2 } }, 3);
    expect(await retryLater(db, again!, 10, "boom", 4)).toBe("superseded");
    expect(await getJob(db, again!.id)).toMatchObject({ state: "cancelled" });
  });
});
