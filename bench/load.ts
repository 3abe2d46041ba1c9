// Load and fairness: `steward serve` plus two `steward worker` processes on one Postgres, against the
// GitHub simulator and an LLM fake with seeded 2–20 s latency (scaled by BENCH_TIME_SCALE), replaying
// PR-opened events at BENCH_SPEEDUP× real time. Phase 1 measures the small installation alone; phase 2
// has one installation flood BENCH_FLOOD PRs while the small one opens BENCH_SMALL; the rest of
// BENCH_EVENTS follow as a steady stream split between the flood and a third installation. Reports queue wait
// p50/p99 per installation and phase, jobs/min, peak LLM concurrency, RSS over the run, lost jobs and
// duplicate comments. Needs BENCH_DATABASE_URL or TEST_DATABASE_URL (Postgres; a fresh schema is used).
import { createPublicKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import pg from "pg";
import { PgDb } from "../src/store/postgres.ts";
import { migrate } from "../src/store/migrate.ts";
import { withSearchPath } from "../test/helpers/db.ts";
import { freePort, type Proc, spawnSteward, waitFor, waitHealthy } from "../test/helpers/server.ts";
import { sign, testPrivateKey } from "../test/helpers/webhooks.ts";
import type { World } from "../test/e2e/harness.ts";
import { LlmFake } from "../test/e2e/llm/fake.ts";
import { prFiles, pullRequestPayload } from "../test/e2e/payloads.ts";
import { GitHubSimulator } from "../test/e2e/sim/server.ts";
import type { SimRepo } from "../test/e2e/sim/state.ts";

const env = process.env;
const EVENTS = Number(env.BENCH_EVENTS ?? 1_000);
const FLOOD = Number(env.BENCH_FLOOD ?? 500);
const SMALL = Number(env.BENCH_SMALL ?? 10);
const SPEEDUP = Number(env.BENCH_SPEEDUP ?? 10);
/** Real-time spacing of events before the speed-up (seconds). */
const EVENT_GAP_S = Number(env.BENCH_EVENT_GAP_S ?? 6);
/** 1 = 2–20 s per LLM call; 0.1 compresses the LLM like the replay. */
const TIME_SCALE = Number(env.BENCH_TIME_SCALE ?? 1);
const SEED = Number(env.BENCH_SEED ?? 42);
const BASE = env.BENCH_DATABASE_URL ?? env.TEST_DATABASE_URL;
if (!BASE?.startsWith("postgres")) {
  console.error("bench:load needs BENCH_DATABASE_URL (or TEST_DATABASE_URL) = postgres://…");
  process.exit(2);
}

// Seeded PRNG (mulberry32): the same latencies and schedule every run.
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = rng(SEED);
const quantile = (xs: number[], q: number) => {
  if (!xs.length) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

const schema = `bench_${Date.now().toString(36)}`;
const admin = new pg.Client({ connectionString: BASE });
await admin.connect();
await admin.query(`CREATE SCHEMA ${schema}`);
const url = withSearchPath(BASE, schema);
const db = new PgDb(url, { max: 2 });
await migrate(db);

const sim = new GitHubSimulator({
  appId: 12345,
  appSlug: "steward-test",
  publicKey: createPublicKey(testPrivateKey()).export({ type: "spki", format: "pem" }).toString(),
});
const simPort = await sim.start();
const llmRand = rng(SEED + 1);
const llm = new LlmFake({ apiKey: "sk-bench", latencyMs: () => (2_000 + llmRand() * 18_000) * TIME_SCALE });
await llm.start();
const port = await freePort();
const stewardEnv = {
  APP_ID: "12345",
  APP_SLUG: "steward-test",
  PRIVATE_KEY: testPrivateKey(),
  WEBHOOK_SECRET: "bench-secret",
  PORT: String(port),
  HOST: "127.0.0.1",
  GHE_HOST: `127.0.0.1:${simPort}`,
  GHE_PROTOCOL: "http",
  DATABASE_URL: url,
  LLM_BASE_URL: llm.baseUrl,
  LLM_API_KEY: "sk-bench",
  LLM_MODEL: "gpt-4o-mini",
  LOG_LEVEL: "warn",
  STEWARD_PUSH_DEBOUNCE_MS: "0",
  // Operator limits (STEWARD_CONCURRENCY, STEWARD_INSTALLATION_CONCURRENCY, …) pass through from the bench's
  // own environment, so a run can show what a setting does.
  ...Object.fromEntries(
    Object.entries(env).filter(
      (e): e is [string, string] => e[0].startsWith("STEWARD_") && e[1] !== undefined,
    ),
  ),
};
const procs: Proc[] = [spawnSteward(["serve"], stewardEnv, { cwd: tmpdir() })];
await waitHealthy(port, procs[0]);
procs.push(spawnSteward(["worker"], stewardEnv), spawnSteward(["worker"], stewardEnv));

const w = { sim } as unknown as World;
const flood = sim.state.addRepo("flood/monorepo", { installationId: 101 });
const small = sim.state.addRepo("small/app", { installationId: 202 });
// The rest of the sustained stream goes to a third installation, so the small one opens only its 10 + 10.
const steady = sim.state.addRepo("steady/service", { installationId: 303 });
for (const r of [flood, small, steady]) r.permissions.set("alice", "write");
const fixtures = ["express-query-revalidation", "ky-query-method", "express-rename-only"];

async function openPr(repo: SimRepo, i: number): Promise<number> {
  const pr = sim.state.openPull(repo, {
    title: `Change ${i}`,
    body: "Bench PR.",
    author: "alice",
    head: `b/${i}`,
    files: prFiles(fixtures[i % fixtures.length]!),
  });
  const body = JSON.stringify(pullRequestPayload(w, repo, pr, "opened"));
  const res = await fetch(`http://127.0.0.1:${port}/api/github/webhooks`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": "pull_request",
      "x-github-delivery": `bench-${repo.fullName ?? repo.installationId}-${i}`,
      "x-hub-signature-256": sign(body, "bench-secret"),
    },
    body,
  });
  if (res.status >= 300) throw new Error(`delivery answered ${res.status}`);
  return pr.number;
}

