import { z } from "zod";

// `.github/steward.yml`. Every section has defaults, so an empty file (or none) is valid. Objects are
// strict: a misspelt key is reported by name instead of being silently ignored.

export const PERMISSION_LEVELS = ["read", "triage", "write", "maintain", "admin"] as const;
const permission = z.enum(PERMISSION_LEVELS, { error: `expected one of ${PERMISSION_LEVELS.join(", ")}` });

export const PR_TOOLS = ["describe", "review", "improve"] as const;
const prTool = z.enum(PR_TOOLS, { error: `expected a PR tool: ${PR_TOOLS.join(", ")}` });

const regexString = z.string().refine(
  // redos-ok: compiled only to validate the setting; this RegExp never matches any text
  (s) => {
    try {
      new RegExp(s);
      return true;
    } catch {
      return false;
    }
  },
  { error: "expected a valid regular expression" },
);

const prSection = z.strictObject({
  auto: z.array(prTool).default(["describe", "review"]),
  on_push: z.enum(["review", "none"], { error: 'expected "review" or "none"' }).default("review"),
  push_debounce_seconds: z.number().int().min(0).max(3600).default(60),
  drafts: z.boolean().default(false),
  min_permission: permission.default("write"),
  /** A "Steward review" check run per reviewed head SHA (needs the Checks: write permission). */
  checks: z.boolean().default(false),
  /** The check concludes `failure` when a finding of this severity or worse exists; else `neutral`. */
  checks_fail_on: z.enum(["critical", "major"], { error: 'expected "critical" or "major"' }).optional(),
  ignore: z
    .strictObject({
      title: z.array(regexString).default([]),
      labels: z.array(z.string()).default([]),
      authors: z.array(z.string()).default([]),
      branches: z.array(z.string()).default([]),
    })
    .prefault({}),
  paths: z
    .strictObject({
      ignore: z.array(z.string()).default([]),
      risky: z.array(z.string()).optional(),
      areas: z.record(z.string(), z.array(z.string())).optional(),
    })
    .prefault({}),
  review: z
    .strictObject({
      inline_findings: z.boolean().default(true),
      max_findings: z.number().int().min(0).max(50).default(8),
      extra_instructions: z.string().max(2000).optional(),
    })
    .prefault({}),
  improve: z
    .strictObject({
      score_threshold: z.number().min(0).max(10).default(7),
      max_chunks: z.number().int().min(1).max(8).default(4),
      commitable: z.boolean().default(true),
    })
    .prefault({}),
  describe: z
    .strictObject({
      labels: z.boolean().default(false),
      update_title: z.boolean().default(false),
      diagram: z.boolean().default(true),
    })
    .prefault({}),
});

const issuesSection = z.strictObject({
  enabled: z.boolean().default(true),
  grace_minutes: z.number().min(0).max(1440).default(3),
  min_permission: permission.default("triage"),
  opt_out_label: z.string().default("steward:skip"),
  score: z
    .strictObject({
      enabled: z.boolean().default(true),
      // Held-out labelled reports favour 4.5–5 over 6 (docs/BENCHMARKS.md); 5 still flags a bare stack trace.
      threshold: z.number().min(0).max(10).default(5),
      label: z.string().default("needs-more-info"),
    })
    .prefault({}),
  similar: z
    .strictObject({
      enabled: z.boolean().default(true),
      duplicate_threshold: z.number().min(0).max(1).optional(),
      related_threshold: z.number().min(0).max(1).optional(),
      label: z.string().default("possible-duplicate"),
      rerank: z.boolean().default(true),
    })
    .prefault({}),
  analyze: z.strictObject({ auto: z.boolean().default(true) }).prefault({}),
});

const fingerprintRule = z.strictObject({
  match: z
    .strictObject({
      type: z.string().optional(),
      message: z.string().optional(),
      service: z.string().optional(),
      path: z.string().optional(),
    })
    .refine((m) => Object.values(m).some((v) => v !== undefined), { error: "expected at least one matcher" }),
  fingerprint: z.array(z.string()).min(1),
  title: z.string().optional(),
});

const incidentsSection = z.strictObject({
  enabled: z.boolean().default(true),
  verification_hours: z
    .number()
    .min(0)
    .max(24 * 90)
    .default(24),
  stats_comment_minutes: z
    .number()
    .min(1)
    .max(24 * 60)
    .default(30),
  labels: z.array(z.string()).default(["incident"]),
  in_app: z.array(z.string()).default([]),
  fingerprint_rules: z.array(fingerprintRule).default([]),
  min_permission: permission.default("triage"),
});

const notifyRoute = z.strictObject({
  channel: z.string().min(1),
  events: z.array(z.enum(["pr", "issue", "incident", "failure"])).default(["pr", "issue", "incident"]),
  paths: z.array(z.string()).default([]),
  labels: z.array(z.string()).default([]),
});

const notifySection = z.strictObject({
  routes: z.array(notifyRoute).default([]),
  rate_per_minute: z.number().int().min(1).max(600).default(20),
});

const agentsSection = z.strictObject({
  enabled: z.boolean().default(true),
  label: z.string().optional(),
  min_permission: permission.default("write"),
  proposal_ttl_hours: z
    .number()
    .min(0.1)
    .max(24 * 7)
    .default(24),
  separate_approver: z.boolean().default(false),
  risk: z
    .strictObject({
      shell: permission.default("write"),
      push: permission.default("write"),
      open_pr: permission.default("write"),
      label: permission.default("triage"),
      close_issue: permission.default("triage"),
      merge_pr: permission.default("maintain"),
      deploy: permission.default("admin"),
    })
    .prefault({}),
  deploy: z.record(z.string(), z.array(z.string()).min(1)).default({}),
});

export const repoConfigSchema = z.strictObject({
  pr: prSection.prefault({}),
  issues: issuesSection.prefault({}),
  incidents: incidentsSection.prefault({}),
  notify: notifySection.prefault({}),
  agents: agentsSection.prefault({}),
});

export type RepoConfig = z.output<typeof repoConfigSchema>;

export const DEFAULT_CONFIG: RepoConfig = repoConfigSchema.parse({});
