// Team notifications after triage and mapping, through the shared notifier (routing by the config's
// path globs and labels, rate limit and dedupe across replicas). A transient delivery failure makes
// the job retry; channels that already got the message are not sent to again.
import type { Services } from "../../app/services.ts";
import { StewardError } from "../../errors.ts";
import { createNotifier, type NotificationEvent, type Notifier } from "../../notify/index.ts";
import type { IssueJobContext } from "./context.ts";

export function lazyNotifier(s: Services): () => Notifier {
  let n: Notifier | undefined;
  return () => {
    n ??= createNotifier({ db: s.db, env: process.env, log: s.log });
    return n;
  };
}

export async function sendNotification(
  ctx: IssueJobContext,
  notifier: Notifier,
  event: NotificationEvent,
): Promise<string[]> {
  const { routes, rate_per_minute } = ctx.config.notify;
  if (routes.length === 0) return [];
  const r = await notifier.notify(event, routes, rate_per_minute);
  const transient = r.skipped.filter((x) => x.reason === "failed" && x.error?.transient);
  ctx.log.info(
    { sent: r.sent, skipped: r.skipped.map((x) => `${x.channel}:${x.reason}`), kind: event.kind },
    "notifications sent",
  );
  if (transient.length) {
    throw new StewardError(`notification to ${transient.map((x) => x.channel).join(", ")} failed; retrying`, {
      transient: true,
    });
  }
  return r.sent;
}