// RSS of the three Steward processes, sampled every 2 s.
const rss: Array<{ at: number; kb: number }> = [];
const sampler = setInterval(() => {
  let kb = 0;
  for (const p of procs) {
    try {
      const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p.child.pid}/status`, "utf8"));
      kb += Number(m?.[1] ?? 0);
    } catch {
      // exited
    }
  }
  rss.push({ at: Date.now(), kb });
}, 2_000);

const pending = async () =>
  Number(
    (
      await db.one<{ n: number }>(
        // The hourly maintenance job (installation-less, run_at on the hour) is not the bench's work.
        "SELECT count(*) AS n FROM jobs WHERE state IN ('queued','running') AND run_at < $1 AND installation_id IS NOT NULL",
        [Date.now() + 3_600_000 / 2],
      )
    )?.n,
  );
async function drain(what: string) {
  await waitFor(async () => ((await pending()) === 0 ? true : undefined), what, 6 * 3600_000);
}

/** Replays `schedule` (ms offsets, real time) at SPEEDUP×. */
async function replay(schedule: Array<{ at: number; repo: SimRepo; i: number }>) {
  const t0 = Date.now();
  for (const e of schedule.sort((a, b) => a.at - b.at)) {
    const due = t0 + e.at / SPEEDUP;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    await openPr(e.repo, e.i);
  }
}

const started = Date.now();
// Phase 1: the small installation alone.
const alone = Array.from({ length: SMALL }, (_, i) => ({
  at: i * EVENT_GAP_S * 1000 * (1 + rand()),
  repo: small,
  i,
}));
const phase1 = Date.now();
await replay(alone);
await drain("phase 1 to drain");
const phase2 = Date.now();
// Phase 2: the flood, with the small installation's PRs spread across it; then the rest of EVENTS.
const span = FLOOD * EVENT_GAP_S * 1000 * 0.2; // the flood arrives five times as fast as the steady stream
const busy = [
  ...Array.from({ length: FLOOD }, (_, i) => ({ at: (i / FLOOD) * span, repo: flood, i: 1_000 + i })),
  ...Array.from({ length: SMALL }, (_, i) => ({ at: ((i + 0.5) / SMALL) * span, repo: small, i: 2_000 + i })),
];
const rest = Math.max(0, EVENTS - SMALL - busy.length);
for (let i = 0; i < rest; i++)
  busy.push({
    at: span + i * EVENT_GAP_S * 1000 * rand() * 2,
    repo: rand() < 0.5 ? flood : steady,
    i: 3_000 + i,
  });
await replay(busy);
await drain("phase 2 to drain");
const ended = Date.now();
clearInterval(sampler);

const rows = await db.query<{
  id: number;
  installation_id: number;
  state: string;
  run_at: number;
  first: number | null;
}>(
  `SELECT j.id, j.installation_id, j.state, j.run_at, (SELECT min(r.started_at) FROM job_runs r WHERE r.job_id = j.id) AS first
   FROM jobs j WHERE j.installation_id IS NOT NULL`,
);
const waits = (inst: number, from: number, to: number) =>
  rows
    .filter(
      (r) => Number(r.installation_id) === inst && r.first !== null && r.run_at >= from && r.run_at < to,
    )
    .map((r) => (Number(r.first) - Number(r.run_at)) / 1000);
const lost = rows.filter((r) => r.state !== "done" && r.state !== "dead" && r.state !== "cancelled").length;
const dead = rows.filter((r) => r.state === "dead").length;
let duplicates = 0;
for (const repo of [flood, small, steady])
  for (const issue of repo.issues.values()) {
    const markers = sim.state
      .commentsOn(repo, issue.number)
      .filter((c) => c.user.login === sim.botLogin)
      .map((c) => /<!-- steward:(\S+) key=(\S+)/.exec(c.body)?.slice(1).join(":") ?? c.body.slice(0, 40));
    duplicates += markers.length - new Set(markers).size;
  }
const tenth = Math.max(1, Math.floor(rss.length / 10));
const avg = (xs: Array<{ kb: number }>) => xs.reduce((n, x) => n + x.kb, 0) / xs.length;
const firstMem = avg(rss.slice(0, tenth));
const lastMem = avg(rss.slice(-tenth));
const doneJobs = rows.filter((r) => r.state === "done").length;
const fmt = (xs: number[]) =>
  `p50 ${quantile(xs, 0.5).toFixed(1)} s, p99 ${quantile(xs, 0.99).toFixed(1)} s (n=${xs.length})`;
const smallAlone = waits(202, phase1, phase2);
const smallBusy = waits(202, phase2, ended + 1);
console.log(
  JSON.stringify(
    {
      settings: {
        EVENTS,
        FLOOD,
        SMALL,
        SPEEDUP,
        EVENT_GAP_S,
        TIME_SCALE,
        SEED,
        llmLatency: `${2 * TIME_SCALE}–${20 * TIME_SCALE} s`,
      },
      loadavg: (await import("node:os")).loadavg().map((x) => x.toFixed(1)),
    },
    null,
    1,
  ),
);
console.log(`queue wait, small installation alone:        ${fmt(smallAlone)}`);
console.log(`queue wait, small installation during flood: ${fmt(smallBusy)}`);
console.log(`queue wait, flooding installation:           ${fmt(waits(101, phase2, ended + 1))}`);
console.log(`queue wait, steady installation:             ${fmt(waits(303, phase2, ended + 1))}`);
console.log(
  `small p99 during flood / alone: ${(quantile(smallBusy, 0.99) / Math.max(0.001, quantile(smallAlone, 0.99))).toFixed(2)}×`,
);
console.log(
  `jobs: ${rows.length} (${doneJobs} done, ${dead} dead), ${((doneJobs / (ended - started)) * 60_000).toFixed(1)} jobs/min over ${((ended - started) / 60_000).toFixed(1)} min`,
);
console.log(`LLM calls: ${llm.requests.length}, peak concurrency ${llm.maxInFlight}`);
console.log(
  `RSS (3 processes): first 10% ${(firstMem / 1024).toFixed(0)} MB, last 10% ${(lastMem / 1024).toFixed(0)} MB (${(((lastMem - firstMem) / firstMem) * 100).toFixed(1)}%)`,
);
// The shape of memory over the run: mean RSS of each tenth of the samples.
console.log(
  `RSS by tenth of the run (MB): ${Array.from({ length: 10 }, (_, i) =>
    (avg(rss.slice(i * tenth, (i + 1) * tenth)) / 1024).toFixed(0),
  ).join(", ")}`,
);
console.log(
  `lost jobs: ${lost}; duplicate comments: ${duplicates}; invalid GitHub requests: ${sim.invalid.length}`,
);

await Promise.all(procs.map((p) => p.stop("SIGTERM")));
await sim.stop();
await llm.stop();
await db.close();
await admin.query(`DROP SCHEMA ${schema} CASCADE`);
await admin.end();
process.exit(lost === 0 && duplicates === 0 ? 0 : 1);
