// Pull requests, branches and file contents. Creating a branch or a PR twice (a retried job)
// returns what the first run made instead of failing.

import { GitHubAPIError } from "../errors.ts";
import { truncateBody } from "./body.ts";
import { statusOf, wrapGitHub } from "./errors.ts";
import { BODY_TARGET, PER_PAGE_MAX, TITLE_MAX } from "./limits.ts";
import type { Data, GatewayContext, Octokit } from "./types.ts";

export type PullRequest = Data<Octokit["rest"]["pulls"]["get"]>;
export type PullFile = Data<Octokit["rest"]["pulls"]["listFiles"]>[number];
export type Comparison = Data<Octokit["rest"]["repos"]["compareCommits"]>;

export async function getPullRequest(ctx: GatewayContext, pullNumber: number): Promise<PullRequest> {
  const { data } = await wrapGitHub(
    () => ctx.octokit.rest.pulls.get({ owner: ctx.owner, repo: ctx.repo, pull_number: pullNumber }),
    `read pull request #${pullNumber}`,
  );
  return data;
}

/** The open PR in this repository whose head is `branch` (of this repository), if any. */
export async function openPullForBranch(
  ctx: GatewayContext,
  branch: string,
): Promise<{ number: number; sha: string } | undefined> {
  const { data } = await wrapGitHub(
    () =>
      ctx.octokit.rest.pulls.list({
        owner: ctx.owner,
        repo: ctx.repo,
        head: `${ctx.owner}:${branch}`,
        state: "open",
        per_page: 1,
      }),
    `find the pull request for branch ${branch}`,
  );
  const pr = data[0];
  return pr ? { number: pr.number, sha: pr.head.sha } : undefined;
}

/** Every changed file (GitHub stops at 3,000). */
export async function listPullFiles(ctx: GatewayContext, pullNumber: number): Promise<PullFile[]> {
  return wrapGitHub(
    () =>
      ctx.octokit.paginate(ctx.octokit.rest.pulls.listFiles, {
        owner: ctx.owner,
        repo: ctx.repo,
        pull_number: pullNumber,
        per_page: PER_PAGE_MAX,
      }),
    `list the files of #${pullNumber}`,
  );
}

export async function compareCommits(ctx: GatewayContext, base: string, head: string): Promise<Comparison> {
  const { data } = await wrapGitHub(
    () => ctx.octokit.rest.repos.compareCommits({ owner: ctx.owner, repo: ctx.repo, base, head }),
    `compare ${base}...${head}`,
  );
  return data;
}

export async function updatePullBody(ctx: GatewayContext, pullNumber: number, body: string): Promise<void> {
  await wrapGitHub(
    () =>
      ctx.octokit.rest.pulls.update({
        owner: ctx.owner,
        repo: ctx.repo,
        pull_number: pullNumber,
        body: truncateBody(body, BODY_TARGET),
      }),
    `update the description of #${pullNumber}`,
  );
}

/** A file's text at `ref`, or undefined when it does not exist there. Uses the raw media type (up to 100 MB). */
export async function getFileContent(
  ctx: GatewayContext,
  path: string,
  ref?: string,
): Promise<string | undefined> {
  try {
    const { data } = await wrapGitHub(
      () =>
        ctx.octokit.rest.repos.getContent({
          owner: ctx.owner,
          repo: ctx.repo,
          path,
          ...(ref ? { ref } : {}),
          mediaType: { format: "raw" },
        }),
      `read ${path}${ref ? ` at ${ref}` : ""}`,
    );
    // Octokit hands back text or bytes depending on the content-type GitHub sends.
    const raw: unknown = data;
    if (typeof raw === "string") return raw;
    if (raw instanceof ArrayBuffer) return Buffer.from(raw).toString("utf8");
    if (ArrayBuffer.isView(raw))
      return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString("utf8");
    // A directory listing (JSON array) is not a file's content.
    return undefined;
  } catch (err) {
    if (statusOf(err) === 404) return undefined;
    throw err;
  }
}

export type MergeMethod = "merge" | "squash" | "rebase";

export async function mergePullRequest(
  ctx: GatewayContext,
  input: { pullNumber: number; sha: string; method?: MergeMethod; title?: string; message?: string },
): Promise<{ sha: string; merged: boolean }> {
  const { data } = await wrapGitHub(
    () =>
      ctx.octokit.rest.pulls.merge({
        owner: ctx.owner,
        repo: ctx.repo,
        pull_number: input.pullNumber,
        // Merge only the commit that was checked: GitHub answers 409 if the head moved.
        sha: input.sha,
        merge_method: input.method ?? "squash",
        ...(input.title !== undefined ? { commit_title: input.title } : {}),
        ...(input.message !== undefined ? { commit_message: input.message } : {}),
      }),
    `merge #${input.pullNumber}`,
  );
  return { sha: data.sha, merged: data.merged };
}

/** Creates `refs/heads/<name>` at `sha`; an existing branch at the same commit is accepted. */
export async function createBranch(ctx: GatewayContext, name: string, sha: string): Promise<void> {
  try {
    await wrapGitHub(
      () =>
        ctx.octokit.rest.git.createRef({ owner: ctx.owner, repo: ctx.repo, ref: `refs/heads/${name}`, sha }),
      `create branch ${name}`,
    );
  } catch (err) {
    if (statusOf(err) !== 422) throw err;
    const { data } = await wrapGitHub(
      () => ctx.octokit.rest.git.getRef({ owner: ctx.owner, repo: ctx.repo, ref: `heads/${name}` }),
      `read branch ${name}`,
    );
    if (data.object.sha !== sha) {
      throw new GitHubAPIError(`create branch ${name} failed: it exists at ${data.object.sha}, not ${sha}`, {
        status: 422,
        transient: false,
        userMessage: `Branch \`${name}\` already exists at a different commit; delete it or pick another name.`,
      });
    }
  }
}

export async function createPullRequest(
  ctx: GatewayContext,
  input: { head: string; base: string; title: string; body: string; draft?: boolean },
): Promise<{ number: number; url: string; created: boolean }> {
  try {
    const { data } = await wrapGitHub(
      () =>
        ctx.octokit.rest.pulls.create({
          owner: ctx.owner,
          repo: ctx.repo,
          head: input.head,
          base: input.base,
          title: input.title.length <= TITLE_MAX ? input.title : `${input.title.slice(0, TITLE_MAX - 1)}…`,
          body: truncateBody(input.body, BODY_TARGET),
          draft: input.draft ?? false,
        }),
      `open a pull request from ${input.head}`,
    );
    return { number: data.number, url: data.html_url, created: true };
  } catch (err) {
    if (statusOf(err) !== 422 || !/already exists/i.test((err as Error).message)) throw err;
    const { data } = await wrapGitHub(
      () =>
        ctx.octokit.rest.pulls.list({
          owner: ctx.owner,
          repo: ctx.repo,
          head: `${ctx.owner}:${input.head}`,
          base: input.base,
          state: "open",
        }),
      `find the open pull request from ${input.head}`,
    );
    const existing = data[0];
    if (!existing) throw err;
    return { number: existing.number, url: existing.html_url, created: false };
  }
}
