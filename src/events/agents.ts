import { parseAgentCommand } from "../agents/parse.ts";
import type { EnqueueInput } from "../jobs/types.ts";
import { parseCommand } from "../tools/commands.ts";
import { type Route, text } from "./types.ts";

// Webhooks of the worker loop → jobs. Pure: every permission, proposal and config check happens in the
// job (src/tools/agents), live. `/agent`, `/approve` and `/deny` arrive through commandRoute as
// `command.*` jobs; this route adds `/answer`, comment edits and deletions, issue-body edits, labels,
// closing/locking (which retires the ticket's open proposals), pushes (which retire proposals bound to the old head) and plain comments that may fold into a ticket's queued or active run. Keys are per comment or per
// delivery: two approvals never coalesce into one job.

/** Anything that looks like an approval box, even malformed (mirrors src/agents/render.ts). */
const BOX = /\[[ xX]\][ \t]*approve\b/i;

export interface Sender {
  login: string;
  id: number;
  type: string;
}

export interface AgentCommentEditedPayload {
  issue: { number: number };
  comment: {
    id: number;
    node_id?: string;
    body: string;
    user: { login: string; type: string } | null;
    performed_via_github_app: { id: number; slug?: string } | null;
  };
  changes: { body?: { from: string } } | null;
  sender: Sender;
}

export interface AgentIssueEditedPayload {
  issue: { number: number; body: string | null };
  changes: { body?: { from: string } } | null;
  sender: Sender;
}

export interface AgentCommentPayload {
  number: number;
  isPr: boolean;
  comment: { id: number; body: string };
  sender: Sender;
}

/** `issues`/`pull_request` closed or locked: the ticket's open proposals are retired. */
export interface AgentInvalidatePayload {
  number: number;
  isPr: boolean;
  action: "closed" | "locked";
  sender: Sender;
}

/** `pull_request.synchronize`: proposals bound to the PR's old head are retired at once. */
export interface AgentHeadMovedPayload {
  number: number;
  after: string;
  sender: Sender;
}

export interface AgentLabelPayload {
  number: number;
  isPr: boolean;
  label: string;
  sender: Sender;
}

function sender(p: any): Sender {
  return {
    login: text(p?.sender?.login, ""),
    id: Number(p?.sender?.id ?? 0),
    type: text(p?.sender?.type, "User"),
  };
}

const str = (v: unknown): string => (typeof v === "string" ? v : "");

export const agentsRoute: Route = (ev) => {
  const repo = ev.repo;
  const p = ev.payload;
  if (!repo) return [];
  const job = (kind: string, number: number, key: string, payload: unknown): EnqueueInput[] => [
    { kind, repo, targetNumber: number, dedupeKey: `${kind}:${repo}#${number}:${key}`, payload },
  ];

  if (ev.name === "issue_comment") {
    const c = p?.comment;
    const number = p?.issue?.number;
    if (typeof c?.id !== "number" || typeof number !== "number") return [];
    const body = str(c.body);
    const isPr = Boolean(p.issue.pull_request);
    if (ev.action === "created") {
      const payload: AgentCommentPayload = { number, isPr, comment: { id: c.id, body }, sender: sender(p) };
      const agentCmd = parseAgentCommand(body);
      if (agentCmd?.kind === "answer" || (agentCmd?.kind === "invalid" && agentCmd.command === "answer"))
        return job("agents.answer", number, String(c.id), payload);
      // Other slash commands have their own jobs; a plain comment may fold into a run on this ticket.
      if (agentCmd || parseCommand(body).kind !== "none") return [];
      return job("agents.comment", number, String(c.id), payload);
    }
    if (ev.action === "edited") {
      const from = p?.changes?.body?.from;
      if (typeof from !== "string" || (!BOX.test(body) && !BOX.test(from))) return [];
      const app = c.performed_via_github_app;
      const payload: AgentCommentEditedPayload = {
        issue: { number },
        comment: {
          id: c.id,
          ...(typeof c.node_id === "string" ? { node_id: c.node_id } : {}),
          body,
          user: c.user ? { login: str(c.user.login), type: str(c.user.type) } : null,
          performed_via_github_app:
            app && typeof app.id === "number" ? { id: app.id, slug: str(app.slug) || undefined } : null,
        },
        changes: { body: { from } },
        sender: sender(p),
      };
      return job("agents.comment-edited", number, ev.deliveryId, payload);
    }
    if (ev.action === "deleted") {
      if (c.user?.type !== "Bot" && !c.performed_via_github_app) return [];
      return job("agents.comment-deleted", number, String(c.id), { number, commentId: c.id });
    }
    return [];
  }

  if (ev.name === "issues" && ev.action === "edited") {
    const number = p?.issue?.number;
    const from = p?.changes?.body?.from;
    const body = str(p?.issue?.body);
    if (typeof number !== "number" || typeof from !== "string") return [];
    if (!BOX.test(body)) return [];
    const payload: AgentIssueEditedPayload = {
      issue: { number, body },
      changes: { body: { from } },
      sender: sender(p),
    };
    return job("agents.issue-edited", number, ev.deliveryId, payload);
  }

  if (
    (ev.name === "issues" || ev.name === "pull_request") &&
    (ev.action === "closed" || ev.action === "locked")
  ) {
    const item = ev.name === "issues" ? p?.issue : p?.pull_request;
    if (typeof item?.number !== "number") return [];
    const payload: AgentInvalidatePayload = {
      number: item.number,
      isPr: ev.name === "pull_request" || Boolean(item.pull_request),
      action: ev.action,
      sender: sender(p),
    };
    return job("agents.invalidate", item.number, ev.deliveryId, payload);
  }

  if (ev.name === "pull_request" && ev.action === "synchronize") {
    const number = p?.pull_request?.number;
    const after = str(p?.after) || str(p?.pull_request?.head?.sha);
    if (typeof number !== "number" || !after) return [];
    const payload: AgentHeadMovedPayload = { number, after, sender: sender(p) };
    return job("agents.head-moved", number, ev.deliveryId, payload);
  }

  if ((ev.name === "issues" || ev.name === "pull_request") && ev.action === "labeled") {
    const item = ev.name === "issues" ? p?.issue : p?.pull_request;
    const label = str(p?.label?.name);
    if (typeof item?.number !== "number" || !label) return [];
    const payload: AgentLabelPayload = {
      number: item.number,
      isPr: ev.name === "pull_request" || Boolean(item.pull_request),
      label,
      sender: sender(p),
    };
    return job("agents.label", item.number, ev.deliveryId, payload);
  }
  return [];
};
