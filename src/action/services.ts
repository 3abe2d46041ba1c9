// The App's Services, built for one workflow run: Probot's Octokit authenticated with the workflow's
// token (GITHUB_API_URL as base), the SQLite file the workflow caches as the store (the similar-issues
// index, notices, usage), the LLM from the action's inputs, and `enqueue` feeding the in-process
// executor. Tools receive exactly what the App's runner gives them (DESIGN.md rule 3).
import { readFile } from "node:fs/promises";
import { dirname, isAbsolute, relative, resolve } from "node:path";
import { mkdirSync } from "node:fs";
import { Probot, ProbotOctokit } from "probot";
import { createServices, type Services } from "../app/services.ts";
import { loadEnv } from "../config/env.ts";
import { validateConfigText } from "../config/repo.ts";
import type { RepoConfig } from "../config/schema.ts";
import { ConfigurationError } from "../errors.ts";
import type { Octokit } from "../github/types.ts";
import { createLlm } from "../llm/client.ts";
import type { Logger } from "../logger.ts";
import { openDb } from "../store/index.ts";
import type { Db } from "../store/types.ts";
import type { Executor } from "./executor.ts";
import type { ActionInputs } from "./inputs.ts";
import { trimEndChar } from "../linear-text.ts";

/** Comments made with the workflow's GITHUB_TOKEN are authored by `github-actions[bot]`. */
export const ACTIONS_BOT_SLUG = "github-actions";

export interface ActionServices {
  services: Services;
  db: Db;
  octokit: Octokit;
  /** Every write request sent to GitHub, as "METHOD /route", in order (for the job summary). */
  writes: string[];
  close(): Promise<void>;
}

export interface BuildOptions {
  inputs: ActionInputs;
  env: Record<string, string | undefined>;
  log: Logger;
  executor: Executor;
  /** Tests turn Octokit's retry and write pacing off; the bundle uses Probot's defaults. */
  Octokit?: typeof ProbotOctokit;
}

/** Only the variables Steward defines (LLM_*, STEWARD_*), so the runner's environment cannot confuse the parser. */
function stewardEnv(opts: BuildOptions, databaseUrl: string): Record<string, string | undefined> {
  const picked: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(opts.env)) if (/^(LLM|STEWARD)_/.test(k)) picked[k] = v;
  const { llm } = opts.inputs;
  return {
    ...picked,
    ...(llm.baseUrl ? { LLM_BASE_URL: llm.baseUrl } : {}),
    ...(llm.apiKey ? { LLM_API_KEY: llm.apiKey } : {}),
    ...(llm.model ? { LLM_MODEL: llm.model } : {}),
    LOG_LEVEL: opts.env.STEWARD_LOG_LEVEL,
    DATABASE_URL: databaseUrl,
  };
}

/** A path inside the workspace (the config input must not read files outside it). */
export function workspacePath(workspace: string, path: string, what: string): string {
  const full = resolve(workspace, path);
  const rel = relative(workspace, full);
  if (rel.startsWith("..") || isAbsolute(rel))
    throw new ConfigurationError(`input ${what}: expected a path inside the workspace, got ${path}`);
  return full;
}

async function configFromFile(path: string, label: string): Promise<RepoConfig> {
  let textBody: string;
  try {
    textBody = await readFile(path, "utf8");
  } catch {
    throw new ConfigurationError(`input config: could not read ${label} in the workspace`);
  }
  const r = validateConfigText(textBody);
  if (!r.ok)
    throw new ConfigurationError(`input config: ${label} is invalid: ${r.errors.slice(0, 3).join("; ")}`);
  return r.config;
}

export async function buildActionServices(opts: BuildOptions): Promise<ActionServices> {
  const workspace = opts.env.GITHUB_WORKSPACE ?? process.cwd();
  const indexFile = workspacePath(workspace, opts.inputs.indexPath, "index_path");
  mkdirSync(dirname(indexFile), { recursive: true });
  const appEnv = loadEnv(stewardEnv(opts, `sqlite:${indexFile}`));
  // A bad config file fails each job that reads it (one failure comment, exit 1), not the start: the
  // user learns about it on the PR or issue, where the run was for.
  const configPath = opts.inputs.configPath;
  const fileConfig = configPath
    ? Promise.resolve()
        .then(() => configFromFile(workspacePath(workspace, configPath, "config"), configPath))
        .then(
          (config) => ({ config }),
          (error: unknown) => ({ error }),
        )
    : undefined;
  const db = await openDb(appEnv.databaseUrl);
  const baseUrl = trimEndChar(opts.env.GITHUB_API_URL ?? "https://api.github.com", "/");
  const probot = new Probot({
    githubToken: opts.inputs.githubToken,
    baseUrl,
    log: opts.log,
    Octokit: opts.Octokit ?? ProbotOctokit,
  });
  const octokit = (await probot.auth()) as Octokit;
  const writes: string[] = [];
  octokit.hook.after("request", (_res, req) => {
    const method = String(req.method ?? "GET").toUpperCase();
    const url = String((req as { url?: string }).url ?? "");
    if (method !== "GET" && url !== "/graphql") writes.push(`${method} ${url}`);
  });
  const llm = createLlm(appEnv.llm, { db, log: opts.log });
  const services = createServices({ db, log: opts.log, env: appEnv, llm, probot, appSlug: ACTIONS_BOT_SLUG });
  const fromRepo = services.repoConfig.bind(services);
  // The workflow's token is not an installation: every job uses the one Octokit.
  services.octokit = async () => octokit;
  services.repoConfig = async (job) => {
    const file = await fileConfig;
    if (file && "error" in file) throw file.error;
    const config = file ? file.config : await fromRepo(job);
    const tools = opts.inputs.tools;
    return tools ? { ...config, pr: { ...config.pr, auto: tools } } : config;
  };
  services.enqueue = async (input) => opts.executor.enqueue(input);
  return { services, db, octokit, writes, close: () => db.close() };
}
