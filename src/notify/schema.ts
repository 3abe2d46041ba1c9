import { z } from "zod";

// Edge schemas for the notifier: the event a caller hands in, and the routes from `.github/steward.yml`
// (`notify.routes`). Routes mirror the repo-config schema's defaults so callers may pass either the
// parsed config or a hand-written literal.

export const EVENT_KINDS = ["pr", "issue", "incident", "failure"] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

const httpUrl = z.url({ protocol: /^https?$/, error: "expected an http(s) URL" });

export const notificationEventSchema = z.strictObject({
  kind: z.enum(EVENT_KINDS, { error: `expected one of ${EVENT_KINDS.join(", ")}` }),
  /** "owner/name" */
  repo: z.string().regex(/^[^/\s]+\/[^/\s]+$/, { error: 'expected "owner/name"' }),
  number: z.number().int().positive({ error: "expected a positive issue or PR number" }).optional(),
  title: z.string().min(1, { error: "expected a non-empty title" }),
  /** Dead-lettered maintenance jobs have no page to link to, so a URL is optional. */
  url: httpUrl.optional(),
  /** Changed paths (PRs), stack-frame files (incidents) or mapped files (issues); matched by route globs. */
  paths: z.array(z.string()).max(10_000).optional(),
  labels: z.array(z.string()).max(200).optional(),
  summary: z.string().optional(),
  severity: z.string().max(40).optional(),
  /** Overrides the default dedupe key (a hash of the rendered content). */
  dedupeKey: z.string().min(1).max(500).optional(),
});

export type NotificationEvent = z.input<typeof notificationEventSchema>;

export interface NotifyRoute {
  channel: string;
  /** Defaults to pr, issue and incident, like the repo config. */
  events?: readonly EventKind[];
  paths?: readonly string[];
  labels?: readonly string[];
}

export const notifyRouteSchema = z.object({
  channel: z.string().min(1, { error: "expected a channel name" }),
  events: z.array(z.enum(EVENT_KINDS)).default(["pr", "issue", "incident"]),
  paths: z.array(z.string()).default([]),
  labels: z.array(z.string()).default([]),
});

export const notifyRoutesSchema = z.array(notifyRouteSchema);

export const ratePerMinuteSchema = z
  .number({ error: "notify.rate_per_minute: expected a number of messages per minute" })
  .int({ error: "notify.rate_per_minute: expected a whole number" })
  .min(1, { error: "notify.rate_per_minute: expected at least 1" })
  .max(600, { error: "notify.rate_per_minute: expected at most 600" });

export const SLACK_HOSTS = ["hooks.slack.com"] as const;
export const LARK_HOSTS = ["open.feishu.cn", "open.larksuite.com"] as const;
const LARK_PATH = "/open-apis/bot/v2/hook/";

export type WebhookKind = "slack" | "lark";

/** Classifies a webhook URL, or explains what was expected. Never echoes the value: it holds a token. */
export function classifyWebhookUrl(raw: string): { kind: WebhookKind; url: string } | { error: string } {
  const expected =
    "expected a Slack incoming-webhook URL (https://hooks.slack.com/services/…) or a Lark/Feishu bot webhook URL (https://open.feishu.cn/open-apis/bot/v2/hook/… or https://open.larksuite.com/open-apis/bot/v2/hook/…)";
  const parsed = z.url().safeParse(raw.trim());
  if (!parsed.success) return { error: expected };
  const u = new URL(parsed.data);
  if (u.protocol !== "https:" || u.username || u.password || u.port) return { error: expected };
  const host = u.hostname.toLowerCase();
  if (
    (SLACK_HOSTS as readonly string[]).includes(host) &&
    /^\/services\/[^/]+\/[^/]+\/[^/]+/.test(u.pathname)
  ) {
    return { kind: "slack", url: u.toString() };
  }
  if (
    (LARK_HOSTS as readonly string[]).includes(host) &&
    u.pathname.startsWith(LARK_PATH) &&
    u.pathname.length > LARK_PATH.length
  ) {
    return { kind: "lark", url: u.toString() };
  }
  return { error: expected };
}

export const MESSAGE_FORMATS = ["rich", "text"] as const;
export type MessageFormat = (typeof MESSAGE_FORMATS)[number];
