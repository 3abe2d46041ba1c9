// Context windows of common models, so prompt budgets come from the model's real window rather than
// one cap for everyone. LLM_CONTEXT_WINDOW overrides this table (needed for Ollama, whose server-side
// num_ctx is usually smaller than the model's window, and for vLLM's --max-model-len).

export const DEFAULT_CONTEXT_WINDOW = 128_000;

// Keys are normalised prefixes (see normaliseModelName); the longest matching prefix wins, so
// "gpt4omini" beats "gpt4o" beats "gpt4".
const WINDOWS: ReadonlyArray<readonly [string, number]> = [
  // OpenAI
  ["gpt3.5turbo", 16_385],
  ["gpt4", 8_192],
  ["gpt432k", 32_768],
  ["gpt4turbo", 128_000],
  ["gpt41106", 128_000],
  ["gpt40125", 128_000],
  ["gpt4o", 128_000],
  ["chatgpt4o", 128_000],
  ["gpt4.1", 1_047_576],
  ["gpt4.5", 128_000],
  ["gpt5", 400_000],
  ["o1", 200_000],
  ["o1mini", 128_000],
  ["o1preview", 128_000],
  ["o3", 200_000],
  ["o4mini", 200_000],
  ["gptoss", 131_072],
  // Anthropic (through LiteLLM or another OpenAI-compatible proxy)
  ["claude", 200_000],
  // Meta Llama
  ["llama2", 4_096],
  ["llama3", 8_192],
  ["llama3.1", 131_072],
  ["llama3.2", 131_072],
  ["llama3.3", 131_072],
  ["llama4scout", 10_000_000],
  ["llama4maverick", 1_000_000],
  ["codellama", 16_384],
  // Qwen (native windows; YaRN-extended deployments should set LLM_CONTEXT_WINDOW)
  ["qwen2", 32_768],
  ["qwen2.5", 32_768],
  ["qwen2.5coder", 32_768],
  ["qwen3", 32_768],
  ["qwen3coder", 262_144],
  ["qwq", 131_072],
  // Mistral
  ["mistral7b", 32_768],
  ["mistral", 32_768],
  ["mistrallarge", 131_072],
  ["mistralmedium", 131_072],
  ["mistralsmall", 32_768],
  ["mistralsmall3.1", 131_072],
  ["mistralsmall3.2", 131_072],
  ["mistralsmalllatest", 131_072],
  ["mistralnemo", 131_072],
  ["openmistralnemo", 131_072],
  ["mixtral8x7b", 32_768],
  ["mixtral8x22b", 65_536],
  ["codestral", 256_000],
  ["devstral", 131_072],
  ["ministral", 131_072],
  // Others commonly served through LiteLLM / vLLM
  ["deepseekchat", 128_000],
  ["deepseekreasoner", 128_000],
  ["deepseekv3", 128_000],
  ["deepseekr1", 128_000],
  ["deepseekcoderv2", 128_000],
  ["gemini1.5pro", 2_097_152],
  ["gemini1.5flash", 1_048_576],
  ["gemini2", 1_048_576],
  ["gemini2.5", 1_048_576],
  ["gemma2", 8_192],
  ["gemma3", 131_072],
  ["phi3", 4_096],
  ["phi4", 16_384],
];

/**
 * Lower-cases, drops provider prefixes ("openai/", "anthropic.", "ollama/meta-llama/"), Ollama
 * tags (":8b") and separators, so "meta-llama/Llama-3.1-8B-Instruct", "llama3.1:8b" and
 * "ollama/llama3.1" all normalise to a string starting with "llama3.1".
 */
export function normaliseModelName(model: string): string {
  let m = model.trim().toLowerCase();
  m = m.slice(m.lastIndexOf("/") + 1);
  m = m.replace(/^(anthropic|meta|mistral|us\.anthropic|eu\.anthropic)\./, "");
  m = m.split(":", 1)[0]!;
  return m.replace(/[^a-z0-9.]/g, "");
}

/** The model's context window in tokens, or undefined for a model the table does not know. */
export function lookupContextWindow(model: string): number | undefined {
  const name = normaliseModelName(model);
  let best: readonly [string, number] | undefined;
  for (const entry of WINDOWS) {
    if (name.startsWith(entry[0]) && (!best || entry[0].length > best[0].length)) best = entry;
  }
  return best?.[1];
}
