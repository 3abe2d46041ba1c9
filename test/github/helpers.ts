import nock from "nock";
import { ProbotOctokit } from "probot";
import { GitHubGateway } from "../../src/github/gateway.ts";
import type { Octokit } from "../../src/github/types.ts";
import { silentLogger } from "../../src/logger.ts";

export const API = "https://api.github.com";
export const OWNER = "octo";
export const REPO = "app";
export const REPO_PATH = `/repos/${OWNER}/${REPO}`;
export const BOT = { login: "steward[bot]", type: "Bot" };
export const HUMAN = { login: "alice", type: "User" };

const TestOctokit = ProbotOctokit.defaults({ retry: { enabled: false }, throttle: { enabled: false } });

export function makeOctokit(): Octokit {
  return new TestOctokit({ auth: { token: "test" } });
}

export function makeGateway(opts: { appSlug?: string } = { appSlug: "steward" }): GitHubGateway {
  return new GitHubGateway({
    octokit: makeOctokit(),
    owner: OWNER,
    repo: REPO,
    log: silentLogger(),
    ...opts,
  });
}

/** A nock scope on the GitHub API that also checks the installation token is sent. */
export function api(): nock.Scope {
  return nock(API, { reqheaders: { authorization: "token test" } });
}
