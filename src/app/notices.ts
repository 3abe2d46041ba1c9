import { CONFIG_PATH } from "../config/repo.ts";
import { neutralize } from "../github/neutralize.ts";
import type { Job } from "../jobs/types.ts";

export function renderConfigNotice(errors: string[]): string {
  return [
    `### ⚠️ Steward could not use \`${CONFIG_PATH}\``,
    "",
    "Steward is running with its **default settings** for this repository until the file is fixed:",
    "",
    // The messages quote keys and values from the YAML file.
    ...errors.map((e) => `- ${neutralize(e, "code")}`),
    "",
    `Check a fix locally with \`steward config check ${CONFIG_PATH}\`. This note is posted once per distinct problem.`,
  ].join("\n");
}

/** The comment a user sees when a job gives up: what failed, why, and how to retry. */
export function renderFailure(job: Job, reason: string, retryHint: string): string {
  return [
    `### ❌ Steward could not finish \`${job.kind}\``,
    "",
    // Error messages can quote outside text (a GitHub answer, the model's output, a log line).
    neutralize(reason, "markdown", { max: 2_000 }),
    "",
    `It tried ${job.attempts} time${job.attempts === 1 ? "" : "s"}. ${retryHint}`,
    "",
    `<sub>job ${job.id}${job.deliveryId ? ` · delivery ${job.deliveryId}` : ""} · operators: \`steward jobs retry ${job.id}\`</sub>`,
  ].join("\n");
}
