import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { Services } from "../../app/services.ts";
import type { RepoConfig } from "../../config/schema.ts";
import { errorMessage } from "../../errors.ts";
import type { Logger } from "../../logger.ts";
import { acquireLease, releaseLease } from "../lease.ts";
import { DEFAULT_LIFECYCLE, type LifecycleConfig } from "../lifecycle.ts";
import { type Incident, listIncidents, pendingGitHubEffects, resolveDueIncidents } from "../registry.ts";
import { openIncidentIssue } from "./issue.ts";
import { mirrorStatus, postStats, statsDue } from "./mirror.ts";
import { installationFor, targetRepo } from "./target.ts";

// One pass of the incident → GitHub loop: resolve what verification has cleared, open issues for new
// incidents, mirror status changes (regressed → reopen, resolved → close with a summary, …) and edit
// stats comments. Driven only by registry state (`pendingGitHubEffects`), so a pass that crashed
// half-way is finished by the next one. Passes are single-flight across replicas via a lease; the
// issue claim (issue.ts) still guards creation on its own, should a lease ever expire mid-pass.

export const SYNC_LEASE = "incidents.sync";
const LEASE_TTL_MS = 5 * 60_000;
/** New issues per pass: a back-fill that finds 500 incidents opens them over several passes. */
export const MAX_NEW_ISSUES_PER_PASS = 20;

export interface SyncResult {
  busy: boolean;
  resolved: number[];
  opened: number[];
  mirrored: number[];
  stats: number[];
  /** Incidents left without an issue because no repository is configured for them. */
  unrouted: number[];
  errors: string[];
}

const NEVER: LifecycleConfig = { verifyWindowMs: Infinity, releaseQuietMs: Infinity };

export function lifecycleFor(config: RepoConfig): LifecycleConfig {
  return { ...DEFAULT_LIFECYCLE, verifyWindowMs: config.incidents.verification_hours * 3_600_000 };
}

export async function syncIncidents(
  s: Services,
  opts: { log?: Logger; now?: number } = {},
): Promise<SyncResult> {
  const log = opts.log ?? s.log;
  const now = opts.now ?? Date.now();
  const owner = `${hostname()}:${process.pid}:${randomUUID()}`;
  const out: SyncResult = {
    busy: false,
    resolved: [],
    opened: [],
    mirrored: [],
    stats: [],
    unrouted: [],
    errors: [],
  };
  if (!(await acquireLease(s.db, SYNC_LEASE, owner, LEASE_TTL_MS, now))) return { ...out, busy: true };
  const renew = () => acquireLease(s.db, SYNC_LEASE, owner, LEASE_TTL_MS);
  try {
    const targets = new Map<string, Promise<{ installationId: number; config: RepoConfig }>>();
    const target = (repo: string) => {
      let t = targets.get(repo);
      if (!t) {
        t = (async () => {
          const installationId = await installationFor(s, repo);
          return { installationId, config: await s.repoConfig({ installationId, repo, targetNumber: null }) };
        })();
        targets.set(repo, t);
      }
      return t;
    };
    let firstError: unknown;
    const attempt = async (inc: Incident, what: string, fn: () => Promise<void>) => {
      try {
        await fn();
      } catch (err) {
        out.errors.push(`incident ${inc.id}: ${what}: ${errorMessage(err)}`);
        log.warn({ incidentId: inc.id, err: errorMessage(err) }, "incident sync step failed");
        if (out.errors.length === 1) firstError = err;
      }
      await renew();
    };

    // Verification uses each incident's own repository's window (`incidents.verification_hours`);
    // a repository whose config cannot be read resolves nothing this pass (the error fails the job).
    const windows = new Map<string, LifecycleConfig>();
    for (const inc of await listIncidents(s.db, { status: "fix-merged", limit: 10_000 })) {
      const repo = targetRepo(s.env.incidents, inc);
      if (!repo || windows.has(repo)) continue;
      windows.set(repo, NEVER);
      await attempt(inc, "read repository config", async () => {
        windows.set(repo, lifecycleFor((await target(repo)).config));
      });
    }
    const windowOf = (inc: Incident) => {
      const repo = targetRepo(s.env.incidents, inc);
      return (repo && windows.get(repo)) || DEFAULT_LIFECYCLE;
    };
    out.resolved = (await resolveDueIncidents(s.db, now, windowOf)).map((i) => i.id);

    const pending = await pendingGitHubEffects(s.db, { now, statsIntervalMs: 60_000, limit: 200 });
    let opened = 0;
    for (const inc of pending.needIssue) {
      const repo = targetRepo(s.env.incidents, inc);
      if (!repo) {
        out.unrouted.push(inc.id);
        continue;
      }
      if (opened >= MAX_NEW_ISSUES_PER_PASS) break;
      await attempt(inc, "open issue", async () => {
        const t = await target(repo);
        if (!t.config.incidents.enabled) return;
        const r = await openIncidentIssue(s, inc, repo, t.installationId, t.config, owner, log, now);
        if (r.outcome === "opened" || r.outcome === "adopted") {
          out.opened.push(inc.id);
          opened++;
        }
      });
    }
    for (const inc of pending.statusChanged) {
      await attempt(inc, "mirror status", async () => {
        const t = await target(inc.repo!);
        if (await mirrorStatus(s, inc, t.installationId, t.config)) out.mirrored.push(inc.id);
      });
    }
    for (const inc of pending.statsDue) {
      // An ignored incident stays quiet on GitHub, whatever it does in the logs.
      if (inc.status === "ignored") continue;
      await attempt(inc, "stats comment", async () => {
        const t = await target(inc.repo!);
        if (!statsDue(inc, t.config, now)) return;
        if (await postStats(s, inc, t.installationId, now)) out.stats.push(inc.id);
      });
    }
    if (out.unrouted.length)
      log.warn(
        { incidents: out.unrouted.length },
        "incidents without a repository: set STEWARD_INCIDENTS_REPO (or STEWARD_INCIDENTS_REPOS) to open issues",
      );
    // Something could not be done: fail the job so it is retried and visible, after doing the rest.
    if (firstError !== undefined) throw firstError;
    return out;
  } finally {
    await releaseLease(s.db, SYNC_LEASE, owner);
  }
}
