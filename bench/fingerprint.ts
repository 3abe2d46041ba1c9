// Error records per second through normalise + stack parse + fingerprint + buffer, vs JSON.parse alone.
//   npm run bench:fingerprint            (BENCH_FP_N records, default 200000)
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { LineProcessor } from "../src/incidents/processor.ts";
import { parseIncidentOptions } from "../src/incidents/options.ts";

const N = Number(process.env.BENCH_FP_N ?? 200_000);
const dir = join(import.meta.dirname, "../fixtures/incidents/traces");
const traces = readdirSync(dir).map((f) => readFileSync(join(dir, f), "utf8"));
const shapes = [
  (s: string, i: number) => ({
    level: 50,
    time: 1_700_000_000_000 + i,
    name: "api",
    msg: "failed",
    err: { type: "Error", message: `user ${i} failed`, stack: s },
    req: { method: "GET", url: `/u/${i}` },
  }),
  (s: string, i: number) => ({
    levelname: "ERROR",
    asctime: "2024-05-01 10:00:00,123",
    message: `job ${i} failed`,
    exc_info: s,
  }),
  (s: string, i: number) => ({
    "@timestamp": "2024-05-01T10:00:00Z",
    level: "ERROR",
    level_value: 40000,
    message: `req ${i}`,
    stack_trace: s,
    traceId: "abc",
  }),
  (s: string, i: number) => ({
    level: "error",
    ts: 1_700_000_000 + i,
    msg: "handler failed",
    error: `dial tcp 10.0.0.${i % 255}:5432: refused`,
    stacktrace: s,
  }),
  (s: string, i: number) => ({
    severity_text: "ERROR",
    body: "x",
    resource: { "service.name": "svc" },
    attributes: { "exception.type": "E", "exception.message": `m ${i}`, "exception.stacktrace": s },
  }),
];
const lines = Array.from({ length: N }, (_, i) =>
  JSON.stringify(shapes[i % shapes.length]!(traces[i % traces.length]!, i)),
);

function time(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

// warm-up
const warm = new LineProcessor(parseIncidentOptions({}));
for (let i = 0; i < 5000; i++) warm.record(JSON.parse(lines[i]!));

let sink = 0;
const base = time(() => {
  for (const l of lines) sink += Object.keys(JSON.parse(l)).length;
});
const proc = new LineProcessor(parseIncidentOptions({}));
const st = time(() => {
  for (const l of lines) proc.record(JSON.parse(l));
});
const rps = (ms: number) => Math.round(N / (ms / 1000));
console.log(
  `records: ${N} error records over ${traces.length} real traces × ${shapes.length} logger shapes (${proc.buffer.size} incidents) [${sink > 0 ? "ok" : ""}]`,
);
console.log(`baseline  JSON.parse only:                          ${rps(base)} records/s`);
console.log(`steward   parse + normalise + stack + fingerprint:  ${rps(st)} records/s (target ≥ 50000)`);
console.log(`ratio steward/baseline: ${((base / st) * 100).toFixed(0)}%`);
