import { createHash } from "node:crypto";
import type { Db } from "../../store/types.ts";
import { applyBatch, type IncidentEvent } from "../batch.ts";
import { type GroupingFor, LineProcessor } from "../processor.ts";
import type { IncidentOptions } from "../schema.ts";
import { isOtlpError, serviceName, toLogRecord } from "./map.ts";
import type { OtlpRequest } from "./types.ts";

// One decoded export request → incident counts, committed in ONE transaction together with a row
// keyed by the hash of the request body (otlp_batches). That row is what makes a retried batch
// count once: an exporter retries with the same bytes when its answer was lost (timeout, reset,
// Steward killed after the commit), the insert then conflicts, and the stored outcome is returned
// without counting again. Rows live for the dedupe window (STEWARD_OTLP_DEDUPE_HOURS).

export interface CommitResult {
  records: number;
  errorRecords: number;
  rejected: number;
  reason: string;
  /** True when this body was already committed (a retry): nothing was counted now. */
  duplicate: boolean;
  events: IncidentEvent[];
}

const MAX_SERVICE = 256;

export function bodyHash(encoding: string, body: Uint8Array): string {
  return createHash("sha256").update(encoding).update("\0").update(body).digest("hex");
}

export class OtlpCommitter {
  readonly #db: Db;
  readonly #proc: LineProcessor;
  readonly #maxRecords: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  #purgedAt = 0;

  constructor(o: {
    db: Db;
    options: IncidentOptions;
    groupingFor?: GroupingFor;
    maxRecords: number;
    dedupeMs: number;
    now?: () => number;
  }) {
    this.#db = o.db;
    this.#now = o.now ?? Date.now;
    // One long-lived processor: its in-app and fingerprint memo tables stay warm across requests.
    // Callers serialise commits (receiver.ts), so its buffer holds one request at a time.
    this.#proc = new LineProcessor(o.options, { groupingFor: o.groupingFor, now: this.#now });
    this.#maxRecords = o.maxRecords;
    this.#windowMs = o.dedupeMs;
  }

  /** The stored outcome of a body already committed inside the window, else null. */
  async seen(hash: string): Promise<CommitResult | null> {
    const row = await this.#db.one<Record<string, unknown>>(
      "SELECT records, error_records, rejected, reason FROM otlp_batches WHERE body_hash = $1 AND received_at >= $2",
      [hash, this.#now() - this.#windowMs],
    );
    return row ? stored(row) : null;
  }

  /** Not re-entrant: one call at a time (the receiver's queue). */
  async commit(hash: string, req: OtlpRequest): Promise<CommitResult> {
    await this.#purge();
    const proc = this.#proc;
    proc.buffer.clear();
    proc.resetCounters();
    let accepted = 0;
    let rejected = 0;
    let overLimit = 0;
    let badService = 0;
    for (const rl of req.resources) {
      const svc = serviceName(rl.resource);
      const serviceOk = svc === null || svc.length <= MAX_SERVICE;
      for (const r of rl.records) {
        if (accepted >= this.#maxRecords) {
          overLimit++;
          continue;
        }
        if (!serviceOk) {
          badService++;
          continue;
        }
        accepted++;
        if (isOtlpError(r)) proc.errorRecord(toLogRecord(rl.resource, r));
      }
    }
    rejected = overLimit + badService;
    const reasons: string[] = [];
    if (overLimit)
      reasons.push(
        `${overLimit} log records over the limit of ${this.#maxRecords} per request (STEWARD_OTLP_MAX_RECORDS); send smaller batches`,
      );
    if (badService)
      reasons.push(`${badService} log records whose service.name is longer than ${MAX_SERVICE}`);
    const reason = reasons.join("; ");
    const errorRecords = proc.counters.errorLines;
    const now = this.#now();
    try {
      return await this.#db.tx(async (tx) => {
        const fresh = await tx.one(
          `INSERT INTO otlp_batches (body_hash, received_at, records, error_records, rejected, reason)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (body_hash) DO NOTHING RETURNING body_hash`,
          [hash, now, accepted, errorRecords, rejected, reason],
        );
        if (!fresh) {
          const row = await tx.one<Record<string, unknown>>(
            "SELECT records, error_records, rejected, reason FROM otlp_batches WHERE body_hash = $1",
            [hash],
          );
          return row
            ? stored(row)
            : { records: 0, errorRecords: 0, rejected: 0, reason: "", duplicate: true, events: [] };
        }
        const events = proc.buffer.size ? await applyBatch(tx, proc.buffer, { now }) : [];
        return { records: accepted, errorRecords, rejected, reason, duplicate: false, events };
      });
    } finally {
      proc.buffer.clear();
    }
  }

  async #purge(): Promise<void> {
    const now = this.#now();
    if (now - this.#purgedAt < 10 * 60_000) return;
    this.#purgedAt = now;
    await this.#db.exec("DELETE FROM otlp_batches WHERE received_at < $1", [now - this.#windowMs]);
  }
}

function stored(row: Record<string, unknown>): CommitResult {
  return {
    records: Number(row.records),
    errorRecords: Number(row.error_records),
    rejected: Number(row.rejected),
    reason: String(row.reason ?? ""),
    duplicate: true,
    events: [],
  };
}
