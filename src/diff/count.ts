// Exact o200k_base token counts for packing, fast on large diffs. o200k first splits text into
// pieces with a regex, then byte-pair-encodes each piece on its own, so a count is the sum of the
// piece counts. Here the split is done by a hand-written scanner equivalent to that regex on ASCII
// (the Unicode regex is most of the tokenizer's time); wherever a piece's decision reads a
// non-ASCII character, the regex itself is used. Piece counts are memoised: code repeats its
// identifiers, indentation and punctuation endlessly. Equality with `countTokens` is property-tested.
import { countTokens } from "../llm/tokens.ts";

export type Counter = (text: string) => number;

const NON_ASCII = /[^\x00-\x7f]/g;
// o200k_base's split pattern (as gpt-tokenizer and tiktoken define it), sticky.
const SPLIT =
  /[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?:'(?:[sS]|[dD]|[mM]|[tT]|[lL][lL]|[vV][eE]|[rR][eE]))?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?:'(?:[sS]|[dD]|[mM]|[tT]|[lL][lL]|[vV][eE]|[rR][eE]))?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+/uy;

/** Highest index the last `pieceEnd` call read; its answer holds only if all of those were ASCII. */
let examined = 0;

// Character classes of the o200k split pattern, restricted to ASCII.
const isUpper = (c: number) => c >= 65 && c <= 90;
const isLower = (c: number) => c >= 97 && c <= 122;
const isLetter = (c: number) => isUpper(c) || isLower(c);
const isDigit = (c: number) => c >= 48 && c <= 57;
const isSpace = (c: number) => c === 32 || (c >= 9 && c <= 13);
const isNewline = (c: number) => c === 10 || c === 13;
const isPunct = (c: number) => !isSpace(c) && !isLetter(c) && !isDigit(c);

/** Length of an `'s|'t|'re|'ve|'m|'ll|'d` suffix (case-insensitive) at `i`, else 0. */
function contraction(s: string, i: number): number {
  if (s.charCodeAt(i) !== 39) return 0;
  const a = s.charCodeAt(i + 1) | 32;
  const b = s.charCodeAt(i + 2) | 32;
  if (a === 115 || a === 116 || a === 109 || a === 100) return 2; // s t m d
  if ((a === 114 || a === 118) && b === 101) return 3; // re ve
  if (a === 108 && b === 108) return 3; // ll
  return 0;
}

/** End of the o200k piece that starts at `i` in ASCII text `s` (same result as the regex). */
export function pieceEnd(s: string, i: number): number {
  const n = s.length;
  const c = s.charCodeAt(i);
  // [^\r\n\p{L}\p{N}]? [Lu]* [Ll]+ contraction?  |  [^\r\n\p{L}\p{N}]? [Lu]+ [Ll]* contraction?
  const j = !isNewline(c) && !isLetter(c) && !isDigit(c) ? i + 1 : i;
  if (j < n && isLetter(s.charCodeAt(j))) {
    let k = j;
    while (k < n && isUpper(s.charCodeAt(k))) k++;
    while (k < n && isLower(s.charCodeAt(k))) k++;
    examined = k + 2;
    return k + contraction(s, k);
  }
  // \p{N}{1,3}
  if (isDigit(c)) {
    let k = i + 1;
    while (k < n && k < i + 3 && isDigit(s.charCodeAt(k))) k++;
    examined = k;
    return k;
  }
  // ' ?[^\s\p{L}\p{N}]+[\r\n/]*'
  const p = c === 32 ? i + 1 : i;
  if (p < n && isPunct(s.charCodeAt(p))) {
    let k = p + 1;
    while (k < n && isPunct(s.charCodeAt(k))) k++;
    while (k < n && (isNewline(s.charCodeAt(k)) || s.charCodeAt(k) === 47)) k++;
    examined = k;
    return k;
  }
  // Whitespace: \s*[\r\n]+ | \s+(?!\S) | \s+
  let w = i;
  let lastNewline = -1;
  while (w < n && isSpace(s.charCodeAt(w))) {
    if (isNewline(s.charCodeAt(w))) lastNewline = w;
    w++;
  }
  examined = Math.max(w, i + 1);
  if (lastNewline >= 0) return lastNewline + 1;
  if (w === n || w - i === 1) return w;
  return w - 1;
}

/**
 * A counter with its own memo; make one per packing run (the memo holds that run's pieces).
 * Every result equals `countTokens(text)`.
 */
export function makeCounter(): Counter {
  const memo = new Map<string, number>();
  return (text) => {
    if (text.length === 0) return 0;
    let total = 0;
    let nonAscii = -1; // next non-ASCII index at or after i (text.length when none)
    for (let i = 0; i < text.length; ) {
      if (nonAscii < i) {
        NON_ASCII.lastIndex = i;
        nonAscii = NON_ASCII.exec(text)?.index ?? text.length;
      }
      let end = pieceEnd(text, i);
      if (examined >= nonAscii && nonAscii < text.length) {
        SPLIT.lastIndex = i;
        end = i + (SPLIT.exec(text)?.[0].length || 1);
      }
      const piece = text.slice(i, end);
      let t = memo.get(piece);
      if (t === undefined) {
        t = countTokens(piece);
        memo.set(piece, t);
      }
      total += t;
      i = end;
    }
    return total;
  };
}
