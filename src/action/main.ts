// The bundle's entry (dist/index.js): runs one workflow run and reports through @actions/core — the
// job summary, the `result` output, and a failed step (non-zero exit) when any job gave up.
import * as core from "@actions/core";
import { createLogger } from "../logger.ts";
import { runAction } from "./run.ts";

export async function main(env: Record<string, string | undefined> = process.env): Promise<number> {
  const secrets = [core.getInput("github_token"), core.getInput("llm_api_key")].filter((s) => s.length > 0);
  for (const s of secrets) core.setSecret(s);
  const log = createLogger({ level: env.STEWARD_LOG_LEVEL || "info", secrets });
  const result = await runAction({ env, log });
  if (env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(result.summary, true).write();
  else core.info(result.summary);
  core.setOutput("result", result.outcome);
  core.setOutput(
    "jobs",
    JSON.stringify(result.jobs.map((j) => ({ kind: j.kind, number: j.number, outcome: j.outcome }))),
  );
  if (result.exitCode !== 0) core.setFailed("Steward failed; see the job summary and the comment it left.");
  return result.exitCode;
}
