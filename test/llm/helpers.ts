// Shared by the LLM client tests: a config pointing at http://llm.test/v1, a captured pino log, and
// OpenAI-shaped chat completion bodies.
import { Writable } from "node:stream";
import pino from "pino";
import type { Logger } from "../../src/logger.ts";
import type { LlmConfig } from "../../src/llm/schema.ts";

export const BASE = "http://llm.test";
export const KEY = "sk-test-SECRET-0123456789";

export function testConfig(over: Partial<LlmConfig> = {}): LlmConfig {
  return {
    baseUrl: `${BASE}/v1`,
    apiKey: KEY,
    model: "gpt-4o-mini",
    contextWindow: undefined,
    maxOutputTokens: 512,
    timeoutMs: 5_000,
    maxRetries: 2,
    structuredOutput: "auto",
    dailyTokenBudget: 0,
    priceInputPerMTok: 0.15,
    priceOutputPerMTok: 0.6,
    ...over,
  };
}

export function captureLog(): { log: Logger; lines: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  });
  return { log: pino({ level: "debug" }, stream), lines: () => chunks.join("") };
}

export function completion(content: string, usage = { prompt_tokens: 100, completion_tokens: 20 }) {
  return {
    id: "chatcmpl-test",
    object: "chat.completion",
    created: 1_700_000_000,
    model: "gpt-4o-mini",
    choices: [{ index: 0, message: { role: "assistant", content, refusal: null }, finish_reason: "stop" }],
    usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
  };
}

export type ChatBody = {
  model: string;
  messages: Array<{ role: string; content: string }>;
  response_format: {
    type: string;
    json_schema?: { name: string; schema: Record<string, unknown>; strict: boolean };
  };
  max_tokens?: number;
  max_completion_tokens?: number;
  temperature?: number;
};
