import { LEVEL_RANK, LEVEL_WORDS } from "./levels.ts";

// Answers "could this JSON line be an error under a policy of minLevel ≥ error (and status ≥ N)?"
// without decoding or parsing it. A false positive only costs a JSON.parse; a false negative would
// lose an error, so each trigger is derived from what normalize.ts/exception.ts actually read:
//
// - an exception can only come from the keys err*, error*, exc*/exception*, stack*, throwable, so a
//   line holding one contains `"err`, `"exc`, `"stack` or `"throwable"`;
// - a level can only come from keys ending in level / levelname / level_value / severity /
//   severity_text / severityText / severity_number / severityNumber; the value after each such key
//   is checked (error words from LEVEL_WORDS, case-insensitive; numbers against the key's scale);
// - a status can only come from keys ending in status / statusCode / status_code (value ≥ N);
// - JSON may spell any ASCII letter or digit as `\u00XX`; such a line is always a candidate.
//
// Needles are found with Buffer#indexOf (native), so bytes of lines without any needle are never
// touched by JS. Anything unexpected after a key (objects, fractions, exponents, escapes,
// non-ASCII) makes the line a candidate.

const b = (s: string) => Buffer.from(s, "latin1");

const ERROR_WORDS = new Set(
  Object.entries(LEVEL_WORDS)
    .filter(([, l]) => LEVEL_RANK[l] >= LEVEL_RANK.error)
    .map(([w]) => w),
);
const MAX_WORD = Math.max(...[...ERROR_WORDS].map((w) => w.length));
// The error words as bytes, by length: a level value is compared in place (case-insensitively),
// without building a string for every line that has a level.
const WORDS_BY_LENGTH: Uint8Array[][] = Array.from({ length: MAX_WORD + 1 }, () => []);
for (const w of ERROR_WORDS) WORDS_BY_LENGTH[w.length]!.push(b(w));

const KIND = { direct: 0, escape: 1, level: 2, severity: 3, status: 4, v: 5 } as const;
type Kind = (typeof KIND)[keyof typeof KIND];

interface Needle {
  /** What is searched for: a short piece starting with a rare character. */
  text: string;
  /** Bytes that must come right before `text` for the hit to count (the rest of the key). */
  before: Buffer;
  kind: Kind;
}

// `"err` is found as `rr` preceded by `"e`, and so on. String#indexOf scans for the first character
// of the needle, so a needle starting with `"` or a common letter stops at nearly every byte; `v`,
// `k`, `x`, `w` and `\` are rare in logs. Searches run on a latin1 copy of the block (one byte per
// character, so string and byte positions agree): String#indexOf has no per-call binding cost.
// Needles that are rare in healthy lines share one regex pass (cheaper than one pass each); the
// ones found on nearly every line (level and status keys) use String#indexOf.
const n = (before: string, text: string, kind: Kind): Needle => ({ text, before: b(before), kind });
// `"err` is in the regex too, as `rr` looked back on (a scan for `rr` stops at every `r`, common in
// logs; the regex engine skips ahead and returns only the keys).
const RARE: Array<Needle & { pattern?: string }> = [
  n('"e', "xc", KIND.direct),
  n('"stac', "k", KIND.direct),
  n('"thro', "wable", KIND.direct),
  n("", "\\u00", KIND.escape),
  { ...n('"e', "rr", KIND.direct), pattern: 'rr(?<="err)' },
];
const RARE_BY_TEXT = new Map(RARE.map((x) => [x.text, x]));
// redos-ok: alternation of the constant RARE needles (escaped literals, one with a fixed four-character lookbehind): test/security/redos-dynamic.test.ts checks the assembled pattern with recheck
export const RARE_RE = new RegExp(RARE.map((x) => x.pattern ?? x.text.replace(/\\/g, "\\\\")).join("|"), "g");

// One pass over `v` serves both level (`le|v|el`) and severity (`se|v|erity`) keys; `us` (checked
// for `stat` before it) is cheaper to scan for than `atus`.
function needles(statusMin: number): Needle[] {
  const out = [n("", "v", KIND.v)];
  if (statusMin > 0) out.push(n("stat", "us", KIND.status));
  return out;
}

const ERITY = b("erity");

