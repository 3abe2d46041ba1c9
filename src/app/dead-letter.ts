import { errorMessage, StewardError } from "../errors.ts";
import type { Job } from "../jobs/types.ts";
import { createNotifier } from "../notify/index.ts";
import { renderFailure } from "./notices.ts";
import type { Services } from "./services.ts";

/**
 * What happens when a job gives up for good: the PR or issue it worked on gets a comment saying what
 * failed and how to retry (edited in place per job kind), and the operators' errors channel hears of it.
 */
export async function deadLetterNotice(services: Services, job: Job, err: unknown): Promise<void> {
  const reason =
    err instanceof StewardError ? err.userMessage : `Unexpected error: ${errorMessage(err).slice(0, 500)}`;
  const notifier = createNotifier({ db: services.db, env: process.env, log: services.log });
  await notifier
    .notify(
      {
        kind: "failure",
        repo: job.repo ?? "steward/steward",
        number: job.targetNumber ?? undefined,
        title: `job ${job.kind} failed after ${job.attempts} attempt(s)`,
        summary: reason.slice(0, 500),
        dedupeKey: `failure:${job.id}`,
      },
      [],
      20,
    )
    .catch((e) => services.log.warn({ err: errorMessage(e) }, "could not notify the errors channel"));
  if (!job.installationId || !job.repo || !job.targetNumber) return;
  const gw = await services.gateway(job.installationId, job.repo);
  await gw.upsertComment({
    issueNumber: job.targetNumber,
    kind: "failure",
    key: job.kind,
    body: renderFailure(
      job,
      reason,
      "Re-run the command that started it, or ask an operator to retry the job.",
    ),
  });
}
