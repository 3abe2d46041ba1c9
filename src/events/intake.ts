import { createHash } from "node:crypto";
import { errorMessage } from "../errors.ts";
import { enqueue } from "../jobs/queue.ts";
import type { Logger } from "../logger.ts";
import { metrics } from "../metrics.ts";
import { markBody, markDelivery } from "../store/deliveries.ts";
import type { TxBatcher } from "../store/batch.ts";
import type { Db } from "../store/types.ts";
import type { Route, WebhookEvent } from "./types.ts";

export interface IntakeResult {
  outcome: "enqueued" | "duplicate" | "replay" | "bot" | "ignored";
  jobIds: number[];
}

export function isBotSender(payload: any): boolean {
  const sender = payload?.sender;
  if (!sender) return false;
  return sender.type === "Bot" || (typeof sender.login === "string" && sender.login.endsWith("[bot]"));
}

/** Events a bot sends that Steward still needs (a bot merging a fix PR still moves an incident). */
// A bot (Steward itself included) closing or locking a ticket must still retire its pending proposals.
const BOT_EVENTS_KEPT = new Set([
  "pull_request.closed",
  "pull_request.locked",
  "issues.closed",
  "issues.locked",
  "installation.created",
  "installation.deleted",
]);

/**
 * The hash a replayed body is recognised by. The payload is what the signature covered, parsed; its
 * serialisation is fixed by those bytes, so only a byte-identical (validly signed) body maps here.
 */
export function bodyHash(name: string, payload: unknown): string | null {
  try {
    return createHash("sha256")
      .update(`${name}\n${JSON.stringify(payload) ?? ""}`)
      .digest("hex");
  } catch {
    return null;
  }
}

export function toEvent(name: string, id: string, payload: any): WebhookEvent {
  const full = payload?.repository?.full_name;
  return {
    name,
    action: typeof payload?.action === "string" ? payload.action : undefined,
    deliveryId: id,
    installationId: typeof payload?.installation?.id === "number" ? payload.installation.id : undefined,
    repo: typeof full === "string" ? full : undefined,
    payload,
  };
}

/**
 * The whole of a webhook handler: drop redeliveries, drop bots, route, enqueue — in one transaction,
 * so a delivery is either fully recorded with its jobs or not at all (GitHub's redelivery then retries).
 */
export async function intake(
  db: Db,
  routes: Route[],
  ev: WebhookEvent,
  log: Logger,
  batcher?: TxBatcher,
): Promise<IntakeResult> {
  const label = ev.action ? `${ev.name}.${ev.action}` : ev.name;
  if (isBotSender(ev.payload) && !BOT_EVENTS_KEPT.has(label)) {
    metrics.deliveries.inc({ event: ev.name, outcome: "bot" });
    return { outcome: "bot", jobIds: [] };
  }
  const specs = routes.flatMap((route) => {
    try {
      return route(ev);
    } catch (err) {
      // A route that chokes on an odd payload must not lose the other routes' jobs.
      log.warn(
        { err: errorMessage(err), event: label, deliveryId: ev.deliveryId },
        "route failed on payload",
      );
      metrics.errors.inc({ where: "route" });
      return [];
    }
  });
  const record = async (tx: Db) => {
    const fresh = await markDelivery(tx, ev.deliveryId, label);
    if (!fresh) return { outcome: "duplicate" as const, jobIds: [] };
    // The same signed body under a new delivery id is a replay (a captured smee/proxy body), not news.
    const hash = bodyHash(ev.name, ev.payload);
    if (hash && !(await markBody(tx, hash, ev.deliveryId, label)))
      return { outcome: "replay" as const, jobIds: [] };
    const jobIds: number[] = [];
    for (const spec of specs) {
      const { id } = await enqueue(tx, {
        deliveryId: ev.deliveryId,
        installationId: ev.installationId,
        repo: ev.repo,
        ...spec,
      });
      jobIds.push(id);
    }
    return { outcome: specs.length ? ("enqueued" as const) : ("ignored" as const), jobIds };
  };
  const result = batcher ? await batcher.run(record) : await db.tx(record);
  metrics.deliveries.inc({ event: ev.name, outcome: result.outcome });
  if (result.outcome === "replay")
    log.warn({ event: label, deliveryId: ev.deliveryId, repo: ev.repo }, "replayed webhook body dropped");
  log.info(
    {
      event: label,
      deliveryId: ev.deliveryId,
      repo: ev.repo,
      outcome: result.outcome,
      jobs: result.jobIds.length,
    },
    "delivery handled",
  );
  return result;
}
