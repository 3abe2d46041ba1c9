import { readFileSync } from "node:fs";
import { z } from "zod";
import { ConfigurationError } from "../errors.ts";
import { llmConfigFromEnv, llmEnvSchema, type LlmConfig } from "../llm/schema.ts";
import { DEFAULT_DATABASE_URL, parseDatabaseUrl } from "../store/index.ts";

const REPO_RE = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
const blank = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const optStr = z.preprocess(blank, z.string().optional());
const int = (what: string, min: number, dflt: number) =>
  z.preprocess(
    blank,
    z.coerce
      .number({ error: `expected ${what}` })
      .int({ error: `expected ${what}` })
      .min(min, { error: `expected ${what}` })
      .default(dflt),
  );

export const coreEnvSchema = z.object({
  APP_ID: z.preprocess(
    blank,
    z.coerce
      .number({ error: "expected the numeric App ID from the App's settings page" })
      .int()
      .positive({ error: "expected the numeric App ID from the App's settings page" })
      .optional(),
  ),
  PRIVATE_KEY: optStr,
  PRIVATE_KEY_PATH: optStr,
  WEBHOOK_SECRET: optStr,
  PORT: z.preprocess(
    blank,
    z.coerce
      .number({ error: "expected a TCP port number (1-65535)" })
      .int({ error: "expected a TCP port number (1-65535)" })
      .min(0, { error: "expected a TCP port number (1-65535)" })
      .max(65535, { error: "expected a TCP port number (1-65535)" })
      .default(3000),
  ),
  HOST: z.preprocess(blank, z.string().default("localhost")),
  LOG_LEVEL: z.preprocess(
    blank,
    z
      .enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"], {
        error: "expected one of trace, debug, info, warn, error, fatal, silent",
      })
      .default("info"),
  ),
  LOG_FORMAT: z.preprocess(
    blank,
    z.enum(["json", "pretty"], { error: "expected json or pretty" }).default("json"),
  ),
  WEBHOOK_PATH: z.preprocess(
    blank,
    z.string().startsWith("/", { error: "expected a path starting with /" }).default("/api/github/webhooks"),
  ),
  WEBHOOK_PROXY_URL: z.preprocess(
    blank,
    z.url({ error: "expected a URL such as https://smee.io/abc" }).optional(),
  ),
  GHE_HOST: optStr,
  APP_SLUG: optStr,
  GHE_PROTOCOL: z.preprocess(
    blank,
    z.enum(["https", "http"], { error: 'expected "https" or "http"' }).default("https"),
  ),
  DATABASE_URL: z.preprocess(blank, z.string().default(DEFAULT_DATABASE_URL)),
  STEWARD_CONCURRENCY: int("a positive integer number of jobs", 1, 4),
  STEWARD_INSTALLATION_CONCURRENCY: int("a positive integer number of jobs", 1, 2),
  STEWARD_JOB_MAX_ATTEMPTS: int("a positive integer number of attempts", 1, 5),
  STEWARD_LEASE_MS: int("milliseconds, at least 5000", 5_000, 60_000),
  STEWARD_SHUTDOWN_MS: int("milliseconds, 0 or more", 0, 30_000),
  STEWARD_JOB_TIMEOUT_MS: int("milliseconds, at least 1000", 1_000, 15 * 60_000),
  STEWARD_TASK_BUDGET_MS: int("milliseconds, at least 100", 100, 20_000),
  STEWARD_POOL_THREADS: int("a positive integer number of threads", 1, 2),
  STEWARD_TASK_MEMORY_MB: int("megabytes, at least 64", 64, 512),
  STEWARD_CONFIG_CACHE_MS: int("milliseconds, 0 or more", 0, 300_000),
  WORKER_SHARED_SECRET: optStr,
  STEWARD_INGEST_PATHS: optStr,
  STEWARD_INCIDENTS_REPO: z.preprocess(
    blank,
    z.string().regex(REPO_RE, { error: "expected owner/name, e.g. acme/api" }).optional(),
  ),
  STEWARD_INCIDENTS_INSTALLATION_ID: z.preprocess(
    blank,
    z.coerce.number().int().positive({ error: "expected the numeric installation id" }).optional(),
  ),
  STEWARD_INCIDENTS_REPOS: z.preprocess(
    blank,
    z
      .string()
      // redos-ok: validates an environment variable the operator sets at start-up, not outside text
      .regex(
        /^\s*[^=,\s]+\s*=\s*[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\s*(,\s*[^=,\s]+\s*=\s*[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\s*)*,?\s*$/,
        {
          error: "expected service=owner/name pairs separated by commas, e.g. api=acme/api,web=acme/web",
        },
      )
      .optional(),
  ),
  // OTLP/HTTP logs intake (src/incidents/otlp): off unless a token is set.
  STEWARD_OTLP_TOKEN: optStr,
  STEWARD_OTLP_PORT: z.preprocess(
    blank,
    z.coerce.number().int().min(1).max(65535, { error: "expected a TCP port number" }).optional(),
  ),
  STEWARD_OTLP_MAX_BODY_BYTES: int("a number of bytes, at least 1024", 1024, 8 * 1024 * 1024),
  STEWARD_OTLP_MAX_RECORDS: int("a positive number of log records", 1, 10_000),
  STEWARD_OTLP_RATE: int("log records per second per token, at least 1", 1, 20_000),
  STEWARD_OTLP_DEDUPE_HOURS: int("hours, at least 1", 1, 24),
});

