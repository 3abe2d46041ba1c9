import type { Level } from "./levels.ts";

// Shapes shared by the incident pipeline: the normalised record and frames. The options a user can
// set (what counts as an error, how to group) are parsed in options.ts; this module loads no zod, so
// `steward ingest` and its worker thread start without it.

export { LEVELS, LEVEL_RANK, type Level } from "./levels.ts";
export type { ErrorPolicy, FingerprintRule, IncidentOptions } from "./options.ts";
import type { IncidentOptions } from "./options.ts";

export interface Frame {
  /** Normalised-later function name as written in the stack (may be empty). */
  function: string;
  /** Java class / Go package / Python module when the stack names one. */
  module?: string;
  file?: string;
  line?: number;
  col?: number;
  inApp: boolean;
}

export interface NormalizedRecord {
  service: string | null;
  level: Level;
  /** Epoch ms; null when the record carries no parseable time. */
  time: number | null;
  exceptionType: string | null;
  message: string;
  frames: Frame[];
  /** The full stack text as logged (or rebuilt from structured frames). */
  stack: string | null;
  path: string | null;
  method: string | null;
  status: number | null;
  traceId: string | null;
  release: string | null;
}

/** What `parseIncidentOptions({ defaultService })` gives, without loading zod (test/incidents/normalize.test.ts checks they agree). */
export function defaultIncidentOptions(defaultService: string | null = null): IncidentOptions {
  return {
    errors: { minLevel: "error", exception: true, status: 500 },
    inApp: [],
    notInApp: [],
    rules: [],
    defaultService,
  };
}

export const STATUSES = ["open", "fix-proposed", "fix-merged", "resolved", "regressed", "ignored"] as const;
export type IncidentStatus = (typeof STATUSES)[number];
