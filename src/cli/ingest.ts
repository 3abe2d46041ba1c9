import { statSync } from "node:fs";
import { stat } from "node:fs/promises";
import { parseArgs } from "node:util";
import type { SingleBar } from "cli-progress";
import { createRequire } from "node:module";
import { defaultParallel, prestartScanWorkers } from "../incidents/parallel.ts";
import { defaultIncidentOptions, type IncidentOptions } from "../incidents/schema.ts";
import type { IngestTotals } from "../incidents/tail.ts";
import type { Logger } from "../logger.ts";
import { DEFAULT_DATABASE_URL, openDb } from "../store/index.ts";
import { CliUsageError, type CliCommand, type CliIO } from "./types.ts";

function int(v: string | undefined, name: string, def: number): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw new CliUsageError(`--${name} must be a positive integer, got "${v}"`);
  return n;
}

export function formatTotals(file: string, t: IngestTotals): string {
  return `${file}: ${t.bytes} bytes, ${t.lines} lines, ${t.errorLines} error records, ${t.newIncidents} new incidents, ${t.regressions} regressions, ${t.nonJson} non-JSON lines skipped, ${t.tooLong} over-long lines skipped\n`;
}

/**
 * Whether a file's lines were what `ingest` reads. A file that is mostly not JSON and gave no error
 * record is not a JSON-lines log at all: nothing was done, so that is an error. Mostly not JSON but
 * with errors found is a warning: the rest was skipped.
 */
export function judgeTotals(
  file: string,
  t: IngestTotals,
): { level: "ok" | "warn" | "error"; message?: string } {
  const skipped = t.nonJson + t.tooLong;
  if (t.lines === 0 || skipped * 2 < t.lines) return { level: "ok" };
  const share = `${skipped} of ${t.lines} lines were not JSON records`;
  if (t.errorLines === 0)
    return {
      level: "error",
      message: `${file} does not look like a JSON-lines log: ${share} and no error record was found. Steward reads one JSON object per line (pino, bunyan, winston, structlog, zap, slog, logback, ECS, OpenTelemetry); see docs/incidents.md.`,
    };
  return { level: "warn", message: `${file}: ${share} and were skipped; only the JSON lines were read.` };
}

/** A file's size, 0 when it cannot be read (the error is reported where the file is opened). */
function sizeOf(file: string): number {
  try {
    return statSync(file, { throwIfNoEntry: false })?.size ?? 0;
  } catch {
    return 0;
  }
}

export const command: CliCommand = {
  name: "ingest",
  summary: "Tail JSON-lines logs into fingerprinted incidents.",
  usage: `steward ingest --follow PATH_OR_GLOB…   follow files (rotation-safe) until interrupted
steward ingest FILE… --once              back-fill files from their checkpoint to their end

Options:
  --service NAME     service name for records that carry none
  --poll-ms N        how often to look for new data and files (default 250)
  --lease-ms N       file lease time-to-live (default 30000)
  --strict-json      JSON-parse every line (default: only lines that can be errors)
  --json             print the totals as JSON (with --once)

Uses DATABASE_URL (default ${DEFAULT_DATABASE_URL}). Checkpoints are per file (device + inode,
checked against a fingerprint of its first KiB), so a restart continues exactly where the last
committed batch ended, a renamed file keeps its place and two files never share one.`,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        follow: { type: "boolean" },
        once: { type: "boolean" },
        service: { type: "string" },
        "poll-ms": { type: "string" },
        "lease-ms": { type: "string" },
        "strict-json": { type: "boolean" },
        json: { type: "boolean" },
      },
      allowPositionals: true,
      strict: true,
    });
    if (!positionals.length) throw new CliUsageError("give at least one file (or glob with --follow)");
    if (values.follow === values.once) throw new CliUsageError("choose exactly one of --follow and --once");
    const pollMs = int(values["poll-ms"], "poll-ms", 250);
    const leaseTtlMs = int(values["lease-ms"], "lease-ms", 30_000);
    const options = defaultIncidentOptions(values.service ?? null);
    // A back-fill big enough for the parallel path: start its prefilter thread now, so it is ready by
    // the time this thread has loaded the pipeline (imported below, not at start-up) and opened the
    // store. For a 150 MiB log that start-up is a fifth of the whole run.
    const par = defaultParallel();
    if (values.once && par.workers > 0 && positionals.some((f) => sizeOf(f) >= par.minBytes))
      prestartScanWorkers(par.workers);
    const [{ startIngest }, { createLogger }] = await Promise.all([
      import("../incidents/ingest.ts"),
      import("../logger.ts"),
    ]);
    const log = createLogger({
      level: io.env.LOG_LEVEL ?? "warn",
      format: io.env.LOG_FORMAT === "pretty" ? "pretty" : "json",
    });
    const db = await openDb(io.env.DATABASE_URL || DEFAULT_DATABASE_URL);
    try {
      if (values.once)
        return await once(positionals, io, {
          db,
          log,
          options,
          pollMs,
          leaseTtlMs,
          strict: !!values["strict-json"],
          json: !!values.json,
        });
      const h = startIngest({
        db,
        paths: positionals,
        log,
        options,
        pollMs,
        leaseTtlMs,
        strictJson: !!values["strict-json"],
      });
      io.stderr(`steward ingest: following ${positionals.join(", ")} (Ctrl-C to stop)\n`);
      await new Promise<void>((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
      });
      await h.stop();
      io.stdout(formatTotals(positionals.join(", "), h.totals));
      // Following never stops on its own, so a wrong input is a warning at the end, not an exit code.
      const judged = judgeTotals(positionals.join(", "), h.totals);
      if (judged.level !== "ok") io.stderr(`steward ingest: warning: ${judged.message}\n`);
      return 0;
    } finally {
      await db.close();
    }
  },
};

