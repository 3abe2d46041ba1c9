import {
  IncomingWebhook,
  IncomingWebhookHTTPError,
  IncomingWebhookRequestError,
  type IncomingWebhookSendArguments,
} from "@slack/webhook";
import { errorMessage } from "../errors.ts";
import { isTransientStatus, NotifyError } from "./errors.ts";
import { larkSign, type MessageInput, renderLark, renderSlack } from "./format.ts";
import { channelEnvKey } from "./route.ts";
import { classifyWebhookUrl, MESSAGE_FORMATS, type MessageFormat, type WebhookKind } from "./schema.ts";

// Channel name → transport, from the environment only. Repo config is readable by anyone with read
// access to the repository, so it names channels but never holds their URLs.

export const SEND_TIMEOUT_MS = 5_000;

export type FetchLike = typeof fetch;

export interface Transport {
  readonly channel: string;
  readonly kind: WebhookKind;
  send(message: MessageInput): Promise<void>;
}

export type Resolution =
  | { ok: true; transport: Transport }
  | { ok: false; reason: "unconfigured" | "invalid_config"; envKey: string; problem?: string };

export interface ChannelDeps {
  env: Record<string, string | undefined>;
  fetch?: FetchLike;
  /** Epoch ms; Lark signatures use it (in seconds). */
  now?: () => number;
  timeoutMs?: number;
}

/**
 * Resolves a channel from `STEWARD_NOTIFY_<CHANNEL>` (+ `_SECRET`, `_FORMAT`). Never throws: an
 * absent or malformed variable is returned as a reason, named by key and never by value.
 */
export function resolveChannel(channel: string, deps: ChannelDeps): Resolution {
  const envKey = channelEnvKey(channel);
  const raw = deps.env[envKey]?.trim();
  if (!raw) return { ok: false, reason: "unconfigured", envKey };
  const url = classifyWebhookUrl(raw);
  if ("error" in url)
    return { ok: false, reason: "invalid_config", envKey, problem: `${envKey}: ${url.error}` };
  const fmtRaw = deps.env[`${envKey}_FORMAT`]?.trim().toLowerCase() || "rich";
  if (!(MESSAGE_FORMATS as readonly string[]).includes(fmtRaw)) {
    return {
      ok: false,
      reason: "invalid_config",
      envKey,
      problem: `${envKey}_FORMAT: expected "rich" or "text"`,
    };
  }
  const format = fmtRaw as MessageFormat;
  const opts = {
    channel,
    url: url.url,
    format,
    fetch: deps.fetch ?? globalThis.fetch,
    timeoutMs: deps.timeoutMs ?? SEND_TIMEOUT_MS,
  };
  if (url.kind === "slack") return { ok: true, transport: slackTransport(opts) };
  const secret = deps.env[`${envKey}_SECRET`]?.trim() || undefined;
  return { ok: true, transport: larkTransport({ ...opts, secret, now: deps.now ?? Date.now }) };
}

interface TransportOpts {
  channel: string;
  url: string;
  format: MessageFormat;
  fetch: FetchLike;
  timeoutMs: number;
}

function slackTransport(o: TransportOpts): Transport {
  const hook = new IncomingWebhook(o.url, { fetch: o.fetch as never, timeout: o.timeoutMs });
  return {
    channel: o.channel,
    kind: "slack",
    async send(message) {
      try {
        // Block Kit shapes are built by hand in format.ts; the library types them as a large union.
        await hook.send(renderSlack(message, o.format) as IncomingWebhookSendArguments);
      } catch (err) {
        throw wrapSlackError(o.channel, err);
      }
    },
  };
}

function wrapSlackError(channel: string, err: unknown): NotifyError {
  if (err instanceof IncomingWebhookHTTPError) {
    // Slack explains 4xx in the body ("invalid_payload", "no_service", "channel_is_archived").
    const why = err.body ? `: ${err.body.slice(0, 100)}` : "";
    return new NotifyError(`Slack webhook for "${channel}" answered HTTP ${err.statusCode}${why}`, {
      channel,
      status: err.statusCode,
      transient: isTransientStatus(err.statusCode),
    });
  }
  // IncomingWebhookRequestError: no response (DNS, reset, timeout).
  const cause = err instanceof IncomingWebhookRequestError ? err.original : err;
  return new NotifyError(`Slack webhook for "${channel}" could not be reached: ${safeReason(cause)}`, {
    channel,
    transient: true,
  });
}

// Lark answers HTTP 200 with a code in the body. These codes are its frequency limits (custom bots
// allow 100 messages a minute and 5 a second per group), so a later retry can succeed.
const LARK_TRANSIENT_CODES = new Set([9499, 11232, 11233]);

function larkTransport(o: TransportOpts & { secret: string | undefined; now: () => number }): Transport {
  return {
    channel: o.channel,
    kind: "lark",
    async send(message) {
      const body: Record<string, unknown> = {};
      if (o.secret) {
        const timestamp = Math.floor(o.now() / 1000);
        body.timestamp = String(timestamp);
        body.sign = larkSign(timestamp, o.secret);
      }
      Object.assign(body, renderLark(message, o.format));
      let res: Response;
      try {
        res = await o.fetch(o.url, {
          method: "POST",
          headers: { "content-type": "application/json; charset=utf-8" },
          body: JSON.stringify(body),
          redirect: "error",
          signal: AbortSignal.timeout(o.timeoutMs),
        });
      } catch (err) {
        throw new NotifyError(`Lark webhook for "${o.channel}" could not be reached: ${safeReason(err)}`, {
          channel: o.channel,
          transient: true,
          cause: err,
        });
      }
      const text = await res.text().catch(() => "");
      if (!res.ok) {
        throw new NotifyError(`Lark webhook for "${o.channel}" answered HTTP ${res.status}`, {
          channel: o.channel,
          status: res.status,
          transient: isTransientStatus(res.status),
        });
      }
      const answer = parseLarkAnswer(text);
      if (answer.code !== 0) {
        throw new NotifyError(
          `Lark webhook for "${o.channel}" refused the message: code ${answer.code} ${answer.msg}`.trim(),
          {
            channel: o.channel,
            status: res.status,
            transient: LARK_TRANSIENT_CODES.has(answer.code),
          },
        );
      }
    },
  };
}

/** `{code, msg}` (current) or `{StatusCode, StatusMessage}` (older bots); an empty body counts as success. */
export function parseLarkAnswer(text: string): { code: number; msg: string } {
  if (!text.trim()) return { code: 0, msg: "" };
  try {
    const j = JSON.parse(text) as Record<string, unknown>;
    const code = typeof j.code === "number" ? j.code : typeof j.StatusCode === "number" ? j.StatusCode : 0;
    const msg =
      typeof j.msg === "string" ? j.msg : typeof j.StatusMessage === "string" ? j.StatusMessage : "";
    return { code, msg: msg.slice(0, 200) };
  } catch {
    return { code: -1, msg: "unreadable answer" };
  }
}

/** Error text without the request URL (fetch errors can quote it, and it is a credential). */
function safeReason(err: unknown): string {
  if (err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError")) return "timed out";
  const msg = errorMessage(err);
  return msg.replace(/https?:\/\/\S+/g, "[webhook url]").slice(0, 200);
}

export function describeResolution(r: Exclude<Resolution, { ok: true }>): string {
  return r.reason === "unconfigured" ? `${r.envKey} is not set` : (r.problem ?? `${r.envKey} is invalid`);
}
