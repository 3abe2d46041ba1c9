import { createHmac } from "node:crypto";
import { maskSecrets } from "../incidents/secrets.ts";
import type { EventKind, MessageFormat } from "./schema.ts";

// Pure message rendering for Slack and Lark/Feishu. Every event field is untrusted (titles, labels
// and summaries come from issue authors and log lines): it is masked for credentials, truncated,
// and escaped for the markup it lands in, so nobody can inject `<!channel>` or `<at user_id="all">`.

export interface MessageInput {
  kind: EventKind;
  repo: string;
  number?: number;
  title: string;
  url?: string;
  paths?: readonly string[];
  labels?: readonly string[];
  summary?: string;
  severity?: string;
}

const KIND_LABEL: Record<EventKind, string> = {
  pr: "PR",
  issue: "Issue",
  incident: "Incident",
  failure: "Failure",
};
const KIND_ICON: Record<EventKind, string> = { pr: "🔀", issue: "📝", incident: "🚨", failure: "❌" };
const LARK_TEMPLATE: Record<EventKind, string> = {
  pr: "blue",
  issue: "green",
  incident: "orange",
  failure: "red",
};

export const LIMITS = { title: 200, summary: 1500, paths: 5, labels: 10, item: 100 } as const;

/** Slack mrkdwn control characters; Slack's docs ask for exactly these three. */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Lark text messages parse `<at …>` tags; entity-escape the same three characters. */
export function escapeLark(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function clip(text: string, max: number): string {
  const t = maskSecrets(text).replace(
    /[\u0000-\u0008\u000b-\u001f\u007f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]/g,
    "",
  );
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** One-line, so a title cannot fake extra message lines. */
function cleanTitle(title: string): string {
  return clip(title.replace(/\s+/g, " ").trim(), LIMITS.title);
}

function subject(m: MessageInput): string {
  const ref = m.number !== undefined ? `${KIND_LABEL[m.kind]} #${m.number}` : KIND_LABEL[m.kind];
  return `${ref}: ${cleanTitle(m.title)}`;
}

function list(items: readonly string[] | undefined, max: number): string | undefined {
  if (!items?.length) return undefined;
  const shown = items.slice(0, max).map((i) => clip(i.replace(/\s+/g, " "), LIMITS.item));
  return items.length > max ? `${shown.join(", ")} (+${items.length - max} more)` : shown.join(", ");
}

/** "Severity: high · Labels: bug · Paths: src/a.ts" (raw, escape per target). */
function details(m: MessageInput): string | undefined {
  const parts: string[] = [];
  if (m.severity) parts.push(`Severity: ${clip(m.severity, 40)}`);
  const labels = list(m.labels, LIMITS.labels);
  if (labels) parts.push(`Labels: ${labels}`);
  const paths = list(m.paths, LIMITS.paths);
  if (paths) parts.push(`Paths: ${paths}`);
  return parts.length ? parts.join(" · ") : undefined;
}

// Slack's link syntax ends at `|` or `>`; the URL parser already percent-encodes `<`, `>` and spaces.
function slackUrl(url: string): string {
  return new URL(url).toString().replace(/\|/g, "%7C").replace(/>/g, "%3E").replace(/</g, "%3C");
}

export interface SlackMessage {
  text: string;
  blocks?: unknown[];
  unfurl_links?: boolean;
}

export function renderSlack(m: MessageInput, format: MessageFormat): SlackMessage {
  const head = escapeSlack(subject(m));
  const repo = escapeSlack(m.repo);
  const linked = m.url ? `<${slackUrl(m.url)}|${head}>` : head;
  const line = `${KIND_ICON[m.kind]} *${linked}* in \`${repo}\``;
  const summary = m.summary?.trim() ? escapeSlack(clip(m.summary.trim(), LIMITS.summary)) : undefined;
  const info = details(m);
  const fallback = `${KIND_ICON[m.kind]} [${repo}] ${head}`;
  if (format === "text") {
    const lines = [line, summary, info ? escapeSlack(info) : undefined].filter((l) => l !== undefined);
    return { text: lines.join("\n"), unfurl_links: false };
  }
  const blocks: unknown[] = [{ type: "section", text: { type: "mrkdwn", text: line } }];
  if (summary) blocks.push({ type: "section", text: { type: "mrkdwn", text: summary } });
  if (info) blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: escapeSlack(info) }] });
  return { text: fallback, blocks, unfurl_links: false };
}

export type LarkMessage =
  | { msg_type: "text"; content: { text: string } }
  | { msg_type: "interactive"; card: Record<string, unknown> };

export function renderLark(m: MessageInput, format: MessageFormat): LarkMessage {
  const head = `${KIND_ICON[m.kind]} [${m.repo}] ${subject(m)}`;
  const summary = m.summary?.trim() ? clip(m.summary.trim(), LIMITS.summary) : undefined;
  const info = details(m);
  if (format === "text") {
    // The URL was parsed and re-serialised upstream, so it holds no `<` or `>`; escaping its `&` would break it.
    const lines = [head, summary, info].filter((l) => l !== undefined).map(escapeLark);
    if (m.url) lines.push(m.url);
    return { msg_type: "text", content: { text: lines.join("\n") } };
  }
  // Untrusted text only ever goes in plain_text elements, which Lark renders verbatim; the link is a
  // button, so no lark_md is needed at all.
  const elements: unknown[] = [];
  if (summary) elements.push({ tag: "div", text: { tag: "plain_text", content: summary } });
  if (info) elements.push({ tag: "note", elements: [{ tag: "plain_text", content: info }] });
  if (m.url) {
    elements.push({
      tag: "action",
      actions: [
        {
          tag: "button",
          text: { tag: "plain_text", content: "Open on GitHub" },
          type: "primary",
          url: m.url,
        },
      ],
    });
  }
  return {
    msg_type: "interactive",
    card: {
      config: { wide_screen_mode: true },
      header: { template: LARK_TEMPLATE[m.kind], title: { tag: "plain_text", content: head } },
      elements,
    },
  };
}

/**
 * Lark/Feishu custom-bot signature: HMAC-SHA256 keyed with `timestamp + "\n" + secret` over an empty
 * message, base64-encoded. `timestamp` is in seconds and must be within an hour of Lark's clock.
 */
export function larkSign(timestampSeconds: number, secret: string): string {
  return createHmac("sha256", `${timestampSeconds}\n${secret}`).update("").digest("base64");
}
