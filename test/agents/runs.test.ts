import { createHash } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  authenticateRun,
  claim,
  dispatch,
  finishRun,
  getRun,
  heartbeat,
  listRuns,
  requeueExpired,
} from "../../src/agents/runs.ts";
import { PgDb } from "../../src/store/postgres.ts";
import type { Db } from "../../src/store/types.ts";
import { backends, type TestDb } from "../helpers/db.ts";

const R = "acme/app";
const base = { repo: R, installationId: 1, requestedBy: "alice" };

describe.each(backends)("runs queue ($name)", ({ name, open }) => {
  let t: TestDb;
  let db: Db;
  beforeEach(async () => {
    t = await open();
    db = t.db;
  });
  afterEach(async () => t.cleanup());

  it("creates one queued run, folds later comments into it, and ignores a redelivered comment", async () => {
    const a = await dispatch(db, { ...base, ticket: 7, instructions: "fix the bug", commentId: 101 });
    const b = await dispatch(db, { ...base, ticket: 7, instructions: "also add a test", commentId: 102 });
    const c = await dispatch(db, { ...base, ticket: 7, instructions: "fix the bug", commentId: 101 });
    expect([a.action, b.action, c.action]).toEqual(["created", "folded", "duplicate"]);
    const runs = await listRuns(db, R, 7);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      state: "queued",
      coalescedCommentIds: [101, 102],
      triggerCommentId: 102,
      instructions: "fix the bug\n\nalso add a test",
    });
  });

  it("claims with a token whose sha256 alone is stored, and revokes it on completion", async () => {
    await dispatch(db, { ...base, ticket: 1, instructions: "go", commentId: 1 });
    const got = await claim(db, "w1");
    expect(got).not.toBeNull();
    expect(got!.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const row = await db.one<{ token_hash: string; state: string; delivered_comment_ids: string }>(
      "SELECT token_hash, state, delivered_comment_ids FROM runs",
    );
    expect(row).toEqual({
      token_hash: createHash("sha256").update(got!.token).digest("hex"),
      state: "claimed",
      delivered_comment_ids: "[1]",
    });
    expect((await authenticateRun(db, got!.run.id, got!.token))?.id).toBe(got!.run.id);
    expect(await authenticateRun(db, got!.run.id, "wrong")).toBeUndefined();
    await finishRun(db, got!.run.id, { state: "completed", result: { summary: "ok" } });
    expect(await authenticateRun(db, got!.run.id, got!.token)).toBeUndefined();
    expect(await claim(db, "w2")).toBeNull();
  });

  it("comments during a run produce exactly one follow-up run carrying only undelivered comments", async () => {
    await dispatch(db, { ...base, ticket: 3, instructions: "start", commentId: 1 });
    const first = (await claim(db, "w1"))!;
    const d2 = await dispatch(db, { ...base, ticket: 3, instructions: "more", commentId: 2 });
    const d3 = await dispatch(db, { ...base, ticket: 3, instructions: "and more", commentId: 3 });
    await dispatch(db, { ...base, ticket: 3, instructions: "start", commentId: 1 }); // redelivery
    expect([d2.action, d3.action]).toEqual(["follow_up", "follow_up"]);
    expect((await getRun(db, first.run.id))!.followUpPending).toBe(true);
    // The follow-up is held back while the ticket has an active run.
    expect(await claim(db, "w2")).toBeNull();
    const done = await finishRun(db, first.run.id, { state: "completed", result: null });
    expect(done!.followUp).toMatchObject({
      state: "queued",
      coalescedCommentIds: [2, 3],
      instructions: "more\n\nand more",
    });
    const second = (await claim(db, "w2"))!;
    expect(second.run.id).toBe(done!.followUp!.id);
    expect(second.run.deliveredCommentIds).toEqual([2, 3]);
    await finishRun(db, second.run.id, { state: "completed", result: null });
    const all = await listRuns(db, R, 3);
    expect(all.map((r) => [r.state, r.deliveredCommentIds])).toEqual([
      ["completed", [1]],
      ["completed", [2, 3]],
    ]);
  });

  it("requeues a run whose lease expired, merging a held-back follow-up into it", async () => {
    let clock = 1_000_000;
    const now = () => clock;
    await dispatch(db, { ...base, ticket: 4, instructions: "a", commentId: 10 }, { now });
    const c = (await claim(db, "w1", { now, leaseMs: 1000 }))!;
    await dispatch(db, { ...base, ticket: 4, instructions: "b", commentId: 11 }, { now });
    clock += 500;
    expect(await heartbeat(db, c.run.id, { now, leaseMs: 1000 })).toBe(clock + 1000);
    clock += 1001;
    expect(await requeueExpired(db, { now })).toBe(1);
    const runs = await listRuns(db, R, 4);
    expect(runs.map((r) => [r.id, r.state, r.coalescedCommentIds])).toEqual([
      [c.run.id, "queued", [10, 11]],
      [c.run.id + 1, "cancelled", [11]],
    ]);
    expect(await authenticateRun(db, c.run.id, c.token)).toBeUndefined();
    const again = (await claim(db, "w2", { now }))!;
    expect(again.run).toMatchObject({
      id: c.run.id,
      deliveredCommentIds: [10, 11],
      attempts: 2,
      workerId: "w2",
    });
  });

  it("a long-polling claim returns the run dispatched while it waits", async () => {
    const waiting = claim(db, "w1", { waitMs: 10_000, pollMs: 5_000 });
    await new Promise((r) => setTimeout(r, 50));
    await dispatch(db, { ...base, ticket: 9, instructions: "wake", commentId: 5 });
    expect((await waiting)?.run.ticketNumber).toBe(9);
  });

  it("races: concurrent dispatches on one ticket leave one queued run holding every comment", async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        dispatch(db, { ...base, ticket: 5, instructions: `c${i}`, commentId: 200 + i }),
      ),
    );
    const runs = await listRuns(db, R, 5);
    expect(runs).toHaveLength(1);
    expect([...runs[0]!.coalescedCommentIds].sort()).toEqual(Array.from({ length: 20 }, (_, i) => 200 + i));
  });

  if (name === "postgres") {
    it("100 concurrent claimers across 5 pools never double-claim", async () => {
      for (let i = 0; i < 40; i++)
        await dispatch(db, { ...base, ticket: 1000 + i, instructions: "x", commentId: i + 1 });
      const pools = Array.from({ length: 5 }, () => new PgDb(t.url, { max: 8 }));
      try {
        const got = await Promise.all(Array.from({ length: 100 }, (_, i) => claim(pools[i % 5]!, `w${i}`)));
        const ids = got.filter((g) => g !== null).map((g) => g!.run.id);
        expect(ids).toHaveLength(40);
        expect(new Set(ids).size).toBe(40);
        const rows = await db.query<{ n: number }>(
          "SELECT COUNT(*)::int AS n FROM runs WHERE state = 'claimed'",
        );
        expect(rows[0]!.n).toBe(40);
      } finally {
        await Promise.all(pools.map((p) => p.close()));
      }
    });
  }
});
