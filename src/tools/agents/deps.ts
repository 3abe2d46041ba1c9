import type { ApprovalDeps } from "../../agents/handle.ts";
import type { AgentGateway, GatewayFor } from "../../agents/ports.ts";
import { type Services, splitRepo } from "../../app/services.ts";
import type { RepoConfig } from "../../config/schema.ts";
import { ConfigurationError } from "../../errors.ts";
import type { Job } from "../../jobs/types.ts";
import { wrapGitHub } from "../../github/errors.ts";
import { type NodeIdReader, toAgentGateway } from "./gateway.ts";
import { policyFromConfig } from "./policy.ts";

// What src/agents' orchestration needs, built from the shared services for one job's repository.

export interface AgentJobDeps extends ApprovalDeps {
  gateway: AgentGateway;
  config: RepoConfig;
}

/** The App's identity decides which comments are Steward's own; without it approvals fail closed. */
export async function appIdentity(s: Services): Promise<{ appId: number; slug: string }> {
  const slug = await s.appSlug();
  if (s.env.appId === undefined || !slug)
    throw new ConfigurationError("the App's id or slug is unknown; approvals cannot be checked", {
      userMessage:
        "Steward could not determine its own App id and slug, so it cannot tell its proposal comments apart. Set `APP_ID` and `APP_SLUG`.",
    });
  return { appId: s.env.appId, slug };
}

export async function agentDeps(s: Services, job: Job): Promise<AgentJobDeps> {
  if (!job.installationId || !job.repo)
    throw new ConfigurationError(`job ${job.kind} has no installation or repository`);
  const config = await s.repoConfig(job);
  const gateway = toAgentGateway(
    await s.gateway(job.installationId, job.repo),
    nodeIdReader(s, job.installationId, job.repo),
  );
  return {
    db: s.db,
    gateway,
    app: await appIdentity(s),
    repo: job.repo,
    policy: policyFromConfig(config.agents),
    log: s.log,
    config,
  };
}

/** REST `node_id` of an issue comment, for the GraphQL `isMinimized` check at approval time. */
export function nodeIdReader(s: Services, installationId: number, full: string): NodeIdReader {
  return async (commentId) => {
    const { owner, repo } = splitRepo(full);
    const octokit = await s.octokit(installationId);
    const { data } = await wrapGitHub<{ data: { node_id?: string } }>(
      () => octokit.rest.issues.getComment({ owner, repo, comment_id: commentId }),
      `read comment ${commentId}`,
    );
    return data.node_id ?? null;
  };
}

/** For the worker API, which has no webhook context: the run's installation and repository. */
export function gatewayForServices(s: Services): GatewayFor {
  return async ({ repo, installationId }) => {
    if (installationId === null)
      throw new ConfigurationError(`run for ${repo} has no installation id; dispatch it from GitHub`);
    // With the node-id reader: the hand-out gate asks GraphQL whether the proposal comment is hidden.
    return toAgentGateway(await s.gateway(installationId, repo), nodeIdReader(s, installationId, repo));
  };
}
