import { hostname } from "node:os";
import { parseArgs } from "node:util";
import { runAgentLoop } from "../agents/runner.ts";
import { ConfigurationError } from "../errors.ts";
import { CliUsageError, type CliCommand } from "./types.ts";

export const command: CliCommand = {
  name: "agent-runner",
  summary: "Claim worker runs from Steward and run a coding-agent CLI on each.",
  usage: `steward agent-runner --command "<cli>" [--repo PATH] [--once] [--wait-ms N] [--worker-id ID]

Needs STEWARD_URL and WORKER_SHARED_SECRET. Each run gets a scratch dir (a clone of --repo, or empty);
the CLI runs there with STEWARD_CONTEXT_FILE (the ticket, fenced as untrusted data),
STEWARD_INSTRUCTIONS_FILE, STEWARD_RUN_ID, STEWARD_RUN_TOKEN and STEWARD_URL in its environment.`,
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: {
        command: { type: "string" },
        repo: { type: "string" },
        once: { type: "boolean" },
        "wait-ms": { type: "string" },
        "worker-id": { type: "string" },
      },
      strict: true,
    });
    if (!values.command) throw new CliUsageError("--command is required");
    const url = io.env.STEWARD_URL;
    const secret = io.env.WORKER_SHARED_SECRET;
    if (!url)
      throw new ConfigurationError(
        "STEWARD_URL: expected the Steward server URL, e.g. http://127.0.0.1:3000",
      );
    if (!secret)
      throw new ConfigurationError(
        "WORKER_SHARED_SECRET: expected the shared worker secret configured on the server",
      );
    const waitMs = values["wait-ms"] === undefined ? undefined : Number(values["wait-ms"]);
    if (waitMs !== undefined && (!Number.isInteger(waitMs) || waitMs < 0))
      throw new CliUsageError("--wait-ms: expected a non-negative integer");
    const n = await runAgentLoop({
      url,
      secret,
      command: values.command,
      repoPath: values.repo,
      once: values.once,
      waitMs,
      workerId: values["worker-id"] ?? `${hostname()}-${process.pid}`,
      log: (l) => io.stderr(`${l}\n`),
    });
    io.stdout(`agent-runner: finished ${n} run(s)\n`);
    return 0;
  },
};
