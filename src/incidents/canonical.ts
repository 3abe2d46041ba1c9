// Key order of a JSON object line, made canonical without parsing it: the top-level members are
// copied verbatim, sorted by key (stably), into `{m1,m2,…}`.
//
// Why: V8 gives every JSON object a hidden class per key *order*. Loggers that shuffle or vary
// their key order (dict ordering, field injection, sorted-keys options on some lines only) make
// JSON.parse create new hidden classes for most error lines, and every property read after it go
// through megamorphic lookups. On the mixed-shape benchmark that is about a third of the main
// thread's error path. The back-fill's prefilter thread, which has time to spare, rewrites the
// candidate lines; the main thread then parses objects of few shapes.
//
// Exactness: JSON.parse of the rewritten line yields the same own properties with the same values
// as the original (only their enumeration order differs), and fails exactly when the original
// fails. So the rewrite is refused (the caller keeps the original bytes) whenever that is not
// certain:
// - any structural deviation from JSON at the top level (the member values are copied as they
//   are, so their own validity, and what they parse to, cannot change);
// - a key with a backslash or a non-ASCII byte (two spellings of one key must keep their relative
//   order, so that the last duplicate still wins: keys are compared as raw bytes, and only plain
//   ASCII keys have one spelling);
// - more than MAX_MEMBERS members, keys longer than MAX_KEY_BYTES in all, or nesting deeper than
//   MAX_DEPTH.
// Readers of the parsed record must not depend on key order (normalize.ts and exception.ts do
// not); the stored sample is parsed from the original bytes.
//
// Linear time: one forward pass over the bytes, and an insertion sort of at most MAX_MEMBERS keys.

const MAX_MEMBERS = 64;
const MAX_DEPTH = 64;
// Key comparisons cost up to a key's length each, and a sort makes up to MAX_MEMBERS² / 2 of them:
// lines whose keys add up to more than this are left as they are (real keys are short).
const MAX_KEY_BYTES = 2048;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** Index just past the closing quote of the string whose opening quote is at `i`, or -1. */
function skipString(b: Uint8Array, i: number, end: number): number {
  for (let j = i + 1; j < end; j++) {
    const c = b[j]!;
    if (c === QUOTE) return j + 1;
    if (c === BACKSLASH) j++;
  }
  return -1;
}

/**
 * Index just past the value starting at `i` (not whitespace), or -1 if its extent cannot be found.
 * Scalars end before the next `,` `}` `]` or whitespace; their spelling is JSON.parse's business.
 */
function skipValue(b: Uint8Array, i: number, end: number): number {
  const c = b[i]!;
  if (c === QUOTE) return skipString(b, i, end);
  if (c === 0x7b || c === 0x5b) {
    let depth = 0;
    for (let j = i; j < end; j++) {
      const d = b[j]!;
      if (d === QUOTE) {
        j = skipString(b, j, end) - 1;
        if (j < 0) return -1;
      } else if (d === 0x7b || d === 0x5b) {
        if (++depth > MAX_DEPTH) return -1;
      } else if (d === 0x7d || d === 0x5d) {
        if (--depth === 0) return j + 1;
      }
    }
    return -1;
  }
  let j = i;
  while (j < end) {
    const d = b[j]!;
    if (d === 0x2c || d === 0x7d || d === 0x5d || isWs(d)) break;
    j++;
  }
  return j === i ? -1 : j;
}

// Scratch space for one line's members: [start, end) of each member and of its key's content.
const mStart = new Int32Array(MAX_MEMBERS);
const mEnd = new Int32Array(MAX_MEMBERS);
const kStart = new Int32Array(MAX_MEMBERS);
const kEnd = new Int32Array(MAX_MEMBERS);
const order = new Int32Array(MAX_MEMBERS);

function keyLess(b: Uint8Array, x: number, y: number): boolean {
  const xs = kStart[x]!;
  const xl = kEnd[x]! - xs;
  const ys = kStart[y]!;
  const yl = kEnd[y]! - ys;
  const n = Math.min(xl, yl);
  for (let k = 0; k < n; k++) {
    const d = b[xs + k]! - b[ys + k]!;
    if (d !== 0) return d < 0;
  }
  return xl < yl;
}

/**
 * The line `b[start, end)` (trimmed, `{` … `}`) with its members in key order, written to
 * `out` at `at`. Returns the end offset in `out`, or -1 when the line is left as it is: already in
 * key order, or not certainly a rewritable JSON object (see above). `out` must have room for
 * `end - start` bytes at `at`.
 */
export function canonicalizeLine(
  b: Uint8Array,
  start: number,
  end: number,
  out: Uint8Array,
  at: number,
): number {
  if (b[start] !== 0x7b || b[end - 1] !== 0x7d) return -1;
  let i = start + 1;
  let n = 0;
  let sorted = true;
  let keyBytes = 0;
  while (i < end && isWs(b[i]!)) i++;
  if (b[i] === 0x7d) return -1; // `{}` (or not JSON): nothing to order
  for (;;) {
    if (n === MAX_MEMBERS || i >= end || b[i] !== QUOTE) return -1;
    const ms = i;
    const ke = skipString(b, i, end);
    if (ke < 0) return -1;
    for (let k = i + 1; k < ke - 1; k++) {
      const c = b[k]!;
      if (c === BACKSLASH || c >= 0x80) return -1;
    }
    keyBytes += ke - i - 2;
    if (keyBytes > MAX_KEY_BYTES) return -1;
    kStart[n] = i + 1;
    kEnd[n] = ke - 1;
    i = ke;
    while (i < end && isWs(b[i]!)) i++;
    if (i >= end || b[i] !== 0x3a) return -1;
    i++;
    while (i < end && isWs(b[i]!)) i++;
    if (i >= end) return -1;
    const ve = skipValue(b, i, end);
    if (ve < 0) return -1;
    mStart[n] = ms;
    mEnd[n] = ve;
    if (n > 0 && sorted && keyLess(b, n, n - 1)) sorted = false;
    n++;
    i = ve;
    while (i < end && isWs(b[i]!)) i++;
    if (i >= end) return -1;
    const c = b[i]!;
    if (c === 0x7d) {
      if (i !== end - 1) return -1;
      break;
    }
    if (c !== 0x2c) return -1;
    i++;
    while (i < end && isWs(b[i]!)) i++;
  }
  if (sorted) return -1;
  // Stable insertion sort of the member indexes by key bytes.
  for (let x = 0; x < n; x++) {
    let y = x;
    while (y > 0 && keyLess(b, x, order[y - 1]!)) {
      order[y] = order[y - 1]!;
      y--;
    }
    order[y] = x;
  }
  let o = at;
  out[o++] = 0x7b;
  for (let x = 0; x < n; x++) {
    if (x > 0) out[o++] = 0x2c;
    const m = order[x]!;
    const s = mStart[m]!;
    const e = mEnd[m]!;
    if (e - s > 64) {
      out.set(b.subarray(s, e), o);
      o += e - s;
    } else for (let k = s; k < e; k++) out[o++] = b[k]!;
  }
  out[o++] = 0x7d;
  return o;
}
