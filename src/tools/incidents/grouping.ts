import type { Services } from "../../app/services.ts";
import { errorMessage } from "../../errors.ts";
import { compileRules } from "../../incidents/fingerprint.ts";
import { targetRepo, installationFor } from "../../incidents/github/target.ts";
import { createInAppMatcher } from "../../incidents/inapp.ts";
import type { GroupingFor, ServiceGrouping } from "../../incidents/processor.ts";

// Ingest inside `serve` (files and OTLP) groups each record by the settings of the repository its
// incident goes to: `.github/steward.yml` → incidents.in_app and fingerprint_rules. The target
// repositories are known from the environment (STEWARD_INCIDENTS_REPO / _REPOS), so their settings
// are loaded before ingest starts and refreshed every STEWARD_CONFIG_CACHE_MS; the per-line path
// then only does a map lookup. Until every repository's settings have loaded once, ingest waits
// (a record grouped by defaults now and by the repository's rules later would split an incident).

export interface RepoGrouping {
  groupingFor: GroupingFor;
  ready(): boolean;
  /** Resolves once every target repository's settings have loaded (retrying until they do). */
  whenReady(): Promise<void>;
  stop(): void;
}

const RETRY_MS = 15_000;

export function startRepoGrouping(s: Services, opts: { refreshMs?: number } = {}): RepoGrouping {
  const env = s.env.incidents;
  const repos = [...new Set([...(env.repo ? [env.repo] : []), ...Object.values(env.repos)])];
  const byRepo = new Map<string, ServiceGrouping | null>();
  // Compiled settings are reused while the text is unchanged, so the in-app and fingerprint memo
  // tables (keyed by matcher identity) stay warm across refreshes.
  const compiled = new Map<string, ServiceGrouping | null>();
  let loaded = repos.length === 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let resolveReady!: () => void;
  const readyP = new Promise<void>((r) => {
    resolveReady = r;
  });
  if (loaded) resolveReady();

  const loadOne = async (repo: string) => {
    const installationId = await installationFor(s, repo);
    const cfg = (await s.repoConfig({ installationId, repo, targetNumber: null })).incidents;
    const key = JSON.stringify([cfg.in_app, cfg.fingerprint_rules]);
    let g = compiled.get(key);
    if (g === undefined) {
      if (cfg.in_app.length === 0 && cfg.fingerprint_rules.length === 0) g = null;
      else {
        let rules: ServiceGrouping["rules"] = [];
        try {
          rules = compileRules(
            cfg.fingerprint_rules.map((r) => ({ match: r.match, fingerprint: r.fingerprint })),
          );
        } catch (err) {
          s.log.warn(
            { repo, err: errorMessage(err) },
            "incidents.fingerprint_rules not usable; grouping by defaults",
          );
        }
        g = { inApp: createInAppMatcher(cfg.in_app, []), rules };
      }
      compiled.set(key, g);
    }
    byRepo.set(repo, g);
  };

  const loadAll = async () => {
    let failed = false;
    for (const repo of repos) {
      try {
        await loadOne(repo);
      } catch (err) {
        failed = true;
        s.log.warn({ repo, err: errorMessage(err) }, "could not read incident grouping settings; retrying");
      }
    }
    if (stopped) return;
    if (!failed && !loaded) {
      loaded = true;
      resolveReady();
    }
    const next = failed ? RETRY_MS : Math.max(opts.refreshMs ?? s.env.configCacheMs, 10_000);
    timer = setTimeout(() => void loadAll(), next);
    timer.unref();
  };
  if (repos.length) void loadAll();

  return {
    groupingFor: (service) => {
      const repo = targetRepo(env, { repo: null, service });
      return repo ? (byRepo.get(repo) ?? null) : null;
    },
    ready: () => loaded,
    whenReady: () => readyP,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
