// The LLM environment variables. The lead merges `llmEnvSchema` into the app env schema; the LLM
// client itself takes the camel-cased `LlmConfig` built by `llmConfigFromEnv`.
import { z } from "zod";
import { ConfigurationError } from "../errors.ts";
import { trimEndChar } from "../linear-text.ts";

// `.env` files often carry `LLM_API_KEY=` for "not set"; an empty string means absent everywhere.
const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

const optionalInt = (what: string, min: number) =>
  z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ error: `expected ${what}` })
      .int({ error: `expected ${what}` })
      .min(min, { error: `expected ${what}` })
      .optional(),
  );

const intWithDefault = (what: string, min: number, dflt: number) =>
  z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ error: `expected ${what}` })
      .int({ error: `expected ${what}` })
      .min(min, { error: `expected ${what}` })
      .default(dflt),
  );

const optionalPrice = z.preprocess(
  blankToUndefined,
  z.coerce
    .number({ error: "expected a non-negative number of USD per million tokens" })
    .min(0, { error: "expected a non-negative number of USD per million tokens" })
    .optional(),
);

export const STRUCTURED_OUTPUT_MODES = ["auto", "json_schema", "json_object"] as const;
export type StructuredOutputMode = (typeof STRUCTURED_OUTPUT_MODES)[number];

export const llmEnvSchema = z.object({
  LLM_BASE_URL: z.preprocess(
    blankToUndefined,
    z
      .url({ protocol: /^https?$/, error: "expected an http(s) URL such as https://api.openai.com/v1" })
      .default("https://api.openai.com/v1"),
  ),
  LLM_API_KEY: z.preprocess(blankToUndefined, z.string().optional()),
  LLM_MODEL: z.preprocess(
    blankToUndefined,
    z.string({ error: "expected a model name" }).default("gpt-4o-mini"),
  ),
  LLM_CONTEXT_WINDOW: optionalInt("a positive integer number of tokens", 1024),
  LLM_MAX_OUTPUT_TOKENS: intWithDefault("a positive integer number of tokens", 1, 4096),
  LLM_TIMEOUT_MS: intWithDefault("a positive integer number of milliseconds", 1, 120_000),
  LLM_MAX_RETRIES: intWithDefault("an integer number of retries, 0 or more", 0, 3),
  LLM_STRUCTURED_OUTPUT: z.preprocess(
    blankToUndefined,
    z
      .enum(STRUCTURED_OUTPUT_MODES, { error: 'expected one of "auto", "json_schema", "json_object"' })
      .default("auto"),
  ),
  LLM_DAILY_TOKEN_BUDGET: intWithDefault(
    "an integer number of tokens per installation per UTC day (0 = unlimited)",
    0,
    2_000_000,
  ),
  LLM_PRICE_INPUT_PER_MTOK: optionalPrice,
  LLM_PRICE_OUTPUT_PER_MTOK: optionalPrice,
});

export type LlmEnv = z.output<typeof llmEnvSchema>;

export interface LlmConfig {
  baseUrl: string;
  /** Absent means "not configured": LLM steps are skipped with a visible note. */
  apiKey: string | undefined;
  model: string;
  /** Explicit override; otherwise the client looks the model up in models.ts. */
  contextWindow: number | undefined;
  maxOutputTokens: number;
  timeoutMs: number;
  maxRetries: number;
  structuredOutput: StructuredOutputMode;
  /** Tokens per installation per UTC day; 0 means unlimited. */
  dailyTokenBudget: number;
  priceInputPerMTok: number | undefined;
  priceOutputPerMTok: number | undefined;
}

export function llmConfigFromEnv(env: LlmEnv): LlmConfig {
  return {
    baseUrl: trimEndChar(env.LLM_BASE_URL, "/"),
    apiKey: env.LLM_API_KEY,
    model: env.LLM_MODEL,
    contextWindow: env.LLM_CONTEXT_WINDOW,
    maxOutputTokens: env.LLM_MAX_OUTPUT_TOKENS,
    timeoutMs: env.LLM_TIMEOUT_MS,
    maxRetries: env.LLM_MAX_RETRIES,
    structuredOutput: env.LLM_STRUCTURED_OUTPUT,
    dailyTokenBudget: env.LLM_DAILY_TOKEN_BUDGET,
    priceInputPerMTok: env.LLM_PRICE_INPUT_PER_MTOK,
    priceOutputPerMTok: env.LLM_PRICE_OUTPUT_PER_MTOK,
  };
}

/** Parses the LLM variables out of `env`; throws a one-line ConfigurationError naming the variable. */
export function parseLlmConfig(env: Record<string, string | undefined>): LlmConfig {
  const r = llmEnvSchema.safeParse(env);
  if (!r.success) {
    const issue = r.error.issues[0];
    const key = issue?.path.map(String).join(".") || "LLM environment";
    // Values are never echoed: a mistyped variable may hold a secret.
    throw new ConfigurationError(`${key}: ${issue?.message ?? "invalid value"}`);
  }
  return llmConfigFromEnv(r.data);
}
