import { IncidentBuffer } from "./batch.ts";
import { compileRules, fingerprint, incidentTitle, type CompiledRule } from "./fingerprint.ts";
import { createInAppMatcher, type InAppMatcher } from "./inapp.ts";
import { isError, type NormalizeOptions, normalizeRecord } from "./normalize.ts";
import type { IncidentSample } from "./registry.ts";
import { LEVEL_RANK, type IncidentOptions, type NormalizedRecord } from "./schema.ts";
import { type LineCounters, LineSplitter } from "./scan.ts";
import { maskSecrets, maskValue } from "./secrets.ts";

export { MAX_LINE_BYTES, type LineCounters } from "./scan.ts";

// Turns complete log lines (byte ranges of a Buffer) into buffered incident counts.

/**
 * Grouping settings of the repository a service's incidents go to (its `.github/steward.yml`
 * `incidents.in_app` and `fingerprint_rules`); null → the ingest options' own.
 */
export interface ServiceGrouping {
  inApp: InAppMatcher;
  rules: CompiledRule[];
}
export type GroupingFor = (service: string | null) => ServiceGrouping | null;

export class LineProcessor {
  readonly buffer = new IncidentBuffer();
  readonly counters: LineCounters = { lines: 0, errorLines: 0, nonJson: 0, tooLong: 0 };
  readonly #opts: IncidentOptions;
  readonly #rules: CompiledRule[];
  readonly #inApp: InAppMatcher;
  readonly #split: LineSplitter;
  readonly #now: () => number;
  readonly #groupingFor: GroupingFor | undefined;
  readonly #inAppFor: ((service: string | null) => InAppMatcher | undefined) | undefined;
  readonly #normalizeOptions: NormalizeOptions;

