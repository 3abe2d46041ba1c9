import { z } from "zod";
import { ConfigurationError } from "../errors.ts";
import { LEVELS } from "./levels.ts";

// The incident options a user can set (in `.github/steward.yml` / server config): what counts as an
// error and how to group. schema.ts holds their defaults without zod (defaultIncidentOptions).

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
