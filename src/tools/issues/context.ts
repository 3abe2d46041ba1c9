// What every issue job needs: config, the gateway for writes, an octokit for reads the gateway does
// not wrap, and the issue as GitHub has it now (payloads go stale while a job waits out its window).
import { type Services, splitRepo } from "../../app/services.ts";
import type { RepoConfig } from "../../config/schema.ts";
import { wrapGitHub } from "../../github/errors.ts";
import type { GitHubGateway } from "../../github/gateway.ts";
import type { Octokit } from "../../github/types.ts";
import type { Job, JobRunContext } from "../../jobs/types.ts";
import type { Logger } from "../../logger.ts";

export interface IssueData {
  number: number;
  title: string;
  body: string;
  labels: string[];
  state: "open" | "closed";
  author: string;
  authorType: string;
  isPr: boolean;
  createdAt: number;
  url: string;
  comments: number;
}

export interface IssueJobContext {
  s: Services;
  job: Job;
  log: Logger;
  run: JobRunContext;
  config: RepoConfig;
  gw: GitHubGateway;
  octokit: Octokit;
  repo: string;
  owner: string;
  name: string;
}

export async function issueJobContext(s: Services, job: Job, run: JobRunContext): Promise<IssueJobContext> {
  const config = await s.repoConfig(job);
  const gw = await s.gateway(job.installationId!, job.repo!);
  const octokit = await s.octokit(job.installationId!);
  const { owner, repo: name } = splitRepo(job.repo!);
  return { s, job, log: run.log, run, config, gw, octokit, repo: job.repo!, owner, name };
}

export function labelNames(labels: unknown): string[] {
  if (!Array.isArray(labels)) return [];
  return labels
    .map((l) => (typeof l === "string" ? l : typeof l?.name === "string" ? l.name : ""))
    .filter((n: string) => n.length > 0);
}

export function toIssueData(raw: any): IssueData {
  const created = Date.parse(String(raw?.created_at ?? ""));
  return {
    number: Number(raw.number),
    title: typeof raw.title === "string" ? raw.title : "",
    body: typeof raw.body === "string" ? raw.body : "",
    labels: labelNames(raw.labels),
    state: raw.state === "closed" ? "closed" : "open",
    author: String(raw.user?.login ?? ""),
    authorType: String(raw.user?.type ?? "User"),
    isPr: Boolean(raw.pull_request),
    createdAt: Number.isFinite(created) ? created : Date.now(),
    url: String(raw.html_url ?? ""),
    comments: Number(raw.comments ?? 0),
  };
}

export async function loadIssue(ctx: IssueJobContext, number: number): Promise<IssueData> {
  const { data } = await wrapGitHub(
    () => ctx.octokit.rest.issues.get({ owner: ctx.owner, repo: ctx.name, issue_number: number }),
    `read issue #${number}`,
  );
  return toIssueData(data);
}