  constructor(
    opts: IncidentOptions,
    o: { strictJson?: boolean; now?: () => number; groupingFor?: GroupingFor } = {},
  ) {
    this.#opts = opts;
    this.#rules = compileRules(opts.rules);
    this.#inApp = createInAppMatcher(opts.inApp, opts.notInApp);
    const e = opts.errors;
    // The prefilter encodes a policy of "error or worse, status ≥ 500 or off"; a looser policy must
    // look at every line.
    const prefilter =
      !o.strictJson && LEVEL_RANK[e.minLevel] >= LEVEL_RANK.error && (e.status === 0 || e.status >= 500);
    this.#split = new LineSplitter(this.counters, prefilter ? e.status : null, (buf, start, end) =>
      this.candidate(buf, start, end),
    );
    this.#now = o.now ?? Date.now;
    const g = o.groupingFor;
    this.#groupingFor = g;
    this.#inAppFor = g ? (service) => g(service)?.inApp : undefined;
    this.#normalizeOptions = {
      inApp: this.#inApp,
      inAppFor: this.#inAppFor,
      defaultService: opts.defaultService,
    };
  }

  resetCounters(): void {
    this.counters.lines = 0;
    this.counters.errorLines = 0;
    this.counters.nonJson = 0;
    this.counters.tooLong = 0;
  }

  /** One complete line, without its newline. */
  line(buf: Buffer, start: number, end: number): void {
    this.#split.line(buf, start, end);
  }

  /**
   * A block of complete lines: every line in [start, end) ends with a newline (the last one at
   * end - 1). Needles are searched once per block, not once per line.
   */
  lines(buf: Buffer, start: number, end: number): void {
    this.#split.lines(buf, start, end);
  }

  get prefiltering(): boolean {
    return this.#split.prefiltering;
  }

  /** The prefilter's error status (what the back-fill's worker threads need), or null without one. */
  get prefilterStatus(): number | null {
    return this.#split.statusMin;
  }

  /** A trimmed `{…}` line that passed the prefilter (or came back from the back-fill's worker): parse and count it. */
  candidate(buf: Buffer, start: number, end: number): void {
    const rec = this.#parse(buf, start, end);
    if (rec) this.record(rec);
  }

  /**
   * A candidate line that the back-fill's worker rewrote with its keys in canonical order
   * (canonical.ts): parsed from `canon[cStart, cEnd)`, which parses to the same record (and fails
   * exactly when the original does); the original `buf[start, end)` is parsed again only for an
   * incident's sample, so the stored record keeps the log's own key order.
   */
  rewrittenCandidate(
    canon: Buffer,
    cStart: number,
    cEnd: number,
    buf: Buffer,
    start: number,
    end: number,
  ): void {
    const rec = this.#parse(canon, cStart, cEnd);
    if (rec) this.#record(rec, buf, start, end);
  }

  /** The JSON object on a line, or null (counted as non-JSON). */
  #parse(buf: Buffer, start: number, end: number): Record<string, unknown> | null {
    let rec: unknown;
    try {
      rec = JSON.parse(buf.toString("utf8", start, end));
    } catch {
      this.counters.nonJson++;
      return null;
    }
    if (!rec || typeof rec !== "object" || Array.isArray(rec)) {
      this.counters.nonJson++;
      return null;
    }
    return rec as Record<string, unknown>;
  }

  /** The record as the log wrote it (`buf[start, end)`, when `rec` was parsed from a rewrite), for a sample. */
  static #sampleRecord(
    rec: Record<string, unknown>,
    buf: Buffer | null,
    start: number,
    end: number,
  ): Record<string, unknown> {
    if (buf === null) return rec;
    try {
      return JSON.parse(buf.toString("utf8", start, end)) as Record<string, unknown>;
    } catch {
      return rec; // cannot happen (the rewrite parses exactly when the original does); the same record either way
    }
  }

  /** One parsed record (also the entry point for tests and the fingerprint bench). */
  record(rec: Record<string, unknown>): NormalizedRecord | null {
    return this.#record(rec, null, 0, 0);
  }

  /** `original`: the line `rec` was rewritten from, if it was (see rewrittenCandidate). */
  #record(
    rec: Record<string, unknown>,
    original: Buffer | null,
    start: number,
    end: number,
  ): NormalizedRecord | null {
    const r = this.#normalize(rec);
    if (!isError(r, this.#opts.errors)) return null;
    this.#count(r, rec, original, start, end);
    return r;
  }

  /** A record the caller already decided is an error (OTLP intake maps severity itself). */
  errorRecord(rec: Record<string, unknown>): NormalizedRecord {
    const r = this.#normalize(rec);
    this.#count(r, rec, null, 0, 0);
    return r;
  }

  #normalize(rec: Record<string, unknown>): NormalizedRecord {
    return normalizeRecord(rec, this.#normalizeOptions);
  }

  #count(
    r: NormalizedRecord,
    rec: Record<string, unknown>,
    original: Buffer | null,
    start: number,
    end: number,
  ): void {
    this.counters.errorLines++;
    const fp = fingerprint(r, this.#groupingFor?.(r.service)?.rules ?? this.#rules);
    const time = r.time ?? this.#now();
    if (this.buffer.bump(fp.hash, r.service ?? "", time, r.release)) return;
    this.buffer.add(
      {
        fingerprint: fp.hash,
        version: fp.version,
        service: r.service ?? "",
        exceptionType: r.exceptionType,
      },
      time,
      r.release,
      () => ({
        title: maskSecrets(incidentTitle(r)),
        sample: sampleOf(r, LineProcessor.#sampleRecord(rec, original, start, end)),
      }),
    );
  }
}

const MAX_SAMPLE_STRING = 16 * 1024;

function trimStrings(v: unknown, depth = 0): unknown {
  if (typeof v === "string") return v.length > MAX_SAMPLE_STRING ? `${v.slice(0, MAX_SAMPLE_STRING)}…` : v;
  if (depth > 6) return "[…]";
  if (Array.isArray(v)) return v.slice(0, 50).map((x) => trimStrings(x, depth + 1));
  if (v && typeof v === "object") {
    // fromEntries defines own properties: a record key "__proto__" stays a key, never a prototype.
    return Object.fromEntries(
      Object.entries(v)
        .slice(0, 100)
        .map(([k, x]) => [k, trimStrings(x, depth + 1)]),
    );
  }
  return v;
}

/** The sample kept for an incident: full traceback, request context, masked. */
export function sampleOf(r: NormalizedRecord, rec: Record<string, unknown>): IncidentSample {
  return {
    message: maskSecrets(r.message),
    stack: r.stack === null ? null : maskSecrets(r.stack),
    path: r.path === null ? null : maskSecrets(r.path),
    method: r.method,
    status: r.status,
    traceId: r.traceId,
    release: r.release,
    level: r.level,
    time: r.time,
    record: maskValue(trimStrings(rec)),
  };
}
