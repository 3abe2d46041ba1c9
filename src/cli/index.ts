import type { CliCommand } from "./types.ts";

// One line per subcommand. Commands are imported lazily so `steward --help` stays fast and a
// command's heavy dependencies load only when it runs.
export const commands: Record<string, () => Promise<CliCommand>> = {
  serve: async () => (await import("./serve.ts")).serve,
  worker: async () => (await import("./serve.ts")).worker,
  replay: async () => (await import("./replay.ts")).command,
  jobs: async () => (await import("./jobs.ts")).command,
  config: async () => (await import("./config.ts")).command,
  review: async () => (await import("./review.ts")).command,
  issues: async () => (await import("./issues.ts")).command,
  audit: async () => (await import("./audit.ts")).command,
  "agent-runner": async () => (await import("./agent-runner.ts")).command,
  ingest: async () => (await import("./ingest.ts")).command,
  incidents: async () => (await import("./incidents.ts")).command,
};
