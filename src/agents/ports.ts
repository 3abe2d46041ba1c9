import type { PermissionLevel } from "./commands.ts";

// The narrow slice of the GitHub gateway (src/github/gateway.ts) this module needs, so tests can
// hand in a fake and production can pass the real gateway, bound to one installation and repo.

export interface CommentSnapshot {
  id: number;
  /** GraphQL node id (webhook `comment.node_id`), when the caller has it. */
  node_id?: string;
  body: string;
  user: { login: string; type?: string } | null;
  performed_via_github_app?: { id: number; slug?: string } | null;
}

export interface TicketState {
  state: "open" | "closed";
  locked: boolean;
}

export interface PermissionAnswer {
  permission: string;
  roleName: string;
  level: PermissionLevel;
}

export interface AgentGateway {
  /** Creates or edits Steward's own comment found by its hidden `<!-- steward:KIND key=… -->` marker. */
  upsertComment(args: {
    issueNumber: number;
    kind: string;
    key: string;
    body: string;
  }): Promise<{ id: number }>;
  /** The comment as it is now; null (or a 404 GitHubAPIError) when it was deleted. */
  getComment(id: number): Promise<CommentSnapshot | null>;
  /**
   * Whether the comment is hidden (GraphQL `isMinimized`), asked live at approval time: minimizing
   * leaves the body unchanged, so no webhook field shows it. `nodeId` when the caller already has it
   * (the webhook's `comment.node_id`); otherwise it is read from the comment. Throws when GitHub
   * cannot answer; callers fail closed.
   */
  commentMinimized(ref: {
    id: number;
    nodeId?: string | null;
  }): Promise<{ minimized: boolean; reason: string | null }>;
  /** Live collaborator permission. Never cached. */
  permission(username: string): Promise<PermissionAnswer>;
  /** The PR head SHA for a PR ticket; null for a plain issue. */
  headSha(issueNumber: number): Promise<string | null>;
  /**
   * The ticket's live state, asked at proposal, approval and hand-out time; null when the ticket no
   * longer exists in this repository (deleted or transferred).
   */
  ticketState(issueNumber: number): Promise<TicketState | null>;
  /** The open PR of this repository whose head is `branch`, for pinning a `push` to that PR's head. */
  pullForBranch(branch: string): Promise<{ number: number; sha: string } | null>;
  mergePullRequest(args: {
    number: number;
    method: "merge" | "squash" | "rebase";
    sha?: string;
  }): Promise<unknown>;
  addLabels(args: { issueNumber: number; labels: string[] }): Promise<unknown>;
  closeIssue(args: { issueNumber: number }): Promise<unknown>;
  createPullRequest(args: {
    head: string;
    base: string;
    title: string;
    body: string;
  }): Promise<{ number: number }>;
}

/** Resolves the gateway for a run's repository (the worker API has no webhook context to borrow). */
export type GatewayFor = (target: { repo: string; installationId: number | null }) => Promise<AgentGateway>;

export interface AppIdentity {
  appId: number;
  /** The App's slug; its bot login is `<slug>[bot]`. */
  slug: string;
}

export type Clock = () => number;