// Key suffixes (after the needle, up to the closing quote) and the numeric threshold for an error.
// Thresholds mirror toLevel: pino numbers (≥ 50), logback level_value (≥ 40000), OTel severity
// numbers (≥ 17).
const LEVEL_SUFFIX: Array<[Buffer, number]> = [
  [b('"'), 50],
  [b('name"'), 50],
  [b('_value"'), 40000],
];
const SEVERITY_SUFFIX: Array<[Buffer, number]> = [
  [b('"'), 50],
  [b('_text"'), 50],
  [b('Text"'), 50],
  [b('_number"'), 17],
  [b('Number"'), 17],
];
const STATUS_SUFFIX: Array<[Buffer, number]> = [
  [b('"'), 0],
  [b('Code"'), 0],
  [b('_code"'), 0],
];

function startsWith(buf: Uint8Array, i: number, end: number, w: Uint8Array): boolean {
  if (i + w.length > end) return false;
  for (let k = 0; k < w.length; k++) if (buf[i + k] !== w[k]) return false;
  return true;
}

// No newline: a value is never looked for on the next line.
const isWs = (c: number) => c === 0x20 || c === 0x09 || c === 0x0d;

/**
 * `i` is just past a key needle. True when the key is a level/status key whose value could make
 * the record an error.
 */
function keyedTrigger(buf: Uint8Array, i: number, end: number, kind: Kind, statusMin: number): boolean {
  const table = kind === KIND.level ? LEVEL_SUFFIX : kind === KIND.severity ? SEVERITY_SUFFIX : STATUS_SUFFIX;
  let threshold = -1;
  for (let k = 0; k < table.length; k++) {
    const suffix = table[k]![0];
    if (startsWith(buf, i, end, suffix)) {
      i += suffix.length;
      threshold = kind === KIND.status ? statusMin : table[k]![1];
      break;
    }
  }
  if (threshold < 0) return false; // not one of the keys the normaliser reads
  while (i < end && isWs(buf[i]!)) i++;
  if (i >= end || buf[i] !== 0x3a) return false; // not a key: a string value that ends in "level"
  i++;
  while (i < end && isWs(buf[i]!)) i++;
  if (i >= end) return true;
  const c = buf[i]!;
  if (c === 0x22) return stringTrigger(buf, i + 1, end, kind, threshold);
  if (c === 0x2d) return false; // negative numbers are below every threshold
  if (c >= 0x30 && c <= 0x39) return numberTrigger(buf, i, end, threshold, true);
  if (c === 0x7b) return kind !== KIND.status; // OTel AnyValue {stringValue}; a status object is no status
  // true / false / null / arrays resolve to "info" or no status.
  return c !== 0x74 && c !== 0x66 && c !== 0x6e && c !== 0x5b;
}

function numberTrigger(buf: Uint8Array, i: number, end: number, threshold: number, bare: boolean): boolean {
  let n = 0;
  let digits = 0;
  for (; i < end; i++) {
    const c = buf[i]!;
    if (c >= 0x30 && c <= 0x39) {
      n = n * 10 + (c - 0x30);
      if (++digits > 12) return true;
      continue;
    }
    // A bare number ends at , } ] or whitespace; a fraction or exponent is judged by JSON.parse.
    if (bare && (c === 0x2c || c === 0x7d || c === 0x5d || c === 0x0a || isWs(c))) break;
    if (!bare && c === 0x22) break;
    return true;
  }
  return digits === 0 || n >= threshold;
}

const lower = (c: number) => (c >= 0x41 && c <= 0x5a ? c | 0x20 : c);

function stringTrigger(buf: Uint8Array, i: number, end: number, kind: Kind, threshold: number): boolean {
  const close = indexOfByte(buf, 0x22, i, end);
  if (close < 0) return true;
  let allDigits = close > i;
  for (let k = i; k < close; k++) {
    const c = buf[k]!;
    if (c === 0x5c || c >= 0x80) return true; // escapes and non-ASCII: let JSON.parse + toLowerCase decide
    if (c < 0x30 || c > 0x39) allDigits = false;
  }
  if (allDigits) {
    // toLevel and status parsing both accept digit strings.
    if (kind === KIND.status && close - i !== 3) return false;
    return numberTrigger(buf, i, close + 1, threshold, false);
  }
  if (kind === KIND.status || close - i > MAX_WORD) return false;
  return isErrorWord(buf, i, close);
}

function isErrorWord(buf: Uint8Array, i: number, close: number): boolean {
  const words = WORDS_BY_LENGTH[close - i]!;
  next: for (let n = 0; n < words.length; n++) {
    const w = words[n]!;
    for (let k = 0; k < w.length; k++) if (lower(buf[i + k]!) !== w[k]) continue next;
    return true;
  }
  return false;
}

