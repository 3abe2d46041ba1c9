// Ingest throughput and memory: Steward's back-fill vs a bare Node line reader, same file, same run.
//   npm run bench:ingest                 (1 GiB file, generated once under bench/.data/)
//   BENCH_INGEST_MB=100 npm run bench:ingest   (quick run)
//   BENCH_REPS=3 …                            (alternate phases 3 times, report the best of each)
import { spawnSync } from "node:child_process";
import {
  createReadStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  statSync,
  writeSync,
  closeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

const MB = Number(process.env.BENCH_INGEST_MB ?? 1024);
const DATA = join(import.meta.dirname, ".data");
const FILE = join(DATA, `pino-${MB}mb.log`);

function generate(): void {
  mkdirSync(DATA, { recursive: true });
  if (existsSync(FILE) && statSync(FILE).size >= MB * 1024 * 1024) return;
  const fd = openSync(`${FILE}.tmp`, "w");
  const types = ["TypeError", "RangeError", "DatabaseError", "TimeoutError", "ValidationError"];
  let written = 0;
  let i = 0;
  const parts: string[] = [];
  while (written < MB * 1024 * 1024) {
    let line: string;
    if (i % 20 === 3) {
      const t = types[(i >> 5) % types.length]!;
      line = JSON.stringify({
        level: 50,
        time: 1_700_000_000_000 + i,
        pid: 7,
        hostname: `web-${i % 4}`,
        name: "api",
        req: { id: i, method: "POST", url: `/orders/${i}` },
        res: { statusCode: 500 },
        err: {
          type: t,
          message: `order ${i} failed for user ${i % 977}`,
          stack: `${t}: order ${i} failed for user ${i % 977}\n    at validate (/srv/app/src/orders/${t.toLowerCase()}.js:${i % 300}:11)\n    at async create (/srv/app/src/orders/service.js:88:5)\n    at async Layer.handle (/srv/app/node_modules/express/lib/router/layer.js:95:5)`,
        },
        msg: "request errored",
      });
    } else {
      line = JSON.stringify({
        level: 30,
        time: 1_700_000_000_000 + i,
        pid: 7,
        hostname: `web-${i % 4}`,
        name: "api",
        req: {
          id: i,
          method: "GET",
          url: `/items/${i % 5000}`,
          headers: { host: "shop.example.com", "user-agent": "Mozilla/5.0 (X11; Linux x86_64)" },
        },
        res: { statusCode: 200 },
        responseTime: i % 250,
        msg: "request completed",
      });
    }
    parts.push(line);
    written += line.length + 1;
    i++;
    if (parts.length === 10_000) {
      writeSync(fd, `${parts.join("\n")}\n`);
      parts.length = 0;
    }
  }
  if (parts.length) writeSync(fd, `${parts.join("\n")}\n`);
  closeSync(fd);
  spawnSync("mv", [`${FILE}.tmp`, FILE]);
}

/** Runs one phase in a fresh process so its peak RSS is its own. */
function phase(name: string): { ms: number; lines: number; peakRssMb: number; errors?: number } {
  const r = spawnSync(process.execPath, [import.meta.filename, "--phase", name], {
    encoding: "utf8",
    maxBuffer: 1 << 20,
  });
  if (r.status !== 0) throw new Error(`phase ${name} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!);
}

async function runPhase(name: string): Promise<void> {
  let peak = 0;
  const sample = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  // Module loading is not throughput: load before the clock starts (the baseline's modules are built in).
  const steward = name === "steward";
  const { ingestOnce } = steward ? await import("../src/incidents/ingest.ts") : { ingestOnce: null };
  const { openDb } = steward ? await import("../src/store/index.ts") : { openDb: null };
  const { silentLogger } = steward ? await import("../src/logger.ts") : { silentLogger: null };
  const t0 = performance.now();
  let lines = 0;
  let errors: number | undefined;
  if (name === "readline") {
    const rl = createInterface({ input: createReadStream(FILE), crlfDelay: Number.POSITIVE_INFINITY });
    for await (const _ of rl) lines++;
  } else if (name === "steward") {
    const dir = mkdtempSync(join(tmpdir(), "steward-bench-"));
    const db = await openDb!(`sqlite:${join(dir, "b.db")}`);
    const t = await ingestOnce!({ db, file: FILE, log: silentLogger!() });
    lines = t.lines;
    errors = t.errorLines;
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const ms = performance.now() - t0;
  clearInterval(sample);
  peak = Math.max(peak, process.memoryUsage().rss);
  process.stdout.write(`${JSON.stringify({ ms, lines, errors, peakRssMb: Math.round(peak / 1048576) })}\n`);
}

if (process.argv[2] === "--phase") {
  await runPhase(process.argv[3]!);
} else {
  generate();
  const size = statSync(FILE).size;
  // Phases alternate (baseline, steward, baseline, …) so load from other processes hits both alike;
  // the best run of each is reported.
  const reps = Number(process.env.BENCH_REPS ?? 1);
  const runs = { readline: [] as ReturnType<typeof phase>[], steward: [] as ReturnType<typeof phase>[] };
  for (let i = 0; i < reps; i++) {
    runs.readline.push(phase("readline"));
    runs.steward.push(phase("steward"));
  }
  const best = (r: ReturnType<typeof phase>[]) => r.reduce((a, b) => (b.ms < a.ms ? b : a));
  const base = best(runs.readline);
  const st = best(runs.steward);
  if (reps > 1)
    console.log(
      `runs (ms): readline ${runs.readline.map((r) => Math.round(r.ms)).join(", ")}; steward ${runs.steward.map((r) => Math.round(r.ms)).join(", ")}`,
    );
  const mbps = (ms: number) => (size / 1048576 / (ms / 1000)).toFixed(1);
  console.log(`file: ${FILE} (${(size / 1048576).toFixed(0)} MiB, ${base.lines} lines)`);
  console.log(
    `baseline  node:readline line reader: ${mbps(base.ms)} MiB/s, ${Math.round(base.lines / (base.ms / 1000))} lines/s, peak RSS ${base.peakRssMb} MB`,
  );
  console.log(
    `steward   ingest --once (sqlite):   ${mbps(st.ms)} MiB/s, ${Math.round(st.lines / (st.ms / 1000))} lines/s, ${st.errors} error records, peak RSS ${st.peakRssMb} MB`,
  );
  console.log(
    `ratio steward/baseline: ${((base.ms / st.ms) * 100).toFixed(0)}% (target ≥ 50%); peak RSS target ≤ 200 MB`,
  );
}