/** OTLP/HTTP logs intake settings; `tokens` empty = endpoint off. */
export interface OtlpEnv {
  tokens: string[];
  /** A separate listener for POST /v1/logs; undefined = the serve port. */
  port: number | undefined;
  maxBodyBytes: number;
  maxRecords: number;
  ratePerSecond: number;
  dedupeHours: number;
}

export interface AppEnv {
  appId: number | undefined;
  /** PEM text; undefined means "not registered yet" (serve shows Probot's setup page). */
  privateKey: string | undefined;
  webhookSecret: string | undefined;
  port: number;
  host: string;
  logLevel: string;
  /** json (one object per line, for log shippers) or pretty (pino-pretty, for a terminal). */
  logFormat: "json" | "pretty";
  webhookPath: string;
  webhookProxyUrl: string | undefined;
  gheHost: string | undefined;
  /** The App's slug (`<slug>[bot]` authors Steward's comments); looked up via GET /app when unset. */
  appSlug: string | undefined;
  /** GitHub API base URL: api.github.com, or GHE_PROTOCOL://GHE_HOST/api/v3 for GitHub Enterprise Server. */
  githubApiUrl: string;
  databaseUrl: string;
  concurrency: number;
  installationConcurrency: number;
  jobMaxAttempts: number;
  leaseMs: number;
  /** After SIGTERM: how long running jobs may finish before their leases are given back. */
  shutdownMs: number;
  /** Wall-clock limit of one job attempt. */
  jobTimeoutMs: number;
  /** CPU budget of one task in the compute pool (diff parsing, packing, scoring, similar search). */
  taskBudgetMs: number;
  /** Worker threads in the compute pool. */
  poolThreads: number;
  /** Heap limit of one compute-pool thread. */
  taskMemoryMb: number;
  configCacheMs: number;
  workerSharedSecret: string | undefined;
  ingestPaths: string[];
  /** Where incidents are raised: a default repository, an optional per-service map, an optional installation. */
  incidents: { repo: string | undefined; installationId: number | undefined; repos: Record<string, string> };
  otlp: OtlpEnv;
  llm: LlmConfig;
}

function oneLine(issue: z.core.$ZodIssue | undefined): string {
  const key = issue?.path.map(String).join(".") || "environment";
  return `${key}: ${issue?.message ?? "invalid value"}`;
}

/** Accepts PEM text, PEM with literal "\n" escapes, or base64-encoded PEM (as some hosts require). */
export function normalisePrivateKey(raw: string, source: string): string {
  let key = raw.trim();
  if (!key.includes("-----BEGIN")) {
    const decoded = Buffer.from(key, "base64").toString("utf8");
    if (decoded.includes("-----BEGIN")) key = decoded.trim();
  }
  key = key.replace(/\\n/g, "\n").trim();
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key)) {
    throw new ConfigurationError(
      `${source}: expected a PEM private key ("-----BEGIN RSA PRIVATE KEY-----…") downloaded from the App's settings page`,
    );
  }
  return key;
}

/**
 * Parses and checks the whole environment. Throws a ConfigurationError whose message is one line naming
 * the variable and what was expected; values are never echoed (they may be secrets).
 */
