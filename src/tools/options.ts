// Per-run options from a comment: `/review --num_findings=3 --extra_instructions="be terse"`.
// Only an allow-list of safe keys; anything that could redirect the model, spend money or leak a
// secret (keys, URLs, models, budgets) is refused with a message saying where it is set instead.
import { neutralize } from "../github/neutralize.ts";
import { z } from "zod";

const int = (min: number, max: number) =>
  z.coerce
    .number({ error: `expected a whole number from ${min} to ${max}` })
    .int({ error: `expected a whole number from ${min} to ${max}` })
    .min(min, { error: `expected a whole number from ${min} to ${max}` })
    .max(max, { error: `expected a whole number from ${min} to ${max}` });

const flag = z
  .enum(["true", "false", "yes", "no", "1", "0", "on", "off"], { error: "expected true or false" })
  .transform((v) => v === "true" || v === "yes" || v === "1" || v === "on");

export const RUN_OPTION_SCHEMAS = {
  num_findings: int(0, 20),
  max_suggestions: int(1, 20),
  min_score: int(0, 10),
  context_lines: int(0, 20),
  include_improve: flag,
  incremental: flag,
  format: z.enum(["markdown", "json"], { error: 'expected "markdown" or "json"' }),
  language: z
    .string()
    .regex(/^[A-Za-z][A-Za-z -]{1,29}$/, { error: "expected a language name such as English or de" }),
  extra_instructions: z
    .string()
    .min(1, { error: "expected some text" })
    .max(500, { error: "expected at most 500 characters" }),
} as const;

export type RunOptionKey = keyof typeof RUN_OPTION_SCHEMAS;
export type RunOptions = { [K in RunOptionKey]?: z.output<(typeof RUN_OPTION_SCHEMAS)[K]> };

export const RUN_OPTION_KEYS = Object.keys(RUN_OPTION_SCHEMAS) as RunOptionKey[];

// Substrings that mark a key as never settable from a comment.
const FORBIDDEN =
  /(key|token|secret|password|passwd|credential|auth|url|uri|endpoint|base|host|proxy|model|budget|cost|price|webhook|api|permission|provider|deploy)/;

export type ParsedOptions = { ok: true; options: RunOptions; rest: string } | { ok: false; errors: string[] };

/** Splits on whitespace, honouring "double" and 'single' quotes. Never throws. */
export function tokenize(input: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quote: string | null = null;
  let has = false;
  for (const ch of input) {
    if (quote) {
      if (ch === quote) quote = null;
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      has = true;
    } else if (/\s/.test(ch)) {
      if (has || cur) out.push(cur);
      cur = "";
      has = false;
    } else {
      cur += ch;
      has = true;
    }
  }
  if (has || cur) out.push(cur);
  return out;
}

/** The commenter's own option name, echoed back through the one neutralising function. */
function shown(key: string): string {
  return neutralize(`--${key}`, "code", { max: 42 });
}

/**
 * Reads leading `--key=value` / `--flag` tokens. The text after the first non-option token is
 * returned as `rest` (the question of /ask, for instance).
 */
export function parseRunOptions(input: string): ParsedOptions {
  const tokens = tokenize(input);
  const options: Record<string, unknown> = {};
  const errors: string[] = [];
  let i = 0;
  for (; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (!t.startsWith("--") || t === "--") break;
    const eq = t.indexOf("=");
    const rawKey = (eq < 0 ? t.slice(2) : t.slice(2, eq)).trim();
    const key = rawKey
      .toLowerCase()
      .replace(/-/g, "_")
      .replace(/^[a-z_]+\./, "");
    const value = eq < 0 ? "true" : t.slice(eq + 1);
    if (FORBIDDEN.test(key)) {
      errors.push(
        `${shown(rawKey)} cannot be set from a comment: secrets, URLs, models and budgets are set only in the Steward server environment or .github/steward.yml.`,
      );
      continue;
    }
    // Own keys only: `--constructor=1` or `--__proto__=1` is an unknown option, not Object's.
    if (!Object.hasOwn(RUN_OPTION_SCHEMAS, key)) {
      errors.push(
        `${shown(rawKey)} is not a known option; allowed: ${RUN_OPTION_KEYS.map((k) => `--${k}`).join(", ")}.`,
      );
      continue;
    }
    const r = RUN_OPTION_SCHEMAS[key as RunOptionKey].safeParse(value);
    if (!r.success) {
      errors.push(`${shown(key)}: ${r.error.issues[0]?.message ?? "invalid value"}.`);
      continue;
    }
    options[key] = r.data;
  }
  if (errors.length > 0) return { ok: false, errors };
  // Re-find the rest in the original text so the question keeps its own spacing and quotes.
  let rest = input;
  for (let k = 0; k < i; k++) {
    rest = rest.replace(/^\s*(?:"[^"]*"|'[^']*'|\S)+/, "");
  }
  return { ok: true, options: options as RunOptions, rest: rest.trim() };
}
