import { IncidentBuffer } from "./batch.ts";
import { maybeError } from "./prefilter.ts";
import { compileRules, fingerprint, incidentTitle, type CompiledRule } from "./fingerprint.ts";
import { createInAppMatcher, type InAppMatcher } from "./inapp.ts";
import { isError, normalizeRecord } from "./normalize.ts";
import type { IncidentSample } from "./registry.ts";
import { LEVEL_RANK, type IncidentOptions, type NormalizedRecord } from "./schema.ts";
import { maskSecrets, maskValue } from "./secrets.ts";

// Turns complete log lines (byte ranges of a Buffer) into buffered incident counts.

export const MAX_LINE_BYTES = 1024 * 1024;

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
  readonly #now: () => number;

  constructor(opts: IncidentOptions, o: { strictJson?: boolean; now?: () => number } = {}) {
    this.#opts = opts;
    this.#rules = compileRules(opts.rules);
    this.#inApp = createInAppMatcher(opts.inApp, opts.notInApp);
    const e = opts.errors;
    // The prefilter encodes the default policy; a looser policy must look at every line.
    this.#prefilter =
      !o.strictJson && LEVEL_RANK[e.minLevel] >= LEVEL_RANK.error && (e.status === 0 || e.status >= 500);
    this.#now = o.now ?? Date.now;
  }

  resetCounters(): void {
    this.counters.lines = 0;
    this.counters.errorLines = 0;
    this.counters.nonJson = 0;
    this.counters.tooLong = 0;
  }

  /** One complete line, without its newline. */
  line(buf: Buffer, start: number, end: number): void {
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
    // Lines that cannot be errors skip JSON.parse, most of the cost of a healthy log.
    if (this.#prefilter && !maybeError(buf, start, end)) return;
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
    const r = normalizeRecord(rec, { inApp: this.#inApp, defaultService: this.#opts.defaultService });
    if (!isError(r, this.#opts.errors)) return null;
    this.counters.errorLines++;
    const fp = fingerprint(r, this.#rules);
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
    return r;
  }
}

const MAX_SAMPLE_STRING = 16 * 1024;

function trimStrings(v: unknown, depth = 0): unknown {
  if (typeof v === "string") return v.length > MAX_SAMPLE_STRING ? `${v.slice(0, MAX_SAMPLE_STRING)}…` : v;
  if (depth > 6) return "[…]";
  if (Array.isArray(v)) return v.slice(0, 50).map((x) => trimStrings(x, depth + 1));
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    let i = 0;
    for (const [k, x] of Object.entries(v)) if (i++ < 100) out[k] = trimStrings(x, depth + 1);
    return out;
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
