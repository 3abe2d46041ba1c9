// Ingest throughput on a log that mixes the shapes real services write (bench/mixed-logs.ts), end to
// end INCLUDING process start-up: `steward ingest FILE --once` (the real CLI, SQLite) against a bare
// node:readline line counter, each a fresh `node` process timed from spawn to exit, same file, same
// run, alternating. Peak RSS is the process's VmHWM (Linux), sampled from /proc.
//   npm run bench:ingest-mixed                    (150 MiB and 1 GiB, generated once under bench/.data/)
//   BENCH_SIZES=150 BENCH_REPS=3 npm run bench:ingest-mixed
import { spawn } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { isErrorLine, mixedLine, rng } from "./mixed-logs.ts";

const ROOT = resolve(import.meta.dirname, "..");
const DATA = join(import.meta.dirname, ".data");
const SIZES = (process.env.BENCH_SIZES ?? "150,1024").split(",").map(Number);
const REPS = Number(process.env.BENCH_REPS ?? 1);

/** Writes the file once; returns how many error lines it holds. */
function generate(mb: number): { file: string; errors: number; lines: number } {
  mkdirSync(DATA, { recursive: true });
  const file = join(DATA, `mixed-${mb}mb.log`);
  const meta = `${file}.json`;
  if (existsSync(file) && existsSync(meta)) return { file, ...JSON.parse(readFileSync(meta, "utf8")) };
  const fd = openSync(`${file}.tmp`, "w");
  const r = rng(42);
  const target = mb * 1024 * 1024;
  let written = 0;
  let i = 0;
  let errors = 0;
  const parts: string[] = [];
  while (written < target) {
    const line = mixedLine(r, i);
    if (isErrorLine(i)) errors++;
    parts.push(line);
    written += Buffer.byteLength(line) + 1;
    i++;
    if (parts.length === 10_000) {
      writeSync(fd, `${parts.join("\n")}\n`);
      parts.length = 0;
    }
  }
  if (parts.length) writeSync(fd, `${parts.join("\n")}\n`);
  closeSync(fd);
  renameSync(`${file}.tmp`, file);
  const m = { errors, lines: i };
  writeSync(openSync(meta, "w"), JSON.stringify(m));
  return { file, ...m };
}

interface Run {
  ms: number;
  peakRssMb: number;
  out: string;
}

function vmHwmKb(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolveRun, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "warn", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    let peak = 0;
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      err += d;
    });
    const sample = setInterval(() => {
      peak = Math.max(peak, vmHwmKb(child.pid!));
    }, 10);
    child.on("exit", (code) => {
      const ms = performance.now() - t0;
      clearInterval(sample);
      if (code !== 0) reject(new Error(`${args.join(" ")} exited ${code}: ${err}`));
      else resolveRun({ ms, peakRssMb: Math.round(peak / 1024), out });
    });
  });
}

async function readline(file: string): Promise<Run> {
  return run([join(import.meta.dirname, "readline-count.ts"), file]);
}

async function steward(file: string): Promise<Run & { errorLines: number; lines: number }> {
  const dir = mkdtempSync(join(tmpdir(), "steward-bench-mixed-"));
  try {
    const r = await run([join(ROOT, "bin/steward.js"), "ingest", file, "--once", "--json"], {
      DATABASE_URL: `sqlite:${join(dir, "b.db")}`,
    });
    const t = JSON.parse(r.out.trim().split("\n").pop()!);
    const tot = Array.isArray(t) ? (t[0].totals ?? t[0]) : (t.totals ?? t);
    return { ...r, errorLines: tot.errorLines, lines: tot.lines };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const best = <T extends Run>(rs: T[]) => rs.reduce((a, b) => (b.ms < a.ms ? b : a));

console.log(`node ${process.version}, ${REPS} run(s) per phase, alternating; process start-up included`);
for (const mb of SIZES) {
  const g = generate(mb);
  const size = statSync(g.file).size;
  const base: Run[] = [];
  const st: Array<Run & { errorLines: number; lines: number }> = [];
  for (let i = 0; i < REPS; i++) {
    base.push(await readline(g.file));
    st.push(await steward(g.file));
  }
  const b = best(base);
  const s = best(st);
  const mibs = (ms: number) => (size / 1048576 / (ms / 1000)).toFixed(1);
  console.log(
    `\n${g.file}: ${(size / 1048576).toFixed(0)} MiB, ${g.lines} lines, ${g.errors} error lines (5%)`,
  );
  if (REPS > 1)
    console.log(
      `  runs (ms): readline ${base.map((r) => Math.round(r.ms)).join(", ")}; steward ${st.map((r) => Math.round(r.ms)).join(", ")}`,
    );
  console.log(
    `  baseline node:readline   ${Math.round(b.ms)} ms  ${mibs(b.ms)} MiB/s  peak RSS ${b.peakRssMb} MB`,
  );
  console.log(
    `  steward ingest --once    ${Math.round(s.ms)} ms  ${mibs(s.ms)} MiB/s  peak RSS ${s.peakRssMb} MB  error records ${s.errorLines}/${g.errors}`,
  );
  console.log(
    `  ratio steward/readline: ${((b.ms / s.ms) * 100).toFixed(0)}% (target ≥ 50%); peak RSS ${s.peakRssMb} MB (target ≤ 200 MB)`,
  );
  if (s.errorLines !== g.errors)
    console.log(`  MISMATCH: steward found ${s.errorLines} error records, the file holds ${g.errors}`);
}
