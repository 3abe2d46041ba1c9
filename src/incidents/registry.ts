import type { Db } from "../store/types.ts";
import {
  DEFAULT_LIFECYCLE,
  type IncidentAction,
  type LifecycleConfig,
  nextStatus,
  resolutionDue,
} from "./lifecycle.ts";
import type { IncidentStatus } from "./schema.ts";

// Reads and compare-and-set writes on the incidents table. Every status change names the status it
// expects to replace; a writer that lost a race gets `null` back and must re-read, never overwrite.

export interface LinkedPr {
  repo: string;
  number: number;
  /** `unlinked`: the PR's title/body stopped referencing the issue (edited) while it was open. */
  state: "open" | "merged" | "closed" | "unlinked";
  at: number;
}

export interface IncidentSample {
  message: string;
  stack: string | null;
  path: string | null;
  method: string | null;
  status: number | null;
  traceId: string | null;
  release: string | null;
  level: string;
  time: number | null;
  /** The record as logged, secrets masked (kept small: long strings cut). */
  record?: unknown;
}

export interface Incident {
  id: number;
  fingerprint: string;
  fpVersion: string;
  service: string | null;
  exceptionType: string | null;
  title: string;
  firstSeen: number;
  lastSeen: number;
  count: number;
  status: IncidentStatus;
  regressionCount: number;
  issueNumber: number | null;
  repo: string | null;
  linkedPrs: LinkedPr[];
  sample: IncidentSample;
  lastRelease: string | null;
  fixRelease: string | null;
  fixMergedAt: number | null;
  resolvedAt: number | null;
  regressedAt: number | null;
  statsCommentAt: number | null;
  statsCount: number;
  /** The status last mirrored to the GitHub issue (open/closed), set by the GitHub side. */
  syncedStatus: IncidentStatus | null;
  createdAt: number;
  updatedAt: number;
}

