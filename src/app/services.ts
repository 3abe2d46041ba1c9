import type { Probot } from "probot";
import type { AppEnv } from "../config/env.ts";
import { type ConfigResult, CONFIG_FILE, validateConfig } from "../config/repo.ts";
import type { RepoConfig } from "../config/schema.ts";
import { errorMessage } from "../errors.ts";
import { guardWrites } from "../github/fence.ts";
import { GitHubGateway } from "../github/gateway.ts";
import { currentWriteFence } from "../jobs/fence.ts";
import type { Octokit } from "../github/types.ts";
import { enqueue } from "../jobs/queue.ts";
import type { EnqueueInput, Job } from "../jobs/types.ts";
import type { Llm } from "../llm/client.ts";
import type { Logger } from "../logger.ts";
import type { Db } from "../store/types.ts";
import { renderConfigNotice } from "./notices.ts";

/** Everything a job handler may use. Built once per process; tests build it over nock. */
export interface Services {
  db: Db;
  log: Logger;
  env: AppEnv;
  llm: Llm;
  probot: Probot;
  octokit(installationId: number): Promise<Octokit>;
  gateway(installationId: number, repo: string): Promise<GitHubGateway>;
  /** The repo's `.github/steward.yml` (with org defaults and `_extends`), validated; defaults when invalid. */
  repoConfig(job: Pick<Job, "installationId" | "repo" | "targetNumber">): Promise<RepoConfig>;
  /** Enqueue follow-up work from inside a job (fan-out), waking the local runner. */
  enqueue(input: EnqueueInput): Promise<{ id: number; coalesced: boolean }>;
  appSlug(): Promise<string | undefined>;
}

export function splitRepo(full: string): { owner: string; repo: string } {
  const i = full.indexOf("/");
  return { owner: full.slice(0, i), repo: full.slice(i + 1) };
}

export function createServices(opts: {
  db: Db;
  log: Logger;
  env: AppEnv;
  llm: Llm;
  probot: Probot;
  poke?: () => void;
  /** Known App slug (skips GET /app); otherwise APP_SLUG or a lazy lookup. */
  appSlug?: string;
}): Services {
  const { db, log, env, llm, probot } = opts;
  const configCache = new Map<string, { at: number; result: ConfigResult }>();
  let slug: Promise<string | undefined> | undefined;

  const services: Services = {
    db,
    log,
    env,
    llm,
    probot,
    // Every installation client refuses writes from a job attempt that no longer holds its lease.
    octokit: async (installationId) =>
      guardWrites((await probot.auth(installationId)) as Octokit, currentWriteFence),
    async gateway(installationId, full) {
      const { owner, repo } = splitRepo(full);
      return new GitHubGateway({
        octokit: await services.octokit(installationId),
        owner,
        repo,
        log,
        appSlug: await services.appSlug(),
      });
    },
    appSlug() {
      const known = opts.appSlug ?? env.appSlug;
      if (known) return Promise.resolve(known);
      slug ??= (async () => {
        try {
          const app = (await probot.auth()) as Octokit;
          const { data } = await app.rest.apps.getAuthenticated();
          return data?.slug;
        } catch (err) {
          log.warn(
            { err: errorMessage(err) },
            "could not read the App's slug; own comments are matched by bot type",
          );
          slug = undefined;
          return undefined;
        }
      })();
      return slug;
    },
    async repoConfig(job) {
      if (!job.installationId || !job.repo) return validateConfig(undefined).config;
      const key = `${job.installationId}:${job.repo}`;
      const hit = configCache.get(key);
      let result: ConfigResult;
      if (hit && Date.now() - hit.at < env.configCacheMs) result = hit.result;
      else {
        result = await readConfig(await services.octokit(job.installationId), job.repo, log);
        configCache.set(key, { at: Date.now(), result });
      }
      if (!result.ok && job.targetNumber)
        await tellOnce(services, job.installationId, job.repo, job.targetNumber, result.errors);
      return result.config;
    },
    async enqueue(input) {
      const r = await enqueue(db, input);
      opts.poke?.();
      return r;
    },
  };
  return services;
}

async function readConfig(octokit: Octokit, full: string, log: Logger): Promise<ConfigResult> {
  const { owner, repo } = splitRepo(full);
  try {
    // Probot's config plugin: reads the default branch, falls back to the org's .github repo, follows _extends.
    const { config } = await octokit.config.get({ owner, repo, path: `.github/${CONFIG_FILE}` });
    return validateConfig(Object.keys(config ?? {}).length ? config : undefined);
  } catch (err) {
    const status = (err as { status?: number }).status;
    if (status && status >= 500) throw err; // transient: let the job retry
    log.warn({ repo: full, err: errorMessage(err) }, "repo config unreadable; using defaults");
    return {
      ok: false,
      config: validateConfig(undefined).config,
      errors: [`.github/${CONFIG_FILE}: ${errorMessage(err).split("\n")[0]}`],
    };
  }
}

/** Posts the config problems once per distinct set of errors per repository. */
async function tellOnce(s: Services, installationId: number, repo: string, number: number, errors: string[]) {
  const key = `config:${repo}:${errors.join("|")}`.slice(0, 900);
  const fresh = await s.db.exec(
    "INSERT INTO notices (key, created_at) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
    [key, Date.now()],
  );
  if (fresh !== 1) return;
  try {
    const gw = await s.gateway(installationId, repo);
    await gw.upsertComment({
      issueNumber: number,
      kind: "config-error",
      key: repo,
      body: renderConfigNotice(errors),
    });
  } catch (err) {
    // Forget the notice so a later job tries again.
    await s.db.exec("DELETE FROM notices WHERE key = $1", [key]);
    s.log.warn({ err: errorMessage(err), repo }, "could not post the config notice");
  }
}
