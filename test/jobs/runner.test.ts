import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GitHubAPIError, InvalidInputError } from "../../src/errors.ts";
import { enqueue, getJob } from "../../src/jobs/queue.ts";
import { createRunner } from "../../src/jobs/runner.ts";
import type { Job } from "../../src/jobs/types.ts";
import { sqliteTestDb, type TestDb } from "../helpers/db.ts";

const log = pino({ level: "silent" });

describe("job runner", () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await sqliteTestDb();
  });
  afterEach(async () => t.cleanup());

  it("retries a transient failure no sooner than the server's retry-after, then succeeds", async () => {
    let calls = 0;
    const runner = createRunner({
      db: t.db,
      log,
      handlers: {
        flaky: async () => {
          calls++;
          if (calls === 1)
            throw new GitHubAPIError("secondary rate limit", {
              status: 403,
              transient: true,
              retryAfterMs: 60_000,
            });
        },
      },
      backoff: { baseMs: 10, maxMs: 100 },
    });
    const { id } = await enqueue(t.db, { kind: "flaky", payload: {} });
    const before = Date.now();
    expect(await runner.drain(0)).toBe(1);
    const queued = await getJob(t.db, id);
    expect(queued).toMatchObject({ state: "queued", attempts: 1, lastError: "secondary rate limit" });
    expect(queued!.runAt - before).toBeGreaterThanOrEqual(60_000);
    expect(await runner.drain(120_000)).toBe(1);
    expect(await getJob(t.db, id)).toMatchObject({ state: "done", attempts: 2 });
    expect(calls).toBe(2);
  });

  it("dead-letters a permanent error at once and tells the dead-letter hook", async () => {
    const dead: Array<[Job, unknown]> = [];
    const runner = createRunner({
      db: t.db,
      log,
      handlers: {
        broken: async () => {
          throw new InvalidInputError("payload has no pull request");
        },
      },
      onDeadLetter: async (job, err) => {
        dead.push([job, err]);
      },
    });
    const { id } = await enqueue(t.db, { kind: "broken", payload: {}, repo: "o/r", targetNumber: 3 });
    await runner.drain();
    expect(await getJob(t.db, id)).toMatchObject({
      state: "dead",
      attempts: 1,
      lastError: "payload has no pull request",
    });
    expect(dead).toHaveLength(1);
    expect(dead[0]![0]).toMatchObject({ id, repo: "o/r", targetNumber: 3 });
    const runs = await t.db.query("SELECT attempt, outcome, error FROM job_runs WHERE job_id = $1", [id]);
    expect(runs).toEqual([{ attempt: 1, outcome: "dead", error: "payload has no pull request" }]);
  });

  it("gives up after maxAttempts on repeated transient failures", async () => {
    const runner = createRunner({
      db: t.db,
      log,
      handlers: {
        down: async () => {
          throw new GitHubAPIError("HTTP 502", { status: 502, transient: true });
        },
      },
      backoff: { baseMs: 1, maxMs: 1 },
    });
    const { id } = await enqueue(t.db, { kind: "down", payload: {}, maxAttempts: 3 });
    expect(await runner.drain()).toBe(3);
    expect(await getJob(t.db, id)).toMatchObject({ state: "dead", attempts: 3 });
  });

  it("runs jobs concurrently up to its limit and finishes them on a graceful stop", async () => {
    let active = 0;
    let peak = 0;
    const finished: number[] = [];
    const runner = createRunner({
      db: t.db,
      log,
      concurrency: 3,
      pollMs: 10,
      handlers: {
        slow: async (job) => {
          active++;
          peak = Math.max(peak, active);
          await new Promise((r) => setTimeout(r, 50));
          active--;
          finished.push(job.id);
        },
      },
    });
    for (let i = 0; i < 6; i++) await enqueue(t.db, { kind: "slow", payload: { i } });
    runner.start();
    await new Promise((r) => setTimeout(r, 30));
    await runner.stop(5_000);
    // Jobs that had started finished; the rest stay queued for the next process.
    const states = await t.db.query<{ state: string }>("SELECT state FROM jobs ORDER BY id");
    expect(peak).toBeLessThanOrEqual(3);
    expect(finished.length).toBeGreaterThan(0);
    expect(states.filter((s) => s.state === "running")).toEqual([]);
    expect(states.filter((s) => s.state === "done")).toHaveLength(finished.length);
  });

  it("releases a job whose handler outlives the grace period; the attempt it made still counts", async () => {
    const runner = createRunner({
      db: t.db,
      log,
      pollMs: 10,
      handlers: {
        stuck: (_job, ctx) =>
          new Promise<void>((_resolve, reject) => {
            ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason));
          }),
      },
    });
    const { id } = await enqueue(t.db, { kind: "stuck", payload: {} });
    runner.start();
    await new Promise((r) => setTimeout(r, 50));
    await runner.stop(20);
    expect(await getJob(t.db, id)).toMatchObject({ state: "queued", attempts: 1, leaseOwner: null });
  });

  it("leaves jobs of kinds it has no handler for to other workers", async () => {
    const runner = createRunner({ db: t.db, log, handlers: { known: async () => {} } });
    const { id } = await enqueue(t.db, { kind: "unknown.kind", payload: {} });
    expect(await runner.drain()).toBe(0);
    expect(await getJob(t.db, id)).toMatchObject({ state: "queued", attempts: 0 });
  });
});