async function once(
  files: string[],
  io: CliIO,
  o: {
    db: Awaited<ReturnType<typeof openDb>>;
    log: Logger;
    options: IncidentOptions;
    pollMs: number;
    leaseTtlMs: number;
    strict: boolean;
    json: boolean;
  },
): Promise<number> {
  const { ingestOnce, LeaseBusyError } = await import("../incidents/ingest.ts");
  const all: Array<{ file: string; totals: IngestTotals }> = [];
  let failed = false;
  for (const file of files) {
    const st = await stat(file).catch(() => null);
    if (!st?.isFile()) throw new CliUsageError(`${file} is not a readable file`);
    const bar = io.isTTY ? progressBar(Number(st.size)) : null;
    const started = Date.now();
    try {
      const totals = await ingestOnce({
        db: o.db,
        file,
        log: o.log,
        options: o.options,
        pollMs: o.pollMs,
        leaseTtlMs: o.leaseTtlMs,
        strictJson: o.strict,
        onProgress: (t) => {
          const secs = Math.max((Date.now() - started) / 1000, 0.001);
          bar?.update(t.bytes, { lps: humanCount(t.lines / secs), incidents: t.newIncidents });
        },
      });
      bar?.stop();
      all.push({ file, totals });
      if (!o.json) io.stdout(formatTotals(file, totals));
      const judged = judgeTotals(file, totals);
      if (judged.level === "warn") io.stderr(`steward ingest: warning: ${judged.message}\n`);
      if (judged.level === "error") {
        io.stderr(`steward ingest: ${judged.message}\n`);
        failed = true;
      }
    } catch (err) {
      bar?.stop();
      if (err instanceof LeaseBusyError) {
        io.stderr(`steward ingest: ${err.message}; try again later\n`);
        return 1;
      }
      throw err;
    }
  }
  if (o.json) io.stdout(`${JSON.stringify(all)}\n`);
  return failed ? 1 : 0;
}

/** 1536 → "1.5 KB", 3_221_225_472 → "3.0 GB" (binary multiples, the way file sizes are read). */
export function humanBytes(n: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${Math.round(v)} B` : `${v.toFixed(1)} ${units[u]}`;
}

/** 950 → "950", 12_400 → "12.4k", 3_100_000 → "3.1M". */
export function humanCount(n: number): string {
  if (n < 1000) return String(Math.round(n));
  if (n < 1_000_000) return `${(n / 1000).toFixed(1)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

export const BAR_FORMAT =
  "{bar} {percentage}% | {value} of {total} | {lps} lines/s | {incidents} new incidents";

/** cli-progress formatter: byte counts in human units, everything else as given. */
export function formatBarValue(v: number, _o: unknown, type: string): string {
  return type === "value" || type === "total" ? humanBytes(v) : String(v);
}

const requireCjs = createRequire(import.meta.url);

export function progressBar(total: number, stream: NodeJS.WritableStream = process.stderr): SingleBar {
  // Loaded for a terminal only: ~20 ms of start-up that `ingest` into a pipe or a file does not need.
  const cliProgress = requireCjs("cli-progress") as typeof import("cli-progress");
  const bar = new cliProgress.SingleBar(
    { format: BAR_FORMAT, stream, formatValue: formatBarValue },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { lps: "0", incidents: 0 });
  return bar;
}
