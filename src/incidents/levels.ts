// Log levels and their spellings. No imports: the ingest worker thread (chunk-worker.ts) loads this
// and prefilter.ts only, so it starts in a few milliseconds.

export const LEVELS = ["trace", "debug", "info", "warn", "error", "fatal"] as const;
export type Level = (typeof LEVELS)[number];
export const LEVEL_RANK: Record<Level, number> = { trace: 0, debug: 1, info: 2, warn: 3, error: 4, fatal: 5 };

/** Level names (lower case) and what they mean; the prefilter derives its error words from this table. */
export const LEVEL_WORDS: Readonly<Record<string, Level>> = {
  trace: "trace",
  finest: "trace",
  finer: "trace",
  debug: "debug",
  fine: "debug",
  config: "debug",
  info: "info",
  information: "info",
  notice: "info",
  warn: "warn",
  warning: "warn",
  error: "error",
  err: "error",
  severe: "error",
  dpanic: "error",
  fatal: "fatal",
  critical: "fatal",
  crit: "fatal",
  alert: "fatal",
  emerg: "fatal",
  emergency: "fatal",
  panic: "fatal",
};
