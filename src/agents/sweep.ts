import type { Logger } from "../logger.ts";
import type { Db } from "../store/types.ts";
import type { Clock, GatewayFor } from "./ports.ts";
import { releaseStaleApprovals } from "./proposals.ts";
import { requeueExpired } from "./runs.ts";
import { updateRunStatus } from "./status.ts";

// Lost workers: a run whose lease ran out is requeued (or failed after too many losses) even when no
// worker is polling, and its status comment says so. Safe on every replica: requeueExpired is CAS-based.

export async function sweepExpiredLeases(
  db: Db,
  gatewayFor: GatewayFor,
  opts: { now?: Clock; log?: Logger } = {},
): Promise<number> {
  const t = (opts.now ?? Date.now)();
  await releaseStaleApprovals(db, t);
  const expired = await db.query<{ id: number; repo: string; installation_id: number | null }>(
    "SELECT id, repo, installation_id FROM runs WHERE state IN ('claimed','running') AND lease_until < $1",
    [t],
  );
  if (expired.length === 0) return 0;
  const n = await requeueExpired(db, { now: opts.now });
  for (const r of expired) {
    try {
      const installationId = r.installation_id === null ? null : Number(r.installation_id);
      const gw = await gatewayFor({ repo: r.repo, installationId });
      await updateRunStatus(db, gw, Number(r.id));
    } catch (err) {
      opts.log?.warn({ err, runId: Number(r.id) }, "status update after lease expiry failed");
    }
  }
  return n;
}

/** Sweeps every `everyMs` until the returned stop function is called; the timer never holds the process. */
export function startLeaseSweeper(
  db: Db,
  gatewayFor: GatewayFor,
  opts: { everyMs?: number; log?: Logger } = {},
): () => void {
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    sweepExpiredLeases(db, gatewayFor, { log: opts.log })
      .catch((err) => opts.log?.warn({ err }, "lease sweep failed"))
      .finally(() => {
        busy = false;
      });
  }, opts.everyMs ?? 15_000);
  timer.unref();
  return () => clearInterval(timer);
}
