// bench:intake — acknowledgement latency and throughput of the real `steward serve` on loopback,
// against a bare Probot app (signature check only) measured in the same run.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePort, spawnSteward, waitFor } from "../test/helpers/server.ts";
import { examplePayload, sign, testPrivateKey } from "../test/helpers/webhooks.ts";
import { spawn } from "node:child_process";

const SECRET = "bench-secret";
const RATE = Number(process.env.BENCH_RATE ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

let seq = 0;
function delivery(): { body: string; headers: Record<string, string> } {
  const payload = examplePayload("pull_request", "synchronize");
  seq++;
  payload.pull_request.number = seq; // a distinct PR per delivery: every delivery stores one job
  const body = JSON.stringify(payload);
  return {
    body,
    headers: {
      "content-type": "application/json",
      "x-github-event": "pull_request",
      "x-github-delivery": `bench-${process.pid}-${seq}`,
      "x-hub-signature-256": sign(body, SECRET),
    },
  };
}

async function send(port: number): Promise<{ ms: number; ok: boolean }> {
  const d = delivery();
  const t0 = performance.now();
  const res = await fetch(`http://127.0.0.1:${port}/api/github/webhooks`, {
    method: "POST",
    body: d.body,
    headers: d.headers,
  });
  await res.arrayBuffer();
  return { ms: performance.now() - t0, ok: res.status >= 200 && res.status < 300 };
}

/** Open loop: one delivery every 1000/RATE ms, whatever the server does; latency per delivery. */
async function openLoop(port: number) {
  const total = RATE * SECONDS;
  const interval = 1000 / RATE;
  const start = performance.now();
  const pending: Promise<{ ms: number; ok: boolean }>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    pending.push(send(port));
  }
  const results = await Promise.all(pending);
  const lat = results.map((r) => r.ms).sort((a, b) => a - b);
  return {
    sent: total,
    failed: results.filter((r) => !r.ok).length,
    p50: percentile(lat, 50),
    p99: percentile(lat, 99),
    max: lat.at(-1)!,
  };
}

/** Closed loop: CONCURRENCY senders as fast as acknowledgements come back. */
async function closedLoop(port: number, seconds: number) {
  const until = performance.now() + seconds * 1000;
  let done = 0;
  let failed = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < until) {
        const r = await send(port);
        done++;
        if (!r.ok) failed++;
      }
    }),
  );
  return { perSecond: done / seconds, failed };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "steward-bench-"));
  const key = testPrivateKey();
  const stewardPort = await freePort();
  const steward = spawnSteward(["serve"], {
    APP_ID: "1",
    PRIVATE_KEY: key,
    WEBHOOK_SECRET: SECRET,
    PORT: String(stewardPort),
    HOST: "127.0.0.1",
    DATABASE_URL: `sqlite:${join(dir, "steward.db")}`,
    LOG_LEVEL: "warn",
    STEWARD_PUSH_DEBOUNCE_MS: String(3600_000), // jobs stay queued: this measures intake only
    GHE_HOST: "127.0.0.1:1",
    GHE_PROTOCOL: "http",
  });
  const barePort = await freePort();
  const bare = spawn(process.execPath, [resolve(import.meta.dirname, "bare-app.ts")], {
    env: { PATH: process.env.PATH, PORT: String(barePort), PRIVATE_KEY: key, WEBHOOK_SECRET: SECRET },
    stdio: ["ignore", "pipe", "inherit"],
  });
  try {
    await waitFor(
      async () => ((await fetch(`http://127.0.0.1:${stewardPort}/healthz`)).ok ? true : undefined),
      "steward",
    );
    await waitFor(
      async () => ((await fetch(`http://127.0.0.1:${barePort}/ping`)).ok ? true : undefined),
      "bare app",
    );
    // Warm-up both (JIT, SQLite page cache, keep-alive sockets).
    await closedLoop(stewardPort, 2);
    await closedLoop(barePort, 2);

    const bareOpen = await openLoop(barePort);
    const stewardOpen = await openLoop(stewardPort);
    const bareClosed = await closedLoop(barePort, 5);
    const stewardClosed = await closedLoop(stewardPort, 5);

    const row = (
      name: string,
      o: Awaited<ReturnType<typeof openLoop>>,
      c: Awaited<ReturnType<typeof closedLoop>>,
    ) =>
      `| ${name} | ${o.sent} | ${o.failed} | ${o.p50.toFixed(1)} | ${o.p99.toFixed(1)} | ${o.max.toFixed(1)} | ${c.perSecond.toFixed(0)} |`;
    console.log(
      `\nbench:intake — ${RATE} deliveries/s for ${SECONDS} s (open loop), then ${CONCURRENCY} concurrent senders for 5 s (closed loop)\n`,
    );
    console.log("| server | sent | failed | p50 ms | p99 ms | max ms | max throughput /s |");
    console.log("|---|---|---|---|---|---|---|");
    console.log(row("bare Probot (signature check only)", bareOpen, bareClosed));
    console.log(row("steward serve (SQLite store)", stewardOpen, stewardClosed));
    console.log(
      `\nthroughput ratio steward/bare: ${(stewardClosed.perSecond / bareClosed.perSecond).toFixed(2)} (target ≥ 0.70)`,
    );
    console.log(`steward p99 at ${RATE}/s: ${stewardOpen.p99.toFixed(1)} ms (target ≤ 50 ms)`);
  } finally {
    await steward.stop();
    bare.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
