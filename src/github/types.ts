import type { ProbotOctokit } from "probot";
import type { Logger } from "../logger.ts";

/** The Octokit Probot hands to handlers (`context.octokit`), authenticated as one installation. */
export type Octokit = InstanceType<typeof ProbotOctokit>;

export interface GatewayOptions {
  octokit: Octokit;
  owner: string;
  repo: string;
  log: Logger;
  /** The App's slug; when set, only comments by `<slug>[bot]` count as Steward's own. */
  appSlug?: string;
}

/** What every gateway part shares. */
export interface GatewayContext {
  octokit: Octokit;
  owner: string;
  repo: string;
  log: Logger;
  appSlug: string | undefined;
}

/** The data of one Octokit REST method's response, e.g. `Data<Octokit["rest"]["pulls"]["get"]>`. */
export type Data<F extends (...args: any[]) => Promise<{ data: unknown }>> = Awaited<ReturnType<F>>["data"];
