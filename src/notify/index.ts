import { createHash } from "node:crypto";
import { errorMessage, InvalidInputError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import type { Db } from "../store/types.ts";
import { describeResolution, type FetchLike, resolveChannel, type Transport } from "./channels.ts";
import { NotifyError } from "./errors.ts";
import type { MessageInput } from "./format.ts";
import { createLimiter } from "./limiter.ts";
import { channelKey, routeNotification } from "./route.ts";
import {
  type NotificationEvent,
  type NotifyRoute,
  notificationEventSchema,
  notifyRoutesSchema,
  ratePerMinuteSchema,
} from "./schema.ts";

export { NotifyError } from "./errors.ts";
export { larkSign } from "./format.ts";
export { channelEnvKey, ERRORS_CHANNEL, routeNotification } from "./route.ts";
export type { EventKind, NotificationEvent, NotifyRoute } from "./schema.ts";

export type SkipReason = "unconfigured" | "invalid_config" | "duplicate" | "rate_limited" | "failed";

export interface NotifyResult {
  /** Channels that accepted the message. */
  sent: string[];
  /** Channels not sent to, and why. `failed` entries carry the error; `error.transient` says whether to retry. */
  skipped: { channel: string; reason: SkipReason; error?: NotifyError }[];
}

export interface Notifier {
  notify(
    event: NotificationEvent,
    routes: readonly NotifyRoute[],
    ratePerMinute: number,
  ): Promise<NotifyResult>;
}

export interface NotifierDeps {
  db: Db;
  env: Record<string, string | undefined>;
  log: Logger;
  fetch?: FetchLike;
  now?: () => number;
  dedupeWindowMs?: number;
  timeoutMs?: number;
}

/**
 * Routes an event to its channels and sends it, rate-limited and deduplicated across replicas.
 * Delivery problems never throw: they come back in `skipped`, so a job decides whether to retry
 * (a retried job does not resend to channels that already got the message: the dedupe claim stays).
 */
export function createNotifier(deps: NotifierDeps): Notifier {
  const limiter = createLimiter({ db: deps.db, now: deps.now, dedupeWindowMs: deps.dedupeWindowMs });
  const transports = new Map<string, Transport>();
  // Configuration problems are logged once per process and channel, not once per event.
  const reported = new Set<string>();

  function transportFor(channel: string): Transport | { reason: "unconfigured" | "invalid_config" } {
    const key = channelKey(channel);
    const cached = transports.get(key);
    if (cached) return cached;
    const r = resolveChannel(channel, {
      env: deps.env,
      fetch: deps.fetch,
      now: deps.now,
      timeoutMs: deps.timeoutMs,
    });
    if (r.ok) {
      transports.set(key, r.transport);
      return r.transport;
    }
    if (!reported.has(key)) {
      reported.add(key);
      deps.log.warn(
        { channel, envKey: r.envKey, problem: describeResolution(r) },
        "notification channel skipped",
      );
    }
    return { reason: r.reason };
  }

  async function deliver(
    channel: string,
    message: MessageInput,
    dedupe: string,
    rate: number,
  ): Promise<NotifyResult["skipped"][number] | null> {
    const t = transportFor(channel);
    if (!("send" in t)) return { channel, reason: t.reason };
    const key = channelKey(channel);
    const claim = await limiter.claim(key, dedupe);
    if (!claim) return { channel, reason: "duplicate" };
    if (!(await limiter.take(key, rate))) {
      await limiter.release(key, dedupe, claim);
      return { channel, reason: "rate_limited" };
    }
    try {
      await t.send(message);
      return null;
    } catch (err) {
      await limiter.release(key, dedupe, claim);
      const error =
        err instanceof NotifyError
          ? err
          : new NotifyError(`notification to "${channel}" failed: ${errorMessage(err)}`, {
              channel,
              cause: err,
            });
      deps.log.warn(
        { channel, status: error.status, transient: error.transient, err: error.message },
        "notification failed",
      );
      return { channel, reason: "failed", error };
    }
  }

  return {
    async notify(rawEvent, rawRoutes, rawRate) {
      const event = notificationEventSchema.safeParse(rawEvent);
      if (!event.success) throw new InvalidInputError(`notification event: ${firstIssue(event.error)}`);
      const routes = notifyRoutesSchema.safeParse(rawRoutes);
      if (!routes.success) throw new InvalidInputError(`notify.routes: ${firstIssue(routes.error)}`);
      const rate = ratePerMinuteSchema.safeParse(rawRate);
      if (!rate.success) throw new InvalidInputError(firstIssue(rate.error));

      const e = event.data;
      const message: MessageInput = { ...e, url: e.url ? new URL(e.url).toString() : undefined };
      const dedupe = e.dedupeKey ?? contentKey(message);
      const channels = routeNotification(e, routes.data);
      const outcomes = await Promise.all(channels.map((c) => deliver(c, message, dedupe, rate.data)));
      const result: NotifyResult = { sent: [], skipped: [] };
      channels.forEach((c, i) => {
        const o = outcomes[i];
        if (o) result.skipped.push(o);
        else result.sent.push(c);
      });
      deps.log.debug(
        {
          repo: e.repo,
          number: e.number,
          kind: e.kind,
          sent: result.sent,
          skipped: result.skipped.map((s) => `${s.channel}:${s.reason}`),
        },
        "notification routed",
      );
      return result;
    },
  };
}

/** Identical messages share a key: everything that shows in the message, nothing else. */
export function contentKey(m: MessageInput): string {
  const parts = [
    m.kind,
    m.repo,
    m.number ?? "",
    m.title,
    m.url ?? "",
    m.summary ?? "",
    m.severity ?? "",
    (m.labels ?? []).join("\u0000"),
    (m.paths ?? []).join("\u0000"),
  ];
  return createHash("sha256").update(JSON.stringify(parts)).digest("hex");
}

function firstIssue(err: { issues: Array<{ path: PropertyKey[]; message: string }> }): string {
  const i = err.issues[0];
  if (!i) return "invalid value";
  const path = i.path.map(String).join(".");
  return path ? `${path}: ${i.message}` : i.message;
}
