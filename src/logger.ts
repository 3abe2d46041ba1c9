import pino, { type Logger } from "pino";

// Paths pino redacts wherever they appear in a log object. Tokens, keys and authorization headers
// never reach the log stream.
export const REDACT_PATHS = [
  "token",
  "*.token",
  "apiKey",
  "*.apiKey",
  "privateKey",
  "*.privateKey",
  "webhookSecret",
  "*.webhookSecret",
  "workerSharedSecret",
  "*.workerSharedSecret",
  "authorization",
  "*.authorization",
  "headers.authorization",
  "*.headers.authorization",
  "*.headers.cookie",
  '*.headers["x-api-key"]',
  '*.headers["api-key"]',
  "req.headers.authorization",
  "request.headers.authorization",
  // Octokit's RequestError and OpenAI's APIError logged as `{ err }`: Octokit masks the header
  // itself, but a wrapper or a future version might not.
  "*.request.headers.authorization",
  "*.response.headers.authorization",
  "password",
  "*.password",
  "secret",
  "*.secret",
];

// Token shapes that must never reach the log stream even when they travel inside a message string
// or an error's cause chain (where path redaction cannot see them): GitHub installation/user/OAuth
// tokens and fine-grained PATs, OpenAI-style keys, Slack tokens, bearer headers, PEM private keys.
const TOKEN_SHAPES: RegExp[] = [
  /\bgh[pousr]_[A-Za-z0-9]{16,}/g,
  /\bgithub_pat_[A-Za-z0-9_]{20,}/g,
  /\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{16,}/g,
  /\bxox[abposr]-[A-Za-z0-9-]{10,}/g,
  /(?<=\b(?:Bearer|token) )[A-Za-z0-9._~+/=-]{16,}/g,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g,
];

/** Secrets shorter than this are not masked by value: they would match ordinary words. */
const MIN_SECRET_LENGTH = 8;

/**
 * Masks `secrets` (exact values, e.g. from the environment) and well-known token shapes in one
 * serialised log line. JSON escaping is applied to each value first, since the line is JSON.
 */
export function maskSecrets(line: string, secrets: readonly string[] = []): string {
  let out = line;
  for (const s of secrets) {
    if (s.length < MIN_SECRET_LENGTH) continue;
    const jsonForm = JSON.stringify(s).slice(1, -1);
    out = out.split(s).join("[redacted]");
    if (jsonForm !== s) out = out.split(jsonForm).join("[redacted]");
  }
  for (const re of TOKEN_SHAPES) out = out.replace(re, "[redacted]");
  return out;
}

/** Every secret value in the parsed environment, for `createLogger({ secrets })`. */
export function envSecrets(env: {
  privateKey?: string;
  webhookSecret?: string;
  workerSharedSecret?: string;
  llm?: { apiKey?: string };
  otlp?: { tokens: string[] };
}): string[] {
  const out: string[] = [];
  for (const v of [env.webhookSecret, env.workerSharedSecret, env.llm?.apiKey, ...(env.otlp?.tokens ?? [])])
    if (v) out.push(v);
  // A PEM key is logged, if ever, with its lines; mask each body line so no fragment survives.
  if (env.privateKey)
    for (const l of env.privateKey.split(/\r?\n/)) if (!l.startsWith("-----") && l.trim()) out.push(l.trim());
  return out;
}

export type { Logger };

export function createLogger(
  opts: { level?: string; destination?: pino.DestinationStream; secrets?: readonly string[] } = {},
): Logger {
  const secrets = [...(opts.secrets ?? [])].sort((a, b) => b.length - a.length);
  return pino(
    {
      name: "steward",
      level: opts.level ?? process.env.LOG_LEVEL ?? "info",
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      base: undefined,
      hooks: { streamWrite: (s) => maskSecrets(s, secrets) },
    },
    opts.destination,
  );
}

/** A logger that drops everything; for tests and CLI paths that print their own output. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
