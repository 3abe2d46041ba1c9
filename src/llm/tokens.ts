// Token counting for prompts. o200k_base is the encoding of current OpenAI models; for other
// providers it is a close proxy, and budgets keep a reserve for the difference.
import { countTokens as countO200k, isWithinTokenLimit } from "gpt-tokenizer/encoding/o200k_base";

// Diffs and issue bodies are untrusted: a literal "<|endoftext|>" in them must count as plain
// text, not make the tokenizer throw.
const PLAIN = { disallowedSpecial: new Set<string>() };

/** Exact o200k_base token count of `text`, treating special-token strings as plain text. */
export function countTokens(text: string): number {
  if (text.length === 0) return 0;
  return countO200k(text, PLAIN);
}

/**
 * Exact count if `text` has at most `limit` tokens, otherwise `false`. Stops tokenizing as soon as
 * the limit is passed, so checking a huge file against a small remaining budget is cheap.
 */
export function countTokensWithin(text: string, limit: number): number | false {
  if (limit < 0) return false;
  if (text.length === 0) return 0;
  return isWithinTokenLimit(text, limit, PLAIN);
}

/**
 * Cheap upper bound: every o200k token covers at least one UTF-8 byte (special tokens are
 * disabled), so the byte length never undercounts. Loose (about 3–4× for code); use it to skip
 * exact counting when even the bound fits.
 */
export function estimateTokens(text: string): number {
  return Buffer.byteLength(text, "utf8");
}
