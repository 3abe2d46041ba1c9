import { describe, expect, it } from "vitest";
import { ConfigurationError } from "../../src/errors.ts";
import { createLlm } from "../../src/llm/client.ts";
import { DEFAULT_CONTEXT_WINDOW, lookupContextWindow, normaliseModelName } from "../../src/llm/models.ts";
import { parseLlmConfig } from "../../src/llm/schema.ts";
import { captureLog, testConfig } from "./helpers.ts";

describe("parseLlmConfig", () => {
  it("applies the defaults to an empty environment (not configured)", () => {
    expect(parseLlmConfig({})).toEqual({
      baseUrl: "https://api.openai.com/v1",
      apiKey: undefined,
      model: "gpt-4o-mini",
      contextWindow: undefined,
      maxOutputTokens: 4096,
      timeoutMs: 120_000,
      maxRetries: 3,
      structuredOutput: "auto",
      dailyTokenBudget: 2_000_000,
      priceInputPerMTok: undefined,
      priceOutputPerMTok: undefined,
    });
  });

  it("coerces strings from process.env and treats blanks as unset", () => {
    const cfg = parseLlmConfig({
      LLM_BASE_URL: "http://localhost:11434/v1/",
      LLM_API_KEY: "",
      LLM_MODEL: "qwen2.5-coder:32b",
      LLM_CONTEXT_WINDOW: "32768",
      LLM_MAX_OUTPUT_TOKENS: "2048",
      LLM_TIMEOUT_MS: "60000",
      LLM_MAX_RETRIES: "0",
      LLM_STRUCTURED_OUTPUT: "json_object",
      LLM_DAILY_TOKEN_BUDGET: "0",
      LLM_PRICE_INPUT_PER_MTOK: "0.15",
      LLM_PRICE_OUTPUT_PER_MTOK: " ",
    });
    expect(cfg).toEqual({
      baseUrl: "http://localhost:11434/v1",
      apiKey: undefined,
      model: "qwen2.5-coder:32b",
      contextWindow: 32_768,
      maxOutputTokens: 2048,
      timeoutMs: 60_000,
      maxRetries: 0,
      structuredOutput: "json_object",
      dailyTokenBudget: 0,
      priceInputPerMTok: 0.15,
      priceOutputPerMTok: undefined,
    });
  });

  it.each([
    [
      { LLM_BASE_URL: "not a url" },
      "LLM_BASE_URL: expected an http(s) URL such as https://api.openai.com/v1",
    ],
    [
      { LLM_BASE_URL: "ftp://x/v1" },
      "LLM_BASE_URL: expected an http(s) URL such as https://api.openai.com/v1",
    ],
    [{ LLM_TIMEOUT_MS: "soon" }, "LLM_TIMEOUT_MS: expected a positive integer number of milliseconds"],
    [{ LLM_TIMEOUT_MS: "0" }, "LLM_TIMEOUT_MS: expected a positive integer number of milliseconds"],
    [{ LLM_MAX_RETRIES: "-1" }, "LLM_MAX_RETRIES: expected an integer number of retries, 0 or more"],
    [{ LLM_CONTEXT_WINDOW: "12.5" }, "LLM_CONTEXT_WINDOW: expected a positive integer number of tokens"],
    [
      { LLM_STRUCTURED_OUTPUT: "yaml" },
      'LLM_STRUCTURED_OUTPUT: expected one of "auto", "json_schema", "json_object"',
    ],
    [
      { LLM_DAILY_TOKEN_BUDGET: "lots" },
      "LLM_DAILY_TOKEN_BUDGET: expected an integer number of tokens per installation per UTC day (0 = unlimited)",
    ],
    [
      { LLM_PRICE_OUTPUT_PER_MTOK: "-2" },
      "LLM_PRICE_OUTPUT_PER_MTOK: expected a non-negative number of USD per million tokens",
    ],
  ])("rejects %j with a one-line message naming the variable", (env, message) => {
    let err: unknown;
    try {
      parseLlmConfig(env);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigurationError);
    expect((err as Error).message).toBe(message);
  });
});

describe("context windows", () => {
  it.each([
    ["gpt-4o-mini", 128_000],
    ["openai/gpt-4o-2024-08-06", 128_000],
    ["gpt-4", 8_192],
    ["gpt-4-0613", 8_192],
    ["gpt-4-turbo", 128_000],
    ["gpt-4.1-mini", 1_047_576],
    ["gpt-3.5-turbo", 16_385],
    ["o1-mini", 128_000],
    ["o3-mini", 200_000],
    ["gpt-5-mini", 400_000],
    ["anthropic/claude-3-5-sonnet-20241022", 200_000],
    ["bedrock/anthropic.claude-sonnet-4-20250514-v1:0", 200_000],
    ["meta-llama/Llama-3.1-8B-Instruct", 131_072],
    ["llama3.1:8b", 131_072],
    ["ollama/llama3:8b", 8_192],
    ["Qwen/Qwen2.5-Coder-32B-Instruct", 32_768],
    ["qwen3-coder:30b", 262_144],
    ["mistral-large-latest", 131_072],
    ["mistralai/Mixtral-8x7B-Instruct-v0.1", 32_768],
    ["codestral-latest", 256_000],
    ["deepseek-chat", 128_000],
  ])("%s → %d", (model, window) => {
    expect(lookupContextWindow(model)).toBe(window);
  });

  it("normalises provider prefixes, tags and separators", () => {
    expect(normaliseModelName("ollama/Llama-3.1:70b-instruct")).toBe("llama3.1");
    expect(normaliseModelName("azure/gpt-4o")).toBe("gpt4o");
  });

  it("unknown models fall back to 128000 with a warning; LLM_CONTEXT_WINDOW overrides everything", () => {
    expect(lookupContextWindow("my-finetune-v2")).toBeUndefined();
    const { log, lines } = captureLog();
    const unknown = createLlm(testConfig({ model: "my-finetune-v2" }), { log });
    expect(unknown.contextWindow).toBe(DEFAULT_CONTEXT_WINDOW);
    expect(lines()).toContain('"model":"my-finetune-v2"');
    expect(lines()).toContain(
      "unknown LLM model; assuming the default context window (set LLM_CONTEXT_WINDOW)",
    );
    const quiet = captureLog();
    const pinned = createLlm(testConfig({ model: "llama3.1:8b", contextWindow: 8_192 }), { log: quiet.log });
    expect(pinned.contextWindow).toBe(8_192);
    expect(pinned.maxOutputTokens).toBe(512);
    expect(pinned.model).toBe("llama3.1:8b");
    expect(pinned.configured).toBe(true);
    expect(pinned.countTokens("hello world")).toBe(2);
    expect(quiet.lines()).toBe("");
  });
});
