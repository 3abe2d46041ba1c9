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
  "authorization",
  "*.authorization",
  "headers.authorization",
  "*.headers.authorization",
  "req.headers.authorization",
  "request.headers.authorization",
  "password",
  "*.password",
  "secret",
  "*.secret",
];

export type { Logger };

export function createLogger(opts: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  return pino(
    {
      name: "steward",
      level: opts.level ?? process.env.LOG_LEVEL ?? "info",
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      base: undefined,
    },
    opts.destination,
  );
}

/** A logger that drops everything; for tests and CLI paths that print their own output. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
