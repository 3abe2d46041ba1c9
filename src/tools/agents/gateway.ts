import type { AgentGateway, CommentSnapshot } from "../../agents/ports.ts";
import { statusOf } from "../../github/errors.ts";
import type { GitHubGateway } from "../../github/gateway.ts";

// Binds src/agents' narrow port to the real GitHub gateway. Every call goes through GitHubGateway, so
// writes keep its markers, body limits and error classification; permission stays a live lookup.

export function toAgentGateway(gw: GitHubGateway): AgentGateway {
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