const n = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export function rowToIncident(r: Record<string, unknown>): Incident {
  return {
    id: Number(r.id),
    fingerprint: String(r.fingerprint),
    fpVersion: String(r.fp_version),
    service: r.service ? String(r.service) : null,
    exceptionType: (r.exception_type as string | null) ?? null,
    title: String(r.title),
    firstSeen: Number(r.first_seen),
    lastSeen: Number(r.last_seen),
    count: Number(r.count),
    status: r.status as IncidentStatus,
    regressionCount: Number(r.regression_count),
    issueNumber: n(r.issue_number),
    repo: (r.repo as string | null) ?? null,
    linkedPrs: JSON.parse(String(r.linked_prs ?? "[]")) as LinkedPr[],
    sample: JSON.parse(String(r.sample)) as IncidentSample,
    lastRelease: (r.last_release as string | null) ?? null,
    fixRelease: (r.fix_release as string | null) ?? null,
    fixMergedAt: n(r.fix_merged_at),
    resolvedAt: n(r.resolved_at),
    regressedAt: n(r.regressed_at),
    statsCommentAt: n(r.stats_comment_at),
    statsCount: Number(r.stats_count ?? 0),
    syncedStatus: (r.synced_status as IncidentStatus | null) ?? null,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

export async function getIncident(db: Db, id: number): Promise<Incident | null> {
  const r = await db.one("SELECT * FROM incidents WHERE id = $1", [id]);
  return r ? rowToIncident(r) : null;
}

/** Incidents in `repo` whose `linked_prs` list PR `number` as open (the LIKE is narrowed in JS). */
export async function incidentsLinkedToPr(db: Db, repo: string, number: number): Promise<Incident[]> {
  const rows = await db.query("SELECT * FROM incidents WHERE repo = $1 AND linked_prs LIKE $2", [
    repo,
    `%"number":${number},%`,
  ]);
  return rows
    .map(rowToIncident)
    .filter((i) => i.linkedPrs.some((p) => p.repo === repo && p.number === number && p.state === "open"));
}

export async function findIncidentByIssue(
  db: Db,
  repo: string,
  issueNumber: number,
): Promise<Incident | null> {
  const r = await db.one("SELECT * FROM incidents WHERE repo = $1 AND issue_number = $2", [
    repo,
    issueNumber,
  ]);
  return r ? rowToIncident(r) : null;
}

export async function listIncidents(
  db: Db,
  opts: { status?: IncidentStatus; service?: string; limit?: number } = {},
): Promise<Incident[]> {
  const where: string[] = [];
  const params: Array<string | number> = [];
  if (opts.status) where.push(`status = $${params.push(opts.status)}`);
  if (opts.service !== undefined) where.push(`service = $${params.push(opts.service)}`);
  const sql = `SELECT * FROM incidents${where.length ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY last_seen DESC, id DESC LIMIT $${params.push(opts.limit ?? 500)}`;
  return (await db.query(sql, params)).map(rowToIncident);
}

export interface TransitionOptions {
  now?: number;
  /** The PR that caused propose-fix / merge-fix; recorded in linked_prs. */
  pr?: { repo: string; number: number };
}

/**
 * Applies `action` with compare-and-set on the current status. Returns the updated incident, or
 * null when the action does not apply to the current status (or the incident does not exist).
 * One re-read absorbs a concurrent change that still allows the action.
 */
export async function transitionIncident(
  db: Db,
  id: number,
  action: IncidentAction,
  opts: TransitionOptions = {},
): Promise<Incident | null> {
  const now = opts.now ?? Date.now();
  for (let attempt = 0; attempt < 3; attempt++) {
    const cur = await getIncident(db, id);
    if (!cur) return null;
    const next = nextStatus(cur.status, action);
    if (!next) return null;
    const prs = opts.pr ? upsertPr(cur.linkedPrs, opts.pr, action, now) : cur.linkedPrs;
    const set: string[] = ["status = $3", "updated_at = $4", "linked_prs = $5"];
    if (action === "merge-fix") set.push("fix_merged_at = $4", "resolved_at = NULL");
    if (action === "resolve") set.push("resolved_at = $4");
    if (action === "regress")
      set.push("regression_count = regression_count + 1", "regressed_at = $4", "resolved_at = NULL");
    if (action === "reopen") set.push("resolved_at = NULL", "fix_merged_at = NULL");
    const changed = await db.exec(`UPDATE incidents SET ${set.join(", ")} WHERE id = $1 AND status = $2`, [
      id,
      cur.status,
      next,
      now,
      JSON.stringify(prs),
    ]);
    if (changed === 1) return getIncident(db, id);
  }
  return null;
}

function upsertPr(
  list: LinkedPr[],
  pr: { repo: string; number: number },
  action: IncidentAction,
  at: number,
): LinkedPr[] {
  const state: LinkedPr["state"] =
    action === "merge-fix" ? "merged" : action === "withdraw-fix" ? "closed" : "open";
  const rest = list.filter((p) => !(p.repo === pr.repo && p.number === pr.number));
  return [...rest, { repo: pr.repo, number: pr.number, state, at }];
}

/** Records the GitHub issue opened for an incident. False when another writer already set one. */
export async function setIncidentIssue(
  db: Db,
  id: number,
  repo: string,
  issueNumber: number,
  now = Date.now(),
): Promise<boolean> {
  const c = await db.exec(
    "UPDATE incidents SET repo = $2, issue_number = $3, synced_status = status, stats_count = count, updated_at = $4 WHERE id = $1 AND issue_number IS NULL",
    [id, repo, issueNumber, now],
  );
  return c === 1;
}

/** Records a posted stats comment, CAS on the previous post time. */
export async function markStatsPosted(
  db: Db,
  id: number,
  prevAt: number | null,
  count: number,
  now = Date.now(),
): Promise<boolean> {
  const c = await db.exec(
    `UPDATE incidents SET stats_comment_at = $2, stats_count = $3, updated_at = $2 WHERE id = $1 AND ${prevAt === null ? "stats_comment_at IS NULL" : "stats_comment_at = $4"}`,
    prevAt === null ? [id, now, count] : [id, now, count, prevAt],
  );
  return c === 1;
}

/** Records that the GitHub issue now mirrors `status` (opened/closed/reopened). CAS on status. */
export async function markStatusSynced(db: Db, id: number, status: IncidentStatus): Promise<boolean> {
  return (
    (await db.exec("UPDATE incidents SET synced_status = $2 WHERE id = $1 AND status = $2", [id, status])) ===
    1
  );
}

export interface PendingEffects {
  /** No issue yet (ignored incidents excluded). */
  needIssue: Incident[];
  /** Has an issue, count moved since the last stats comment, and the comment interval has passed. */
  statsDue: Incident[];
  /** Has an issue whose open/closed state may not match the status (regressed, resolved, …). */
  statusChanged: Incident[];
}

export async function pendingGitHubEffects(
  db: Db,
  opts: { now?: number; statsIntervalMs?: number; limit?: number } = {},
): Promise<PendingEffects> {
  const now = opts.now ?? Date.now();
  const interval = opts.statsIntervalMs ?? 15 * 60_000;
  const limit = opts.limit ?? 100;
  const q = async (where: string, params: Array<number>) =>
    (await db.query(`SELECT * FROM incidents WHERE ${where} ORDER BY id LIMIT ${limit}`, params)).map(
      rowToIncident,
    );
  return {
    needIssue: await q("issue_number IS NULL AND status <> 'ignored'", []),
    statsDue: await q(
      "issue_number IS NOT NULL AND count > stats_count AND (stats_comment_at IS NULL OR stats_comment_at <= $1)",
      [now - interval],
    ),
    statusChanged: await q(
      "issue_number IS NOT NULL AND (synced_status IS NULL OR synced_status <> status)",
      [],
    ),
  };
}

/**
 * Resolves fix-merged incidents whose verification is due. Returns those this call resolved.
 * `cfg` may be a function, so each incident is judged by its own repository's window.
 */
export async function resolveDueIncidents(
  db: Db,
  now = Date.now(),
  cfg: LifecycleConfig | ((inc: Incident) => LifecycleConfig) = DEFAULT_LIFECYCLE,
): Promise<Incident[]> {
  const rows = (await db.query("SELECT * FROM incidents WHERE status = 'fix-merged'")).map(rowToIncident);
  const out: Incident[] = [];
  for (const inc of rows) {
    const rel = await db.one<{ release: string; first_seen: number | string }>(
      "SELECT release, first_seen FROM incident_releases WHERE service = $1 AND first_seen > $2 ORDER BY first_seen ASC LIMIT 1",
      [inc.service ?? "", inc.fixMergedAt ?? 0],
    );
    const relSeen = rel ? Number(rel.first_seen) : null;
    if (!resolutionDue(inc, now, relSeen, typeof cfg === "function" ? cfg(inc) : cfg)) continue;
    const c = await db.exec(
      "UPDATE incidents SET status = 'resolved', resolved_at = $2, fix_release = COALESCE($3, fix_release), updated_at = $2 WHERE id = $1 AND status = 'fix-merged' AND fix_merged_at = $4",
      [inc.id, now, rel?.release ?? null, inc.fixMergedAt],
    );
    if (c === 1) out.push((await getIncident(db, inc.id))!);
  }
  return out;
}
