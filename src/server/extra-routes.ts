import { createWorkerApi } from "../agents/api.ts";
import { startLeaseSweeper } from "../agents/sweep.ts";
import type { Services } from "../app/services.ts";
import { gatewayForServices } from "../tools/agents/deps.ts";
import { policyFromConfig } from "../tools/agents/policy.ts";
import type { RouteHandler } from "./types.ts";

// HTTP routes contributed by feature areas (e.g. the worker API under /api/workers).
export function extraRoutes(s: Services, opts: { sweepEveryMs?: number | null } = {}): RouteHandler[] {
  const gatewayFor = gatewayForServices(s);
  // Without WORKER_SHARED_SECRET the API answers 503 with a JSON error; it is never open.
  const workers = createWorkerApi({
    db: s.db,
    gatewayFor,
    sharedSecret: s.env.workerSharedSecret ?? "",
    policyFor: async (run) =>
      policyFromConfig(
        (
          await s.repoConfig({
            installationId: run.installationId,
            repo: run.repo,
            targetNumber: run.ticketNumber,
          })
        ).agents,
      ),
    log: s.log,
  });
  if (opts.sweepEveryMs !== null)
    startLeaseSweeper(s.db, gatewayFor, { everyMs: opts.sweepEveryMs, log: s.log });
  return [workers];
}