export function loadEnv(
  env: Record<string, string | undefined> = process.env,
  opts: { requireApp?: boolean } = {},
): AppEnv {
  const core = coreEnvSchema.safeParse(env);
  if (!core.success) throw new ConfigurationError(oneLine(core.error.issues[0]));
  const llm = llmEnvSchema.safeParse(env);
  if (!llm.success) throw new ConfigurationError(oneLine(llm.error.issues[0]));
  const c = core.data;
  parseDatabaseUrl(c.DATABASE_URL);

  let privateKey: string | undefined;
  if (c.PRIVATE_KEY) privateKey = normalisePrivateKey(c.PRIVATE_KEY, "PRIVATE_KEY");
  else if (c.PRIVATE_KEY_PATH) {
    let text: string;
    try {
      text = readFileSync(c.PRIVATE_KEY_PATH, "utf8");
    } catch {
      throw new ConfigurationError(
        `PRIVATE_KEY_PATH: expected a readable .pem file, could not read ${c.PRIVATE_KEY_PATH}`,
      );
    }
    privateKey = normalisePrivateKey(text, "PRIVATE_KEY_PATH");
  }
  const registered = c.APP_ID !== undefined || privateKey !== undefined;
  if (registered || opts.requireApp) {
    if (c.APP_ID === undefined)
      throw new ConfigurationError("APP_ID: expected the numeric App ID from the App's settings page");
    if (!privateKey)
      throw new ConfigurationError("PRIVATE_KEY or PRIVATE_KEY_PATH: expected the App's PEM private key");
    if (!c.WEBHOOK_SECRET)
      throw new ConfigurationError(
        "WEBHOOK_SECRET: expected the webhook secret set on the App's settings page",
      );
  }
  return {
    appId: c.APP_ID,
    privateKey,
    webhookSecret: c.WEBHOOK_SECRET,
    port: c.PORT,
    host: c.HOST,
    logLevel: c.LOG_LEVEL,
    logFormat: c.LOG_FORMAT,
    webhookPath: c.WEBHOOK_PATH,
    webhookProxyUrl: c.WEBHOOK_PROXY_URL,
    gheHost: c.GHE_HOST,
    appSlug: c.APP_SLUG,
    githubApiUrl: c.GHE_HOST ? `${c.GHE_PROTOCOL}://${c.GHE_HOST}/api/v3` : "https://api.github.com",
    databaseUrl: c.DATABASE_URL,
    concurrency: c.STEWARD_CONCURRENCY,
    installationConcurrency: c.STEWARD_INSTALLATION_CONCURRENCY,
    jobMaxAttempts: c.STEWARD_JOB_MAX_ATTEMPTS,
    leaseMs: c.STEWARD_LEASE_MS,
    shutdownMs: c.STEWARD_SHUTDOWN_MS,
    jobTimeoutMs: c.STEWARD_JOB_TIMEOUT_MS,
    taskBudgetMs: c.STEWARD_TASK_BUDGET_MS,
    poolThreads: c.STEWARD_POOL_THREADS,
    taskMemoryMb: c.STEWARD_TASK_MEMORY_MB,
    configCacheMs: c.STEWARD_CONFIG_CACHE_MS,
    workerSharedSecret: c.WORKER_SHARED_SECRET,
    ingestPaths: (c.STEWARD_INGEST_PATHS ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
    incidents: {
      repo: c.STEWARD_INCIDENTS_REPO,
      installationId: c.STEWARD_INCIDENTS_INSTALLATION_ID,
      repos: Object.fromEntries(
        (c.STEWARD_INCIDENTS_REPOS ?? "")
          .split(",")
          .filter((p) => p.includes("="))
          .map((p) => p.split("=").map((x) => x.trim()) as [string, string]),
      ),
    },
    otlp: {
      // Several tokens (comma-separated) let senders be rotated or rate-limited apart.
      tokens: (c.STEWARD_OTLP_TOKEN ?? "")
        .split(",")
        .map((t) => t.trim())
        .filter(Boolean),
      port: c.STEWARD_OTLP_PORT,
      maxBodyBytes: c.STEWARD_OTLP_MAX_BODY_BYTES,
      maxRecords: c.STEWARD_OTLP_MAX_RECORDS,
      ratePerSecond: c.STEWARD_OTLP_RATE,
      dedupeHours: c.STEWARD_OTLP_DEDUPE_HOURS,
    },
    llm: llmConfigFromEnv(llm.data),
  };
}
