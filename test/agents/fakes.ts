import { createRequire } from "node:module";
import type { PermissionLevel } from "../../src/agents/commands.ts";
import type { AgentGateway, AppIdentity, CommentSnapshot } from "../../src/agents/ports.ts";
import { GitHubAPIError } from "../../src/errors.ts";

export const APP: AppIdentity = { appId: 4242, slug: "steward-test" };
export const REPO = "Codertocat/Hello-World";

export type Call = { op: string; args: unknown };

/** An in-memory gateway: comments keyed by marker, live permissions, and every write recorded. */
export class FakeGateway implements AgentGateway {
  comments = new Map<number, CommentSnapshot & { kind: string; key: string; issueNumber: number }>();
  perms = new Map<string, PermissionLevel>();
  heads = new Map<number, string | null>();
  calls: Call[] = [];
  nextId = 9000;
  /** Called on each permission() lookup, so a test can revoke between checks. */
  onPermission: ((login: string, n: number) => void) | null = null;
  permissionLookups = 0;

  async upsertComment(a: { issueNumber: number; kind: string; key: string; body: string }) {
    this.calls.push({ op: "upsertComment", args: a });
    for (const c of this.comments.values()) {
      if (c.kind === a.kind && c.key === a.key && c.issueNumber === a.issueNumber) {
        c.body = a.body;
        return { id: c.id };
      }
    }
    const id = this.nextId++;
    this.comments.set(id, {
      id,
      user: { login: `${APP.slug}[bot]`, type: "Bot" },
      performed_via_github_app: { id: APP.appId },
      ...a,
    });
    return { id };
  }
  async getComment(id: number) {
    const c = this.comments.get(id);
    if (!c) throw new GitHubAPIError("Not Found", { status: 404 });
    return { id: c.id, body: c.body, user: c.user, performed_via_github_app: c.performed_via_github_app };
  }
  /** Comment ids GitHub reports as hidden (GraphQL `isMinimized`), with the reason. */
  minimized = new Map<number, string>();
  /** When set, the GraphQL minimized lookup fails with this error. */
  minimizedError: Error | null = null;
  minimizedLookups: Array<{ id: number; nodeId?: string | null }> = [];
  async commentMinimized(ref: { id: number; nodeId?: string | null }) {
    this.minimizedLookups.push(ref);
    if (this.minimizedError) throw this.minimizedError;
    const reason = this.minimized.get(ref.id);
    return { minimized: reason !== undefined, reason: reason ?? null };
  }
  async permission(username: string) {
    this.permissionLookups++;
    this.onPermission?.(username, this.permissionLookups);
    const level = this.perms.get(username) ?? "none";
    return {
      permission: level === "maintain" || level === "triage" ? "write" : level,
      roleName: level,
      level,
    };
  }
  async headSha(n: number) {
    return this.heads.get(n) ?? null;
  }
  /** Ticket states; a ticket not listed is open and unlocked. */
  tickets = new Map<number, { state: "open" | "closed"; locked: boolean } | null>();
  async ticketState(n: number) {
    const t = this.tickets.get(n);
    return t === undefined ? { state: "open" as const, locked: false } : t;
  }
  /** Open PRs by head branch. */
  branches = new Map<string, { number: number; sha: string }>();
  async pullForBranch(branch: string) {
    return this.branches.get(branch) ?? null;
  }
  async mergePullRequest(a: unknown) {
    this.calls.push({ op: "merge", args: a });
    return {};
  }
  async addLabels(a: unknown) {
    this.calls.push({ op: "label", args: a });
    return {};
  }
  async closeIssue(a: unknown) {
    this.calls.push({ op: "close", args: a });
    return {};
  }
  async createPullRequest(a: unknown) {
    this.calls.push({ op: "openPr", args: a });
    return { number: 77 };
  }
  /** GitHub-side executions only (not comment writes). */
  executions(): Call[] {
    return this.calls.filter((c) => c.op !== "upsertComment");
  }
  replies(): string[] {
    return this.calls
      .filter((c) => c.op === "upsertComment" && (c.args as { kind: string }).kind === "agent-reply")
      .map((c) => (c.args as { body: string }).body);
  }
}

const require = createRequire(import.meta.url);
const examples = require("@octokit/webhooks-examples/api.github.com/index.json") as Array<{
  name: string;
  examples: Array<Record<string, any>>;
}>;

/** The real `issue_comment.edited` example payload, rewritten to describe an edit of `comment`. */
export function editedPayload(opts: {
  commentId: number;
  body: string;
  from: string;
  sender: { login: string; id: number; type?: string };
  author?: "steward" | { login: string };
  issueNumber?: number;
}) {
  const base = examples.find((e) => e.name === "issue_comment")!.examples.find((x) => x.action === "edited")!;
  const p = structuredClone(base);
  p.comment.id = opts.commentId;
  p.comment.body = opts.body;
  p.changes = { body: { from: opts.from } };
  p.issue.number = opts.issueNumber ?? 1;
  if (opts.author === undefined || opts.author === "steward") {
    p.comment.user = { ...p.comment.user, login: `${APP.slug}[bot]`, type: "Bot" };
    p.comment.performed_via_github_app = { id: APP.appId, slug: APP.slug };
  } else {
    p.comment.user = { ...p.comment.user, login: opts.author.login, type: "User" };
  }
  p.sender = { ...p.sender, login: opts.sender.login, id: opts.sender.id, type: opts.sender.type ?? "User" };
  return p as {
    action: "edited";
    comment: CommentSnapshot & Record<string, unknown>;
    changes: { body: { from: string } };
    sender: { login: string; id: number; type: string };
    issue: { number: number };
  };
}

export function createdPayload(opts: {
  body: string;
  sender: { login: string; id: number; type?: string };
  issueNumber?: number;
  commentId?: number;
}) {
  const base = examples
    .find((e) => e.name === "issue_comment")!
    .examples.find((x) => x.action === "created")!;
  const p = structuredClone(base);
  p.comment.body = opts.body;
  p.comment.id = opts.commentId ?? 555;
  p.issue.number = opts.issueNumber ?? 1;
  p.sender = { ...p.sender, login: opts.sender.login, id: opts.sender.id, type: opts.sender.type ?? "User" };
  p.comment.user = { ...p.comment.user, login: opts.sender.login };
  return p as {
    comment: CommentSnapshot;
    sender: { login: string; id: number; type: string };
    issue: { number: number };
  };
}
