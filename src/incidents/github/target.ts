import type { Services } from "../../app/services.ts";
import { splitRepo } from "../../app/services.ts";
import type { AppEnv } from "../../config/env.ts";
import { ConfigurationError } from "../../errors.ts";
import { statusOf, wrapGitHub } from "../../github/errors.ts";
import type { Octokit } from "../../github/types.ts";
import type { Incident } from "../registry.ts";

// Logs do not say which repository an error belongs to; the operator does, in the environment:
// STEWARD_INCIDENTS_REPOS maps services to repositories, STEWARD_INCIDENTS_REPO catches the rest.

/** The repository an incident's issue lives in (or will be opened in); undefined when none is configured. */
export function targetRepo(
  env: AppEnv["incidents"],
  inc: Pick<Incident, "repo" | "service">,
): string | undefined {
  if (inc.repo) return inc.repo;
  // Own keys only: a service named "constructor" or "__proto__" (log text) must not route anywhere.
  if (inc.service && Object.hasOwn(env.repos, inc.service)) return env.repos[inc.service];
  return env.repo;
}

const cache = new WeakMap<Services, Map<string, Promise<number>>>();

/**
 * The App installation on `repo`: STEWARD_INCIDENTS_INSTALLATION_ID when set, otherwise asked once
 * per process with the App's JWT. A repository the App is not installed on is a configuration error.
 */
export function installationFor(s: Services, repo: string): Promise<number> {
  if (s.env.incidents.installationId) return Promise.resolve(s.env.incidents.installationId);
  let m = cache.get(s);
  if (!m) {
    m = new Map();
    cache.set(s, m);
  }
  const memo = m;
  let p = memo.get(repo);
  if (!p) {
    p = lookup(s, repo);
    memo.set(repo, p);
    // A failed lookup is retried by the next sync rather than cached forever.
    p.catch(() => memo.delete(repo));
  }
  return p;
}

async function lookup(s: Services, full: string): Promise<number> {
  const app = (await s.probot.auth()) as Octokit;
  const { owner, repo } = splitRepo(full);
  try {
    const { data } = await wrapGitHub(
      () => app.rest.apps.getRepoInstallation({ owner, repo }),
      `find the App's installation on ${full}`,
    );
    return data.id;
  } catch (err) {
    if (statusOf(err) === 404)
      throw new ConfigurationError(
        `STEWARD_INCIDENTS_REPO: the App is not installed on ${full}; install it there or set STEWARD_INCIDENTS_INSTALLATION_ID`,
      );
    throw err;
  }
}
