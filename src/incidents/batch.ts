import type { Db } from "../store/types.ts";
import { DEFAULT_LIFECYCLE, type LifecycleConfig, type Occurrence, regressesOn } from "./lifecycle.ts";
import type { IncidentSample } from "./registry.ts";
import type { IncidentStatus } from "./schema.ts";

// Counters are buffered in memory and written in one transaction per batch, together with the
// checkpoint of the bytes that produced them: either both land or neither does, which is what makes
// counting exactly-once across crashes.

export interface Aggregate {
  fingerprint: string;
  version: string;
  service: string;
  exceptionType: string | null;
  title: string;
  count: number;
  firstSeen: number;
  lastSeen: number;
  lastRelease: string | null;
  sample: IncidentSample;
  /** Newest record time per release ('' = none) seen in this batch. */
  releases: Map<string, number>;
}

export interface CheckpointUpdate {
  fileKey: string;
  identity: string;
  /** sha256 of the file's first `fpBytes` bytes (see cursor.ts); null on checkpoints from before it. */
  fingerprint?: string | null;
  fpBytes?: number;
  path: string;
  offset: number;
  lines: number;
  errorLines: number;
  nonJson: number;
  tooLong: number;
}

export interface LeaseFence {
  name: string;
  owner: string;
  ttlMs: number;
}

export type IncidentEvent =
  | { kind: "new"; incidentId: number; fingerprint: string; service: string; title: string }
  | { kind: "recurred"; incidentId: number; count: number }
  | { kind: "regressed"; incidentId: number; from: IncidentStatus };

export class LeaseLostError extends Error {}

export class IncidentBuffer {
  readonly aggregates = new Map<string, Aggregate>();
  records = 0;

  /** `describe` runs only for the first record of an incident in a batch: titles and samples cost. */
  add(
    a: Pick<Aggregate, "fingerprint" | "version" | "service" | "exceptionType">,
    time: number,
    release: string | null,
    describe: () => Pick<Aggregate, "title" | "sample">,
  ): void {
    const key = `${a.fingerprint}\0${a.service}`;
    let agg = this.aggregates.get(key);
    if (!agg) {
      agg = {
        ...a,
        ...describe(),
        count: 0,
        firstSeen: time,
        lastSeen: time,
        lastRelease: release,
        releases: new Map(),
      };
      this.aggregates.set(key, agg);
    }
    this.#count(agg, time, release);
  }

  /**
   * Counts a record into its incident's aggregate if this batch has one already; false when it
   * does not (the caller then uses `add`, with its description). Saves the per-record arguments
   * of `add` on the common path.
   */
  bump(fingerprint: string, service: string, time: number, release: string | null): boolean {
    const agg = this.aggregates.get(`${fingerprint}\0${service}`);
    if (agg === undefined) return false;
    this.#count(agg, time, release);
    return true;
  }

  #count(agg: Aggregate, time: number, release: string | null): void {
    agg.count++;
    this.records++;
    if (time < agg.firstSeen) agg.firstSeen = time;
    if (time >= agg.lastSeen) {
      agg.lastSeen = time;
      if (release !== null) agg.lastRelease = release;
    }
    const rk = release ?? "";
    const prev = agg.releases.get(rk);
    if (prev === undefined || time > prev) {
      // Bounded: a record stream that changes release on every line cannot grow this map.
      if (prev !== undefined || agg.releases.size < 16) agg.releases.set(rk, time);
    }
  }

  get size(): number {
    return this.aggregates.size;
  }

  clear(): void {
    this.aggregates.clear();
    this.records = 0;
  }
}

