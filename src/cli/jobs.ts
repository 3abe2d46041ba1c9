import { parseArgs } from "node:util";
import { loadEnv } from "../config/env.ts";
import { cancelJob, getJob, listJobs, retryJob } from "../jobs/queue.ts";
import type { Job, JobState } from "../jobs/types.ts";
import { openDb } from "../store/index.ts";
import { CliUsageError, type CliCommand } from "./types.ts";

const STATES: JobState[] = ["queued", "running", "done", "dead", "cancelled"];

function iso(ms: number | null): string {
  return ms === null ? "-" : new Date(ms).toISOString().replace(/\.\d+Z$/, "Z");
}

export function formatJobs(jobs: Job[]): string {
  const head = ["ID", "STATE", "KIND", "TARGET", "ATTEMPTS", "RUN AT", "LAST ERROR"];
  const rows = jobs.map((j) => [
    String(j.id),
    j.state,
    j.kind,
    j.repo ? `${j.repo}${j.targetNumber ? `#${j.targetNumber}` : ""}` : "-",
    `${j.attempts}/${j.maxAttempts}`,
    iso(j.runAt),
    (j.lastError ?? "").replace(/\s+/g, " ").slice(0, 60),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return (
    [head, ...rows]
      .map((r) =>
        r
          .map((c, i) => c.padEnd(widths[i]!))
          .join("  ")
          .trimEnd(),
      )
      .join("\n") + "\n"
  );
}

export const command: CliCommand = {
  name: "jobs",
  summary: "List, retry or cancel jobs in the store.",
  usage: `steward jobs list [--state queued|running|done|dead|cancelled] [--kind KIND] [--limit N] [--json]
steward jobs retry ID     re-queue a dead, cancelled or done job with a fresh attempt budget
steward jobs cancel ID    cancel a queued job

Uses DATABASE_URL (default sqlite:./data/steward.db).`,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    const { values, positionals } = parseArgs({
      args: rest,
      options: {
        state: { type: "string" },
        kind: { type: "string" },
        limit: { type: "string" },
        json: { type: "boolean" },
      },
      allowPositionals: true,
      strict: true,
    });
    const env = loadEnv(io.env);
    if (sub === "list") {
      if (values.state && !STATES.includes(values.state as JobState))
        throw new CliUsageError(`--state must be one of ${STATES.join(", ")}`);
      const limit = values.limit ? Number(values.limit) : 50;
      if (!Number.isInteger(limit) || limit < 1)
        throw new CliUsageError("--limit must be a positive integer");
      const db = await openDb(env.databaseUrl, { create: false });
      try {
        const jobs = await listJobs(db, {
          state: values.state as JobState | undefined,
          kind: values.kind,
          limit,
        });
        io.stdout(values.json ? JSON.stringify(jobs) + "\n" : jobs.length ? formatJobs(jobs) : "No jobs.\n");
        return 0;
      } finally {
        await db.close();
      }
    }
    if (sub === "retry" || sub === "cancel") {
      const id = Number(positionals[0]);
      if (!Number.isInteger(id) || id < 1) throw new CliUsageError("expected a job ID");
      const db = await openDb(env.databaseUrl, { create: false });
      try {
        if (sub === "cancel") {
          if (await cancelJob(db, id)) {
            io.stdout(`job ${id} cancelled\n`);
            return 0;
          }
          const job = await getJob(db, id);
          io.stderr(
            job
              ? `steward jobs: job ${id} is ${job.state}; only queued jobs can be cancelled\n`
              : `steward jobs: no job with ID ${id}\n`,
          );
          return 1;
        }
        const r = await retryJob(db, id);
        const messages = {
          requeued: `job ${id} re-queued\n`,
          "not-found": `steward jobs: no job with ID ${id}\n`,
          "not-retryable": `steward jobs: job ${id} is still queued or running\n`,
          conflict: `steward jobs: job ${id} not re-queued: a newer job with the same key is already queued\n`,
        };
        (r === "requeued" ? io.stdout : io.stderr)(messages[r]);
        return r === "requeued" ? 0 : 1;
      } finally {
        await db.close();
      }
    }
    throw new CliUsageError(sub ? `unknown subcommand '${sub}'` : "missing subcommand (list, retry, cancel)");
  },
};