function indexOfByte(buf: Uint8Array, byte: number, from: number, end: number): number {
  for (let k = from; k < end; k++) {
    const c = buf[k];
    if (c === byte) return k;
    if (c === 0x0a) return -1;
  }
  return -1;
}

function escapeTrigger(buf: Uint8Array, i: number, end: number): boolean {
  // `\u00` followed by 3–7 spells a digit, a letter or punctuation in that range.
  if (i >= end) return false;
  const c = buf[i]!;
  return c >= 0x33 && c <= 0x37;
}

function hit(buf: Uint8Array, at: number, n: Needle, end: number, statusMin: number): boolean {
  const pre = n.before;
  if (pre.length > 0) {
    const p = at - pre.length;
    if (p < 0) return false;
    for (let k = 0; k < pre.length; k++) if (buf[p + k] !== pre[k]) return false;
  }
  const after = at + n.text.length;
  if (n.kind === KIND.direct) return true;
  if (n.kind === KIND.v) {
    if (at < 2 || buf[at - 1] !== 0x65) return false;
    const p = buf[at - 2];
    if (p === 0x6c && buf[at + 1] === 0x65 && buf[at + 2] === 0x6c)
      return keyedTrigger(buf, at + 3, end, KIND.level, statusMin);
    if (p === 0x73 && startsWith(buf, at + 1, end, ERITY))
      return keyedTrigger(buf, at + 6, end, KIND.severity, statusMin);
    return false;
  }
  if (n.kind === KIND.escape) return escapeTrigger(buf, after, end);
  return keyedTrigger(buf, after, end, n.kind, statusMin);
}

/**
 * Finds candidate lines in a block of lines. `reset` runs each needle over the whole block once
 * (tight loops, no per-line work) and keeps the sorted positions of the hits that count; asking
 * about a line is then a pointer comparison.
 */
export class LineScanner {
  readonly #needles: Needle[];
  readonly #statusMin: number;
  #hits = new Int32Array(256);
  #count = 0;
  #ptr = 0;

  /** `statusMin`: the policy's error status (0: status never makes an error). */
  constructor(statusMin = 500) {
    this.#statusMin = statusMin;
    this.#needles = needles(statusMin);
  }

  /**
   * Starts a new block: `text` is `buf` from byte `base` on, decoded as latin1 (same positions),
   * and holds whole lines (it ends at a line end).
   */
  reset(buf: Uint8Array, text: string, base: number): void {
    this.#count = 0;
    this.#ptr = 0;
    const end = base + text.length;
    const min = this.#statusMin;
    for (const n of this.#needles) {
      for (let at = text.indexOf(n.text); at >= 0; at = text.indexOf(n.text, at + 1)) {
        if (hit(buf, at + base, n, end, min)) this.#push(at + base);
      }
    }
    RARE_RE.lastIndex = 0;
    for (let m = RARE_RE.exec(text); m !== null; m = RARE_RE.exec(text)) {
      if (hit(buf, m.index + base, RARE_BY_TEXT.get(m[0])!, end, min)) this.#push(m.index + base);
      RARE_RE.lastIndex = m.index + 1;
    }
    if (this.#count > 1) this.#hits.subarray(0, this.#count).sort();
  }

  #push(at: number): void {
    if (this.#count === this.#hits.length) {
      const grown = new Int32Array(this.#hits.length * 2);
      grown.set(this.#hits);
      this.#hits = grown;
    }
    this.#hits[this.#count++] = at;
  }

  /** Could the line [start, end) be an error? Lines must be visited in increasing order after `reset`. */
  candidate(start: number, end: number): boolean {
    const hits = this.#hits;
    let p = this.#ptr;
    while (p < this.#count && hits[p]! < start) p++;
    this.#ptr = p;
    return p < this.#count && hits[p]! < end;
  }
}

const single = new Map<number, LineScanner>();

/** One line, on its own: could it be an error under the default policy (status ≥ `statusMin`)? */
export function maybeError(buf: Uint8Array, start: number, end: number, statusMin = 500): boolean {
  let s = single.get(statusMin);
  if (!s) {
    s = new LineScanner(statusMin);
    single.set(statusMin, s);
  }
  s.reset(buf, Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString("latin1", start, end), start);
  return s.candidate(start, end);
}
