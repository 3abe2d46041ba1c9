import type { AgentGateway, CommentSnapshot } from "../../agents/ports.ts";
import { GitHubAPIError } from "../../errors.ts";
import { statusOf } from "../../github/errors.ts";
import type { GitHubGateway } from "../../github/gateway.ts";

// Binds src/agents' narrow port to the real GitHub gateway. Every call goes through GitHubGateway, so
// writes keep its markers, body limits and error classification; permission stays a live lookup.

const MINIMIZED_QUERY =
  "query($id: ID!) { node(id: $id) { ... on Minimizable { isMinimized minimizedReason } } }";

/** Reads a comment's GraphQL node id over REST (`node_id`); the gateway's comment view does not carry it. */
export type NodeIdReader = (commentId: number) => Promise<string | null>;

/** Without `nodeIdOf`, a minimized check needs the node id from the caller (or fails closed). */
export function toAgentGateway(gw: GitHubGateway, nodeIdOf?: NodeIdReader): AgentGateway {
  return {
    async upsertComment(a) {
      const r = await gw.upsertComment({
        issueNumber: a.issueNumber,
        kind: a.kind,
        key: a.key,
        body: a.body,
      });
      return { id: r.id };
    },
    async getComment(id): Promise<CommentSnapshot | null> {
      const c = await gw.getComment(id);
      return c ? { id: c.id, body: c.body, user: c.user } : null;
    },
    async commentMinimized({ id, nodeId }) {
      const node = nodeId || (nodeIdOf ? await nodeIdOf(id) : null);
      if (!node) throw new GitHubAPIError(`no node id known for comment ${id}`, { status: 502 });
      const res = await gw.graphql<{
        node: { isMinimized?: boolean; minimizedReason?: string | null } | null;
      }>(MINIMIZED_QUERY, { id: node }, `read whether comment ${id} is hidden`);
      // No node, or a node that is not Minimizable: we cannot confirm it is visible.
      if (typeof res?.node?.isMinimized !== "boolean")
        throw new GitHubAPIError(`comment ${id} has no minimized state in GraphQL`, { status: 502 });
      return { minimized: res.node.isMinimized, reason: res.node.minimizedReason ?? null };
    },
    permission: (username) => gw.permission(username),
    async headSha(issueNumber) {
      try {
        return (await gw.getPullRequest(issueNumber)).head.sha;
      } catch (err) {
        // A plain issue has no pull request behind it.
        if (statusOf(err) === 404) return null;
        throw err;
      }
    },
    async ticketState(issueNumber) {
      const st = await gw.getIssueState(issueNumber);
      if (!st) return null;
      return { state: st.state === "open" ? "open" : "closed", locked: st.locked };
    },
    async pullForBranch(branch) {
      return (await gw.openPullForBranch(branch)) ?? null;
    },
    async mergePullRequest({ number, method, sha }) {
      // Without a pinned head (the ticket is not this PR), pin the head as it is now, so a push
      // racing the merge call still fails with 409 instead of merging unseen commits.
      const pinned = sha ?? (await gw.getPullRequest(number)).head.sha;
      return gw.mergePullRequest({ pullNumber: number, sha: pinned, method });
    },
    addLabels: ({ issueNumber, labels }) => gw.addLabels(issueNumber, labels),
    closeIssue: ({ issueNumber }) => gw.closeIssue(issueNumber),
    async createPullRequest(a) {
      const pr = await gw.createPullRequest(a);
      return { number: pr.number };
    },
  };
}
