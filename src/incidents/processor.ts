import { IncidentBuffer } from "./batch.ts";
import { LineScanner, maybeError } from "./prefilter.ts";
import { compileRules, fingerprint, incidentTitle, type CompiledRule } from "./fingerprint.ts";
import { createInAppMatcher, type InAppMatcher } from "./inapp.ts";
import { isError, normalizeRecord } from "./normalize.ts";
import type { IncidentSample } from "./registry.ts";
import { LEVEL_RANK, type IncidentOptions, type NormalizedRecord } from "./schema.ts";
import { maskSecrets, maskValue } from "./secrets.ts";

// Turns complete log lines (byte ranges of a Buffer) into buffered incident counts.

export const MAX_LINE_BYTES = 1024 * 1024;
const SUB_BLOCK = 32 * 1024;

/**
 * Grouping settings of the repository a service's incidents go to (its `.github/steward.yml`
 * `incidents.in_app` and `fingerprint_rules`); null → the ingest options' own.
 */
export interface ServiceGrouping {
  inApp: InAppMatcher;
  rules: CompiledRule[];
}
export type GroupingFor = (service: string | null) => ServiceGrouping | null;

export interface LineCounters {
  lines: number;
  errorLines: number;
  nonJson: number;
  tooLong: number;
}

export class LineProcessor {
  readonly buffer = new IncidentBuffer();
  readonly counters: LineCounters = { lines: 0, errorLines: 0, nonJson: 0, tooLong: 0 };
  readonly #opts: IncidentOptions;
  readonly #rules: CompiledRule[];
  readonly #inApp: InAppMatcher;
  readonly #prefilter: boolean;
  readonly #statusMin: number;
  readonly #scanner: LineScanner | null;
  readonly #now: () => number;
  readonly #groupingFor: GroupingFor | undefined;
  readonly #inAppFor: ((service: string | null) => InAppMatcher | undefined) | undefined;
  #collect: number[] | null = null;

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
    this.#prefilter =
      !o.strictJson && LEVEL_RANK[e.minLevel] >= LEVEL_RANK.error && (e.status === 0 || e.status >= 500);
    this.#statusMin = e.status;
    this.#scanner = this.#prefilter ? new LineScanner(e.status) : null;
    this.#now = o.now ?? Date.now;
    const g = o.groupingFor;
    this.#groupingFor = g;
    this.#inAppFor = g ? (service) => g(service)?.inApp : undefined;
  }

  resetCounters(): void {
    this.counters.lines = 0;
    this.counters.errorLines = 0;
    this.counters.nonJson = 0;
    this.counters.tooLong = 0;
  }

  /** One complete line, without its newline. */
  line(buf: Buffer, start: number, end: number): void {
    this.#line(buf, start, end, null);
  }

  /**
   * A block of complete lines: every line in [start, end) ends with a newline (the last one at
   * end - 1). Needles are searched once per block, not once per line.
   */
  lines(buf: Buffer, start: number, end: number): void {
    let from = start;
    while (from < end) {
      // Sub-blocks of ~32 KiB: their latin1 copies stay small, young-generation strings (a 4 MiB
      // string goes to large-object space and costs far more to create than to copy).
      let to = from + SUB_BLOCK >= end ? end : buf.lastIndexOf(0x0a, from + SUB_BLOCK - 1) + 1;
      if (to <= from) to = buf.indexOf(0x0a, from + SUB_BLOCK) + 1; // one line longer than a sub-block
      if (to <= from || to > end) to = end;
      this.#block(buf, from, to);
      from = to;
    }
  }

  #block(buf: Buffer, start: number, end: number): void {
    // latin1: one character per byte, so positions in `text` are byte positions minus `start`.
    // String#indexOf is much cheaper per call than Buffer#indexOf, and there is one call per line.
    const text = buf.toString("latin1", start, end);
    const scan = this.#scanner;
    scan?.reset(buf, text, start);
    let s = start;
    while (s < end) {
      let nl = text.indexOf("\n", s - start);
      nl = nl < 0 ? end : nl + start;
      this.#line(buf, s, nl, scan);
      s = nl + 1;
    }
  }

  #line(buf: Buffer, start: number, end: number, scan: LineScanner | null): void {
    this.counters.lines++;
    if (end - start > MAX_LINE_BYTES) {
      this.counters.tooLong++;
      return;
    }
    while (start < end && (buf[start] === 0x20 || buf[start] === 0x09)) start++;
    while (end > start && (buf[end - 1] === 0x0d || buf[end - 1] === 0x20 || buf[end - 1] === 0x09)) end--;
    if (start === end) return; // blank lines are neither JSON nor garbage
    if (buf[start] !== 0x7b || buf[end - 1] !== 0x7d) {
      this.counters.nonJson++;
      return;
    }
    // Lines that cannot be errors skip decoding and JSON.parse, most of the cost of a healthy log.
    if (this.#prefilter) {
      const maybe = scan ? scan.candidate(start, end) : maybeError(buf, start, end, this.#statusMin);
      if (!maybe) return;
      if (this.#collect) {
        this.#collect.push(start, end);
        return;
      }
    }
    this.candidate(buf, start, end);
  }

  /**
   * Prefilter only (the worker half of the parallel back-fill): counts the lines of a block like
   * `lines` and returns the [start, end) pairs of the candidate lines instead of parsing them.
   * Only meaningful when `prefiltering`.
   */
  scan(buf: Buffer, start: number, end: number): number[] {
    const out: number[] = [];
    this.#collect = out;
    try {
      this.lines(buf, start, end);
    } finally {
      this.#collect = null;
    }
    return out;
  }

  get prefiltering(): boolean {
    return this.#prefilter;
  }

  /** A trimmed `{…}` line that passed the prefilter (or came from `scan`): parse and count it. */
  candidate(buf: Buffer, start: number, end: number): void {
    let rec: unknown;
    try {
      rec = JSON.parse(buf.toString("utf8", start, end));
    } catch {
      this.counters.nonJson++;
      return;
    }
    if (!rec || typeof rec !== "object" || Array.isArray(rec)) {
      this.counters.nonJson++;
      return;
    }
    this.record(rec as Record<string, unknown>);
  }

  /** One parsed record (also the entry point for tests and the fingerprint bench). */
  record(rec: Record<string, unknown>): NormalizedRecord | null {
    const r = this.#normalize(rec);
    if (!isError(r, this.#opts.errors)) return null;
    this.#count(r, rec);
    return r;
  }

  /** A record the caller already decided is an error (OTLP intake maps severity itself). */
  errorRecord(rec: Record<string, unknown>): NormalizedRecord {
    const r = this.#normalize(rec);
    this.#count(r, rec);
    return r;
  }

  #normalize(rec: Record<string, unknown>): NormalizedRecord {
    return normalizeRecord(rec, {
      inApp: this.#inApp,
      inAppFor: this.#inAppFor,
      defaultService: this.#opts.defaultService,
    });
  }

  #count(r: NormalizedRecord, rec: Record<string, unknown>): void {
    this.counters.errorLines++;
    const fp = fingerprint(r, this.#groupingFor?.(r.service)?.rules ?? this.#rules);
    this.buffer.add(
      {
        fingerprint: fp.hash,
        version: fp.version,
        service: r.service ?? "",
        exceptionType: r.exceptionType,
      },
      r.time ?? this.#now(),
      r.release,
      () => ({ title: maskSecrets(incidentTitle(r)), sample: sampleOf(r, rec) }),
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
