import { createRequire } from "node:module";
import pino, { type Logger } from "pino";

// pino-pretty is loaded only when LOG_FORMAT=pretty asks for it: it is about as heavy as pino itself,
// and the CLI's start-up is part of what a short `steward ingest --once` costs.
const requireCjs = createRequire(import.meta.url);
const loadPretty = (): typeof import("pino-pretty") => requireCjs("pino-pretty");

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

export interface LoggerOptions {
  level?: string;
  destination?: pino.DestinationStream;
  secrets?: readonly string[];
  /** "pretty" renders lines with pino-pretty for a terminal; "json" (default) is one object per line. */
  format?: "json" | "pretty";
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const secrets = [...(opts.secrets ?? [])].sort((a, b) => b.length - a.length);
  const destination =
    opts.destination ??
    (opts.format === "pretty"
      ? loadPretty()({ colorize: Boolean(process.stdout.isTTY), ignore: "pid,hostname", sync: true })
      : undefined);
  const forged = recentDeliveries();
  return pino(
    {
      name: "steward",
      level: opts.level ?? process.env.LOG_LEVEL ?? "info",
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      base: undefined,
      hooks: {
        streamWrite: (s) => mergeNames(maskSecrets(s, secrets)),
        logMethod(args, method) {
          const first = args[0] as unknown;
          const sig = signatureFailure(first);
          if (sig) {
            // Probot reports one forged delivery twice, each with stacks and the payload: a 48 KB flood
            // anyone can trigger. One warning per delivery says all there is to say.
            if (forged.seen(sig.id)) return;
            this.warn(
              { deliveryId: sig.id, event: sig.event },
              "webhook rejected: signature does not match WEBHOOK_SECRET",
            );
            return;
          }
          // `steward serve` prints one line for a port it cannot listen on; Probot's copy has a stack.
          if (isListenError(first)) return;
          method.apply(this, args as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}

type ErrorLike = { message?: unknown; code?: unknown; syscall?: unknown; event?: unknown; errors?: unknown };

function errorOf(v: unknown): ErrorLike | undefined {
  if (v instanceof Error) return v as ErrorLike;
  if (v && typeof v === "object" && "err" in v && (v as { err: unknown }).err instanceof Error)
    return (v as { err: ErrorLike }).err;
  return undefined;
}

/** A webhook whose signature did not verify, as @octokit/webhooks reports it (maybe aggregated). */
function signatureFailure(v: unknown): { id: string; event: string | undefined } | undefined {
  const err = errorOf(v);
  if (!err) return undefined;
  const inner = Array.isArray(err.errors) && err.errors[0] ? (err.errors[0] as ErrorLike) : err;
  const message = String(inner.message ?? "").slice(0, 300);
  if (!/signature does not match|x-hub-signature/i.test(message)) return undefined;
  const event = (inner.event ?? err.event) as { id?: unknown; name?: unknown } | undefined;
  const id = typeof event?.id === "string" ? event.id.slice(0, 100) : "unknown";
  return { id, event: typeof event?.name === "string" ? event.name.slice(0, 100) : undefined };
}

function isListenError(v: unknown): boolean {
  const err = errorOf(v);
  return err?.syscall === "listen" && (err.code === "EADDRINUSE" || err.code === "EACCES");
}

/** Delivery ids already warned about, for a minute, at most 1,000 of them. */
function recentDeliveries(): { seen(id: string): boolean } {
  const ids = new Map<string, number>();
  return {
    seen(id) {
      const now = Date.now();
      const at = ids.get(id);
      if (at !== undefined && now - at < 60_000) return true;
      if (ids.size >= 1_000) ids.delete(ids.keys().next().value as string);
      ids.set(id, now);
      return false;
    },
  };
}

// Each child logger with a `name` binding (Probot's "probot", "event" …) appends another "name" key
// right after the root's, which JSON consumers read as one value at best. Joined into one key instead:
// "name":"steward/probot/event". Anchored at the line start and bounded, so it stays linear.
const NAMES =
  /^(\{"level":\d{1,3},"time":\d{1,20}),"name":"([^"\\]{0,100})"((?:,"name":"[^"\\]{0,100}"){1,8})/;

export function mergeNames(line: string): string {
  const m = NAMES.exec(line);
  if (!m) return line;
  const rest = [...m[3]!.matchAll(/"name":"([^"\\]{0,100})"/g)].map((x) => x[1]);
  return `${m[1]},"name":"${[m[2], ...rest].join("/")}"${line.slice(m[0].length)}`;
}

/** A logger that drops everything; for tests and CLI paths that print their own output. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
