// Postgres goes away under load: its own throwaway server (never the shared one) is restarted, then
// every connection is terminated, while jobs are in flight across two `steward worker` processes.
// Every job must finish exactly once and none may be lost.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enqueue } from "../../src/jobs/queue.ts";
import { migrate } from "../../src/store/migrate.ts";
import { PgDb } from "../../src/store/postgres.ts";
import { type PgCluster, postgresBin, startPgCluster } from "../helpers/pg-cluster.ts";
import { type Proc, spawnSteward, waitFor } from "../helpers/server.ts";
import { testPrivateKey } from "../helpers/webhooks.ts";

const JOBS = 1_000;
const BIN = postgresBin();
// CI must run it; a developer machine without PostgreSQL's server binaries skips it, saying why.
const skip = !BIN && process.env.CI !== "true";
if (skip)
  console.warn("skipping the Postgres restart test: no PostgreSQL server binaries under /usr/lib/postgresql");

describe.skipIf(skip)("Postgres restart and dropped connections under load (own PostgreSQL server)", () => {
  let cluster: PgCluster;
  let db: PgDb;
  const procs: Proc[] = [];
  beforeAll(async () => {
    if (!BIN) throw new Error("CI=true but no PostgreSQL server binaries under /usr/lib/postgresql/*/bin");
    cluster = await startPgCluster(BIN);
    db = new PgDb(cluster.url, { max: 2 });
    await migrate(db);
  }, 180_000);
  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop("SIGKILL")));
    await db?.close().catch(() => {});
    cluster?.stop();
  });

  it(`${JOBS} jobs over a server restart and pg_terminate_backend: each done exactly once, none lost`, async () => {
    await db.tx(async (tx) => {
      for (let i = 0; i < JOBS; i++) await enqueue(tx, { kind: "maintenance.purge", payload: { i } });
    });
    const env = {
      APP_ID: "12345",
      PRIVATE_KEY: testPrivateKey(),
      WEBHOOK_SECRET: "s",
      DATABASE_URL: cluster.url,
      STEWARD_CONCURRENCY: "4",
      STEWARD_LEASE_MS: "5000",
      LOG_LEVEL: "warn",
    };
    procs.push(spawnSteward(["worker"], env), spawnSteward(["worker"], env));
    const done = async () =>
      Number(
        (
          await db.one<{ n: number }>(
            "SELECT count(*) AS n FROM jobs WHERE dedupe_key IS NULL AND state = 'done'",
          )
        )?.n,
      );
    // A worker that dies fails the test (waitFor retries on throw, so check and report explicitly).
    const reach = async (n: number, what: string, ms: number) => {
      await waitFor(
        async () => {
          if (procs.some((p) => p.child.exitCode !== null)) return true;
          return (await done()) >= n || undefined;
        },
        what,
        ms,
      ).catch(async (err) => {
        const states = await db.query("SELECT state, count(*) AS n FROM jobs GROUP BY state");
        throw new Error(
          `${(err as Error).message}: ${JSON.stringify(states)}\n${procs.map((p) => p.output().slice(-3000)).join("\n---\n")}`,
        );
      });
      for (const p of procs) expect(p.child.exitCode, `a worker exited:\n${p.output()}`).toBeNull();
    };

    await reach(50, "50 jobs done", 60_000);
    // Both workers are up and claiming before the database goes away (a worker that cannot reach the
    // database when it starts exits, by design: its supervisor restarts it).
    await waitFor(
      async () =>
        Number(
          (
            await db.one<{ n: number }>(
              "SELECT count(DISTINCT split_part(worker, ':', 2)) AS n FROM job_runs",
            )
          )?.n,
        ) === 2 || undefined,
      "both workers to claim jobs",
      60_000,
    );
    const before = await done();
    cluster.restart();
    await reach(before + 200, "200 more jobs done after the restart", 120_000);
    const admin = new pg.Client({ connectionString: cluster.url });
    await admin.connect();
    const killed = await admin.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND datname = current_database() AND backend_type = 'client backend'",
    );
    await admin.end();
    expect(killed.rowCount).toBeGreaterThan(0);
    expect(await done()).toBeLessThan(JOBS); // the drop happened with work still in flight
    await reach(JOBS, "all jobs done", 180_000);

    // Exactly once: one finished run per job; nothing left queued, running or dead.
    const twice = await db.query(
      "SELECT job_id, count(*) AS n FROM job_runs WHERE outcome = 'done' GROUP BY job_id HAVING count(*) <> 1",
    );
    expect(twice).toEqual([]);
    const finished = await db.one<{ n: number }>(
      "SELECT count(DISTINCT job_id) AS n FROM job_runs WHERE outcome = 'done'",
    );
    expect(Number(finished?.n)).toBe(JOBS);
    const notDone = await db.query(
      "SELECT id, state, attempts FROM jobs WHERE dedupe_key IS NULL AND state <> 'done'",
    );
    expect(notDone).toEqual([]);
    // Both workers survived both faults and shared the work.
    const workers = await db.one<{ n: number }>(
      "SELECT count(DISTINCT split_part(worker, ':', 2)) AS n FROM job_runs WHERE outcome = 'done'",
    );
    expect(Number(workers?.n)).toBe(2);
  }, 400_000);
});
