import type { ApplicationFunctionOptions, Probot } from "probot";
import { intake, toEvent } from "../events/intake.ts";
import type { Route } from "../events/types.ts";
import { errorMessage } from "../errors.ts";
import type { Logger } from "../logger.ts";
import type { RouteHandler } from "../server/types.ts";
import { createTxBatcher } from "../store/batch.ts";
import type { Db } from "../store/types.ts";

export interface AppDeps {
  db: Db;
  log: Logger;
  routes: Route[];
  /** Extra HTTP routes (health, metrics, worker API). */
  http?: RouteHandler[];
  /** Called after jobs were enqueued, to wake an in-process runner. */
  onEnqueued?: () => void;
}

/**
 * The Probot application function. Its webhook handler only enqueues (see DESIGN.md rule 1): it answers
 * GitHub in milliseconds and a restart loses nothing, because the jobs are already in the store.
 */
export function stewardApp(deps: AppDeps) {
  return (app: Probot, options: ApplicationFunctionOptions) => {
    const batcher = createTxBatcher(deps.db);
    app.onAny(async (context) => {
      const ev = toEvent(context.name, context.id, context.payload);
      try {
        const r = await intake(deps.db, deps.routes, ev, deps.log, batcher);
        if (r.jobIds.length) deps.onEnqueued?.();
      } catch (err) {
        deps.log.error(
          { err: errorMessage(err), deliveryId: context.id, event: context.name },
          "intake failed",
        );
        // Surface as a failed delivery so the operator can redeliver it from GitHub.
        throw err;
      }
    });
    for (const handler of deps.http ?? []) {
      options.addHandler?.(async (req, res) => {
        const url = new URL(req.url ?? "/", "http://localhost");
        return handler(req, res, url);
      });
    }
  };
}
