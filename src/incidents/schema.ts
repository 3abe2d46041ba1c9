import { z } from "zod";
import { ConfigurationError } from "../errors.ts";

// Shapes shared by the incident pipeline: the normalised record, frames, and the options a user
// can set (in `.github/steward.yml` / server config) for what counts as an error and how to group.

export const LEVELS = ["trace", "debug", "info", "warn", "error", "fatal"] as const;
export type Level = (typeof LEVELS)[number];
export const LEVEL_RANK: Record<Level, number> = { trace: 0, debug: 1, info: 2, warn: 3, error: 4, fatal: 5 };

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

const matchSchema = z
  .object({
    type: z.string().optional(),
    message: z.string().optional(),
    service: z.string().optional(),
    path: z.string().optional(),
  })
  .strict();

/** A custom grouping rule: when every given matcher (a regex source) matches, use `fingerprint`. */
export const fingerprintRuleSchema = z
  .object({
    match: matchSchema,
    fingerprint: z.array(z.string().min(1)).min(1, "fingerprint needs at least one value"),
  })
  .strict();
export type FingerprintRule = z.infer<typeof fingerprintRuleSchema>;

export const errorPolicySchema = z
  .object({
    minLevel: z.enum(LEVELS).default("error"),
    exception: z.boolean().default(true),
    /** HTTP status at or above which a record is an error; 0 disables. */
    status: z.number().int().min(0).max(999).default(500),
  })
  .strict();
export type ErrorPolicy = z.infer<typeof errorPolicySchema>;

export const incidentOptionsSchema = z
  .object({
    errors: errorPolicySchema.default({ minLevel: "error", exception: true, status: 500 }),
    /** Globs (picomatch) over frame file/module that force a frame in-app. */
    inApp: z.array(z.string()).default([]),
    /** Globs that force a frame out of the app (checked before `inApp`). */
    notInApp: z.array(z.string()).default([]),
    rules: z.array(fingerprintRuleSchema).default([]),
    /** Service name used when a record carries none. */
    defaultService: z.string().nullable().default(null),
  })
  .strict();
export type IncidentOptions = z.infer<typeof incidentOptionsSchema>;

export function parseIncidentOptions(input: unknown): IncidentOptions {
  const r = incidentOptionsSchema.safeParse(input ?? {});
  if (r.success) return r.data;
  const first = r.error.issues[0]!;
  throw new ConfigurationError(`incidents.${first.path.join(".") || "(root)"}: ${first.message}`);
}

export const STATUSES = ["open", "fix-proposed", "fix-merged", "resolved", "regressed", "ignored"] as const;
export type IncidentStatus = (typeof STATUSES)[number];