/** Writes one batch: releases, incidents (+ regressions), checkpoint and lease renewal, in one transaction. */
export async function applyBatch(
  db: Db,
  buffer: IncidentBuffer,
  opts: { now: number; checkpoint?: CheckpointUpdate; lease?: LeaseFence; lifecycle?: LifecycleConfig },
): Promise<IncidentEvent[]> {
  const cfg = opts.lifecycle ?? DEFAULT_LIFECYCLE;
  const now = opts.now;
  return db.tx(async (tx) => {
    // Fence first: in Postgres the row lock is held to commit, so a competing acquirer waits and
    // then sees a live lease; a lost lease rolls back everything this batch would have written.
    if (opts.lease) {
      const ok = await tx.exec("UPDATE leases SET expires_at = $3 WHERE name = $1 AND owner = $2", [
        opts.lease.name,
        opts.lease.owner,
        now + opts.lease.ttlMs,
      ]);
      if (ok !== 1) throw new LeaseLostError(`lease ${opts.lease.name} is no longer held by this process`);
    }
    const events: IncidentEvent[] = [];
    const releaseSeen = new Map<string, number>();
    for (const agg of buffer.aggregates.values()) {
      for (const [rel, t] of agg.releases) {
        if (!rel) continue;
        const k = `${agg.service}\0${rel}`;
        const first = Math.min(t, agg.firstSeen, releaseSeen.get(k) ?? Number.POSITIVE_INFINITY);
        releaseSeen.set(k, first);
      }
    }
    // Sorted keys give every writer the same lock order, so concurrent batches cannot deadlock.
    for (const [k, first] of [...releaseSeen].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const [service, release] = k.split("\0") as [string, string];
      await tx.exec(
        `INSERT INTO incident_releases (service, release, first_seen) VALUES ($1, $2, $3)
         ON CONFLICT (service, release) DO UPDATE SET first_seen = CASE WHEN excluded.first_seen < incident_releases.first_seen THEN excluded.first_seen ELSE incident_releases.first_seen END`,
        [service, release, first],
      );
    }
    const sorted = [...buffer.aggregates.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map((e) => e[1]);
    for (const agg of sorted) {
      const ins = await tx.one<{ id: number | string }>(
        `INSERT INTO incidents (fingerprint, fp_version, service, exception_type, title, first_seen, last_seen, count, status, sample, last_release, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', $9, $10, $11, $11)
         ON CONFLICT (fingerprint, fp_version, service) DO NOTHING RETURNING id`,
        [
          agg.fingerprint,
          agg.version,
          agg.service,
          agg.exceptionType,
          agg.title,
          agg.firstSeen,
          agg.lastSeen,
          agg.count,
          JSON.stringify(agg.sample),
          agg.lastRelease,
          now,
        ],
      );
      if (ins) {
        events.push({
          kind: "new",
          incidentId: Number(ins.id),
          fingerprint: agg.fingerprint,
          service: agg.service,
          title: agg.title,
        });
        continue;
      }
      const row = await tx.one<Record<string, unknown>>(
        `UPDATE incidents SET count = count + $4,
           first_seen = CASE WHEN $5 < first_seen THEN $5 ELSE first_seen END,
           last_release = CASE WHEN $6 >= last_seen THEN COALESCE($7, last_release) ELSE last_release END,
           last_seen = CASE WHEN $6 > last_seen THEN $6 ELSE last_seen END,
           updated_at = $8
         WHERE fingerprint = $1 AND fp_version = $2 AND service = $3
         RETURNING id, count, status, fix_merged_at, resolved_at`,
        [
          agg.fingerprint,
          agg.version,
          agg.service,
          agg.count,
          agg.firstSeen,
          agg.lastSeen,
          agg.lastRelease,
          now,
        ],
      );
      if (!row) continue;
      const id = Number(row.id);
      events.push({ kind: "recurred", incidentId: id, count: Number(row.count) });
      const status = row.status as IncidentStatus;
      if (status !== "resolved" && status !== "fix-merged") continue;
      const occ: Occurrence[] = [];
      for (const [rel, t] of agg.releases) {
        const seen = rel
          ? await tx.one<{ first_seen: number | string }>(
              "SELECT first_seen FROM incident_releases WHERE service = $1 AND release = $2",
              [agg.service, rel],
            )
          : undefined;
        occ.push({
          release: rel || null,
          lastTime: t,
          releaseFirstSeen: seen ? Number(seen.first_seen) : null,
        });
      }
      const state = {
        status,
        fixMergedAt: row.fix_merged_at === null ? null : Number(row.fix_merged_at),
        resolvedAt: row.resolved_at === null ? null : Number(row.resolved_at),
      };
      if (!regressesOn(state, occ, cfg)) continue;
      const c = await tx.exec(
        "UPDATE incidents SET status = 'regressed', regression_count = regression_count + 1, regressed_at = $3, resolved_at = NULL, updated_at = $3 WHERE id = $1 AND status = $2",
        [id, status, now],
      );
      if (c === 1) events.push({ kind: "regressed", incidentId: id, from: status });
    }
    if (opts.checkpoint) await writeCheckpoint(tx, opts.checkpoint, now);
    return events;
  });
}

async function writeCheckpoint(tx: Db, c: CheckpointUpdate, now: number): Promise<void> {
  await tx.exec(
    `INSERT INTO log_checkpoints (file_key, identity, path, "offset", lines, error_lines, non_json, too_long, updated_at, fingerprint, fp_bytes)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     ON CONFLICT (file_key) DO UPDATE SET path = excluded.path, "offset" = excluded."offset",
       identity = excluded.identity, fingerprint = excluded.fingerprint, fp_bytes = excluded.fp_bytes,
       lines = log_checkpoints.lines + excluded.lines, error_lines = log_checkpoints.error_lines + excluded.error_lines,
       non_json = log_checkpoints.non_json + excluded.non_json, too_long = log_checkpoints.too_long + excluded.too_long,
       updated_at = excluded.updated_at`,
    [
      c.fileKey,
      c.identity,
      c.path,
      c.offset,
      c.lines,
      c.errorLines,
      c.nonJson,
      c.tooLong,
      now,
      c.fingerprint ?? null,
      c.fpBytes ?? 0,
    ],
  );
}

export interface Checkpoint extends CheckpointUpdate {
  fingerprint: string | null;
  fpBytes: number;
  updatedAt: number;
}

export async function getCheckpoint(db: Db, fileKey: string): Promise<Checkpoint | null> {
  const r = await db.one<Record<string, unknown>>("SELECT * FROM log_checkpoints WHERE file_key = $1", [
    fileKey,
  ]);
  return r ? rowToCheckpoint(r) : null;
}

/** Checkpoints whose file had this fingerprint (a full-KiB one), newest first. */
export async function checkpointsByFingerprint(
  db: Db,
  fingerprint: string,
  fpBytes: number,
): Promise<Checkpoint[]> {
  const rows = await db.query<Record<string, unknown>>(
    "SELECT * FROM log_checkpoints WHERE fingerprint = $1 AND fp_bytes = $2 ORDER BY updated_at DESC LIMIT 20",
    [fingerprint, fpBytes],
  );
  return rows.map(rowToCheckpoint);
}

/**
 * Moves a checkpoint off an inode that now holds another file (deleted and reused, truncated and
 * rewritten). It stays findable by fingerprint, so a copy of the old file (copytruncate's
 * `app.log.1`) still continues from it rather than being read again.
 */
export async function retireCheckpoint(db: Db, cp: Checkpoint): Promise<void> {
  const retired = `retired:${cp.fingerprint}:${cp.fileKey}`;
  await db.tx(async (tx) => {
    await tx.exec("DELETE FROM log_checkpoints WHERE file_key = $1", [retired]);
    await tx.exec("UPDATE log_checkpoints SET file_key = $1 WHERE file_key = $2", [retired, cp.fileKey]);
  });
}

/** Retired checkpoints matter only until a copy of their file is seen; older ones are dropped. */
export const RETIRED_CHECKPOINT_MS = 7 * 24 * 3600_000;

export async function purgeRetiredCheckpoints(db: Db, now: number): Promise<number> {
  return db.exec("DELETE FROM log_checkpoints WHERE file_key LIKE 'retired:%' AND updated_at < $1", [
    now - RETIRED_CHECKPOINT_MS,
  ]);
}

function rowToCheckpoint(r: Record<string, unknown>): Checkpoint {
  return {
    fileKey: String(r.file_key),
    identity: String(r.identity),
    fingerprint: r.fingerprint === null || r.fingerprint === undefined ? null : String(r.fingerprint),
    fpBytes: Number(r.fp_bytes ?? 0),
    path: String(r.path),
    offset: Number(r.offset),
    lines: Number(r.lines),
    errorLines: Number(r.error_lines),
    nonJson: Number(r.non_json),
    tooLong: Number(r.too_long),
    updatedAt: Number(r.updated_at),
  };
}
