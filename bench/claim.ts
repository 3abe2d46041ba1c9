// Claim latency: enqueue (dispatch) → the run is in the hands of a worker long-polling the HTTP API
// on loopback. Baseline in the same run: a worker that polls `claim` once a second without waiting.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createWorkerApi } from "../src/agents/api.ts";
import type { AgentGateway } from "../src/agents/ports.ts";
import { dispatch } from "../src/agents/runs.ts";
import { migrate } from "../src/store/migrate.ts";
import { SqliteDb } from "../src/store/sqlite.ts";

const N = Number(process.env.BENCH_N ?? 40);
const NB = Number(process.env.BENCH_BASELINE_N ?? 10);
const SECRET = "bench";
const dir = mkdtempSync(join(tmpdir(), "steward-bench-claim-"));
const db = new SqliteDb(join(dir, "s.db"));
await migrate(db);
const gw = { upsertComment: async () => ({ id: 1 }) } as unknown as AgentGateway;
const handler = createWorkerApi({ db, gatewayFor: async () => gw, sharedSecret: SECRET, pollMs: 200 });
const server = createServer((req, res) => void handler(req, res, new URL(req.url!, "http://x")));
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/workers`;
const post = async (path: string, auth: string, body: unknown) => {
  const res = await fetch(base + path, {
    method: "POST",
    headers: { authorization: `Bearer ${auth}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    json: (res.status === 200 ? await res.json() : null) as { run: { id: number }; token: string },
  };
};
let ticket = 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function measure(n: number, waitMs: number, pollEveryMs: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    let t0 = 0;
    const worker = (async () => {
      for (;;) {
        const c = await post("/claim", SECRET, { workerId: "bench", waitMs });
        if (c.status === 200) {
          const ms = performance.now() - t0;
          await post(`/runs/${c.json.run.id}/result`, c.json.token, { status: "completed", summary: "ok" });
          return ms;
        }
        if (pollEveryMs) await sleep(pollEveryMs);
      }
    })();
    await sleep(20 + Math.random() * (pollEveryMs || 100)); // enqueue at a random point of the poll cycle
    t0 = performance.now();
    await dispatch(db, {
      repo: "bench/repo",
      ticket: ++ticket,
      instructions: "x",
      requestedBy: "b",
      commentId: ticket,
    });
    out.push(await worker);
  }
  return out.sort((a, b) => a - b);
}
const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

const long = await measure(N, 10_000, 0);
const poll = await measure(NB, 0, 1000);
server.close();
await db.close();
rmSync(dir, { recursive: true, force: true });
const f = (x: number) => `${x.toFixed(1)} ms`;
console.log(`claim latency, enqueue → claimed over HTTP on loopback (SQLite)`);
console.log(
  `long-poll (N=${N}):      p50 ${f(pct(long, 50))}  p99 ${f(pct(long, 99))}  max ${f(long.at(-1)!)}`,
);
console.log(
  `1 s polling (N=${NB}):   p50 ${f(pct(poll, 50))}  p99 ${f(pct(poll, 99))}  max ${f(poll.at(-1)!)}`,
);
console.log(
  `ratio p50 baseline/long-poll: ${(pct(poll, 50) / pct(long, 50)).toFixed(1)}×   target p99 < 1000 ms: ${pct(long, 99) < 1000 ? "met" : "MISSED"}`,
);
