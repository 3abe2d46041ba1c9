// OTLP receiver throughput: records/s from the OpenTelemetry JS SDK (BatchLogRecordProcessor with its
// default batching: 512 records per export, one export in flight) through its protobuf OTLP/HTTP
// exporter to a running `steward serve` (SQLite, each batch committed before the 200), against a
// bare HTTP server that only reads the body, on loopback, same run, alternating.
//   npm run bench:otlp                        (50,000 records per run, 5% exceptions)
//   BENCH_OTLP_RECORDS=200000 BENCH_REPS=3 npm run bench:otlp
import { type ChildProcess, spawn } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { SeverityNumber } from "@opentelemetry/api-logs";
import { OTLPLogExporter } from "@opentelemetry/exporter-logs-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchLogRecordProcessor, LoggerProvider } from "@opentelemetry/sdk-logs";

const ROOT = resolve(import.meta.dirname, "..");
const N = Number(process.env.BENCH_OTLP_RECORDS ?? 50_000);
const REPS = Number(process.env.BENCH_REPS ?? 1);
const TOKEN = "bench-otlp-token";

async function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => res(typeof a === "object" && a ? a.port : 0));
    });
  });
}

async function until(ok: () => Promise<boolean>, what: string): Promise<void> {
  const end = Date.now() + 60_000;
  while (!(await ok().catch(() => false))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function startSteward(dir: string): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const key = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({
    type: "pkcs1",
    format: "pem",
  });
  const child = spawn(process.execPath, [join(ROOT, "bin/steward.js"), "serve"], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? "",
      APP_ID: "1",
      PRIVATE_KEY: String(key),
      WEBHOOK_SECRET: "bench",
      PORT: String(port),
      HOST: "127.0.0.1",
      DATABASE_URL: `sqlite:${join(dir, "steward.db")}`,
      GHE_HOST: "127.0.0.1:9", // nothing there: no job of this run needs GitHub
      GHE_PROTOCOL: "http",
      STEWARD_OTLP_TOKEN: TOKEN,
      STEWARD_OTLP_RATE: "100000000",
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  await until(async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok, "steward serve");
  return { child, url: `http://127.0.0.1:${port}/v1/logs` };
}

async function startBare(): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(import.meta.dirname, "otlp-bare.ts"), String(port)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((r) => child.stdout!.once("data", () => r()));
  return { child, url: `http://127.0.0.1:${port}/v1/logs` };
}

/** Sends N records through the SDK's default batching; returns records/s and failed exports. */
async function drive(url: string): Promise<{ rps: number; failed: number }> {
  let failed = 0;
  const exporter = new OTLPLogExporter({ url, headers: { Authorization: `Bearer ${TOKEN}` } });
  const inner = exporter.export.bind(exporter);
  exporter.export = (logs, done) =>
    inner(logs, (r) => {
      if (r.code !== 0) failed++;
      done(r);
    });
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ "service.name": "bench", "service.version": "1.0.0" }),
    processors: [new BatchLogRecordProcessor({ exporter })],
  });
  const logger = provider.getLogger("bench");
  const t0 = performance.now();
  // The processor's queue holds 2,048 records (its default); emit a queue-full, then let it drain,
  // so nothing is dropped and the exporter always has a full batch to send.
  for (let i = 0; i < N; i++) {
    if (i % 20 === 7) {
      const type = ["TypeError", "RangeError", "DatabaseError"][i % 3]!;
      logger.emit({
        severityNumber: SeverityNumber.ERROR,
        body: `order ${i} failed`,
        attributes: {
          "exception.type": type,
          "exception.message": `order ${i} failed`,
          "exception.stacktrace": `${type}: order ${i} failed\n    at create (/srv/app/src/orders.js:${i % 200}:7)\n    at async handle (/srv/app/src/router.js:40:5)`,
          "url.path": `/orders/${i}`,
        },
      });
    } else
      logger.emit({
        severityNumber: SeverityNumber.INFO,
        body: `GET /items/${i % 5000} 200`,
        attributes: { "http.request.method": "GET", "http.response.status_code": 200 },
      });
    if (i % 2048 === 2047) await provider.forceFlush();
  }
  await provider.forceFlush();
  const ms = performance.now() - t0;
  await provider.shutdown();
  return { rps: N / (ms / 1000), failed };
}

const dir = mkdtempSync(join(tmpdir(), "steward-bench-otlp-"));
const steward = await startSteward(dir);
const bare = await startBare();
try {
  const runs = { bare: [] as number[], steward: [] as number[] };
  let failed = 0;
  for (let i = 0; i < REPS; i++) {
    const b = await drive(bare.url);
    const s = await drive(steward.url);
    runs.bare.push(b.rps);
    runs.steward.push(s.rps);
    failed += b.failed + s.failed;
  }
  const best = (xs: number[]) => Math.max(...xs);
  console.log(
    `node ${process.version}; ${N} records per run (5% exceptions), SDK default batching, protobuf, loopback`,
  );
  console.log(`  bare HTTP server (reads the body): ${Math.round(best(runs.bare))} records/s`);
  console.log(`  steward serve /v1/logs (sqlite):   ${Math.round(best(runs.steward))} records/s`);
  console.log(
    `  ratio steward/bare: ${((best(runs.steward) / best(runs.bare)) * 100).toFixed(0)}%; failed exports: ${failed}`,
  );
  const { SqliteDb } = await import("../src/store/sqlite.ts");
  const db = new SqliteDb(join(dir, "steward.db"));
  const row = await db.one<{ n: number }>("SELECT COALESCE(SUM(count), 0) AS n FROM incidents");
  await db.close();
  const expected = REPS * Array.from({ length: N }, (_, i) => i % 20 === 7).filter(Boolean).length;
  console.log(`  error records counted by steward: ${Number(row?.n)} (sent ${expected})`);
} finally {
  steward.child.kill("SIGTERM");
  bare.child.kill("SIGTERM");
  await new Promise((r) => setTimeout(r, 500));
  rmSync(dir, { recursive: true, force: true });
}
