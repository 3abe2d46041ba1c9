import type { ApplicationFunctionOptions, Probot } from "probot";
import { intake, toEvent } from "../events/intake.ts";
import type { Route } from "../events/types.ts";
import { errorMessage, StewardError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import type { RouteHandler } from "../server/types.ts";
import { createTxBatcher } from "../store/batch.ts";
import type { Db } from "../store/types.ts";

/** Answered as 503 by the webhook middleware (it uses an error's `status`). */
export class StoreUnavailableError extends StewardError {
  readonly status = 503;
  constructor(message: string, opts: { cause?: unknown } = {}) {
    super(message, { transient: true, cause: opts.cause });
  }
}

/** SQLITE_FULL (13) or a Postgres "disk full" (53100). */
function isStoreFull(err: unknown): boolean {
  const e = err as { errcode?: unknown; code?: unknown; message?: unknown } | null;
  return (
    e?.errcode === 13 ||
    e?.code === "53100" ||
    (typeof e?.message === "string" && /database or disk is full|no space left on device/i.test(e.message))
  );
}

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
        const full = isStoreFull(err);
        deps.log.error(
          { err: errorMessage(err), deliveryId: context.id, event: context.name, storeFull: full },
          full ? "intake failed: the store's disk is full" : "intake failed",
        );
        // Nothing of this delivery was stored (one transaction): answer 503 so GitHub records a failed
        // delivery that the operator can redeliver once the store is writable again.
        throw new StoreUnavailableError(
          full
            ? "the store's disk is full; this delivery was not stored, redeliver it once space is freed"
            : "the store could not record this delivery; it was not stored, redeliver it later",
          { cause: err },
        );
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
