import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enqueue } from "../../src/jobs/queue.ts";
import { PG_URL, pgTestDb, type TestDb } from "../helpers/db.ts";
import { type Proc, spawnSteward, waitFor } from "../helpers/server.ts";
import { testPrivateKey } from "../helpers/webhooks.ts";

const JOBS = 1_000;

describe.skipIf(!PG_URL)("two `steward worker` processes on one Postgres", () => {
  let t: TestDb;
  const procs: Proc[] = [];
  beforeAll(async () => {
    t = await pgTestDb();
  });
  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    await t.cleanup();
  });

  it(`run ${JOBS} jobs exactly once each and lose none`, async () => {
    await t.db.tx(async (tx) => {
      for (let i = 0; i < JOBS; i++) await enqueue(tx, { kind: "maintenance.purge", payload: { i } });
    });
    const env = {
      APP_ID: "1",
      PRIVATE_KEY: testPrivateKey(),
      WEBHOOK_SECRET: "s",
      DATABASE_URL: t.url,
      STEWARD_CONCURRENCY: "4",
      LOG_LEVEL: "warn",
    };
    procs.push(spawnSteward(["worker"], env), spawnSteward(["worker"], env));
    await waitFor(
      async () => {
        for (const p of procs)
          if (p.child.exitCode !== null) throw new Error(`worker exited:\n${p.output()}`);
        const r = await t.db.one<{ n: number }>("SELECT count(*) AS n FROM jobs WHERE state = 'done'");
        return Number(r?.n) === JOBS ? true : undefined;
      },
      "all jobs done",
      120_000,
    );
    const runs = await t.db.query<{ job_id: number; n: number }>(
      "SELECT job_id, count(*) AS n FROM job_runs GROUP BY job_id HAVING count(*) > 1",
    );
    expect(runs).toEqual([]);
    const totals = await t.db.one<{ runs: number; jobs: number; workers: number }>(
      "SELECT count(*) AS runs, count(DISTINCT job_id) AS jobs, count(DISTINCT split_part(worker, ':', 2)) AS workers FROM job_runs WHERE outcome = 'done'",
    );
    expect(totals).toEqual({ runs: JOBS, jobs: JOBS, workers: 2 });
    const notDone = await t.db.one<{ n: number }>(
      "SELECT count(*) AS n FROM jobs WHERE state <> 'done' AND dedupe_key IS NULL",
    );
    expect(Number(notDone?.n)).toBe(0);
    // Both workers scheduled the hourly housekeeping; the dedupe key made it one pending job.
    const scheduled = await t.db.query("SELECT state FROM jobs WHERE dedupe_key = 'maintenance.purge'");
    expect(scheduled).toEqual([{ state: "queued" }]);
  }, 180_000);
});
