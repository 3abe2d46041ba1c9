// Token counting for prompts. o200k_base is the encoding of current OpenAI models; for other
// providers it is a close proxy, and budgets keep a reserve for the difference.
import { countTokens as countO200k, isWithinTokenLimit } from "gpt-tokenizer/encoding/o200k_base";

// Diffs and issue bodies are untrusted: a literal "<|endoftext|>" in them must count as plain
// text, not make the tokenizer throw.
const PLAIN = { disallowedSpecial: new Set<string>() };

/**
 * Longest run of one character class (letters, whitespace, other) counted as one piece. The
 * tokenizer's byte-pair merge is quadratic in the length of one pre-token: 100,000 tabs in a PR held
 * the event loop for seconds. Text with a longer run is counted in slices of this size instead: a
 * close upper estimate (a merge across a cut is lost), linear in the length.
 */
export const MAX_TOKEN_RUN = 512;

function charClass(code: number): number {
  if (code === 0x20 || (code >= 0x09 && code <= 0x0d)) return 1;
  if ((code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || code >= 0x80) return 2;
  return 3;
}

/** True when `text` has a run of one character class longer than MAX_TOKEN_RUN (one linear pass). */
export function hasLongRun(text: string): boolean {
  let run = 0;
  let last = 0;
  for (let i = 0; i < text.length; i++) {
    const c = charClass(text.charCodeAt(i));
    run = c === last ? run + 1 : 1;
    last = c;
    if (run > MAX_TOKEN_RUN) return true;
  }
  return false;
}

function* slices(text: string): Generator<string> {
  for (let i = 0; i < text.length; ) {
    let end = Math.min(text.length, i + MAX_TOKEN_RUN);
    const code = text.charCodeAt(end - 1);
    if (end < text.length && code >= 0xd800 && code <= 0xdbff) end--;
    yield text.slice(i, end);
    i = end;
  }
}

/**
 * o200k_base token count of `text`, treating special-token strings as plain text: exact, except for
 * text with a run longer than MAX_TOKEN_RUN, which is counted in slices (see there).
 */
export function countTokens(text: string): number {
  if (text.length === 0) return 0;
  if (!hasLongRun(text)) return countO200k(text, PLAIN);
  let total = 0;
  for (const piece of slices(text)) total += countO200k(piece, PLAIN);
  return total;
}

/**
 * Exact count if `text` has at most `limit` tokens, otherwise `false`. Stops tokenizing as soon as
 * the limit is passed, so checking a huge file against a small remaining budget is cheap.
 */
export function countTokensWithin(text: string, limit: number): number | false {
  if (limit < 0) return false;
  if (text.length === 0) return 0;
  if (!hasLongRun(text)) return isWithinTokenLimit(text, limit, PLAIN);
  let total = 0;
  for (const piece of slices(text)) {
    total += countO200k(piece, PLAIN);
    if (total > limit) return false;
  }
  return total;
}

/**
 * Cheap upper bound: every o200k token covers at least one UTF-8 byte (special tokens are
 * disabled), so the byte length never undercounts. Loose (about 3–4× for code); use it to skip
 * exact counting when even the bound fits.
 */
export function estimateTokens(text: string): number {
  return Buffer.byteLength(text, "utf8");
}
