import type { Services } from "../../app/services.ts";
import type { JobHandler } from "../../jobs/types.ts";
import { purgeReplyBudget } from "../../agents/replies.ts";
import { purgeRetiredCheckpoints } from "../../incidents/batch.ts";
import { purgeDeliveries } from "../../store/deliveries.ts";

/** Finished jobs are kept this long for `steward jobs list` and post-mortems. */
export const JOB_RETENTION_MS = 14 * 24 * 3600_000;

/**
 * `maintenance.purge`: forgets expired delivery ids, expired kv entries, old finished jobs and log
 * checkpoints retired more than a week ago (src/incidents/identity.ts).
 * Idempotent, so it is safe on every replica; `steward serve` schedules it hourly.
 */
export function maintenanceJobs(s: Services): Record<string, JobHandler> {
  return {
    "maintenance.purge": async (job, ctx) => {
      const now = Date.now();
      const deliveries = await purgeDeliveries(s.db, now);
      await purgeReplyBudget(s.db, now);
      const kv = await s.db.exec("DELETE FROM kv WHERE expires_at IS NOT NULL AND expires_at < $1", [now]);
      const cutoff = now - JOB_RETENTION_MS;
      const jobs = await s.db.exec(
        "DELETE FROM jobs WHERE state IN ('done', 'cancelled') AND finished_at < $1 AND id <> $2",
        [cutoff, job.id],
      );
      await s.db.exec("DELETE FROM job_runs WHERE finished_at < $1 AND job_id NOT IN (SELECT id FROM jobs)", [
        cutoff,
      ]);
      const checkpoints = await purgeRetiredCheckpoints(s.db, now);
      ctx.log.info({ deliveries, kv, jobs, checkpoints }, "purged expired records");
    },
  };
}
