// Tokenizer for bug reports. Plain word splitting loses what identifies a bug best: identifiers
// (`FileSystem.getUri`), stack frames, exception types and versions. We keep those whole AND split
// them into their parts, so "NullPointerException" matches both the exact type and prose about
// "null pointer".

import { STOP_WORDS } from "./stopwords.ts";

/** Characters of a field that are tokenized; the rest is ignored so a 1 MB body stays cheap. */
export const MAX_FIELD_CHARS = 20_000;

// A run of word characters possibly joined by `.`, `_`, `$`, `-`, `/`, `#` (identifiers, paths, frames),
// or a dotted version number.
// `(?<!\d)`: a version starts where its digits start, so a long digit run is scanned once, not once per digit.
const TOKEN_RE = /v?(?<!\d)\d+(?:\.\d+)+[a-z0-9-]*|[A-Za-z_$][\w$]*(?:(?:::|[./#:-])[A-Za-z_$][\w$]*)*/g;
const CAMEL_RE = /[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+/g;
// redos-ok: every repeat is bounded ({0,500}, {0,5000}), so one attempt reads at most ~5,000 characters, and the field is cut to MAX_FIELD_CHARS first
const HTML_TAG_RE = /<\/?[a-zA-Z][^>]{0,500}>|<!--[\s\S]{0,5000}?-->|&[a-z]+;|&#\d+;/g;
const URL_RE = /\bhttps?:\/\/\S+/g;
const FILE_EXT_RE =
  /\.(java|js|ts|tsx|jsx|py|rb|go|rs|c|cc|cpp|h|hpp|cs|kt|scala|php|swift|m|xml|json|ya?ml|sh|xul|css|html)$/i;

function isStop(t: string): boolean {
  return t.length < 2 || STOP_WORDS.has(t);
}

/** A tiny suffix stripper for English prose words; identifiers are never stemmed. */
export function stem(w: string): string {
  if (w.length <= 4) return w;
  if (w.endsWith("ies") && w.length > 5) return `${w.slice(0, -3)}y`;
  if (w.endsWith("ing") && w.length > 6) return w.slice(0, -3);
  if (w.endsWith("ed") && w.length > 5) return w.slice(0, -2);
  if (w.endsWith("es") && /(ss|x|ch|sh)es$/.test(w)) return w.slice(0, -2);
  if (w.endsWith("s") && !w.endsWith("ss") && !w.endsWith("us") && !w.endsWith("is")) return w.slice(0, -1);
  return w;
}

function pushWordParts(word: string, out: string[]): void {
  const lower = word.toLowerCase();
  const parts = word.split(/[_$]+/).flatMap((p) => p.match(CAMEL_RE) ?? []);
  if (parts.length <= 1) {
    if (/^\d+$/.test(lower)) return; // bare numbers are ids, line numbers, counts: noise
    if (!isStop(lower)) out.push(/[A-Z]/.test(word.slice(1)) ? lower : stem(lower));
    return;
  }
  // Compound identifier: the whole token is precise, its parts give recall.
  if (lower.length <= 60) out.push(lower);
  for (const p of parts) {
    const pl = p.toLowerCase();
    if (!/^\d+$/.test(pl) && !isStop(pl)) out.push(stem(pl));
  }
}

/**
 * Splits text into index terms. Deterministic and allocation-light: it runs on every document at
 * index-build time (thousands per second).
 */
export function tokenize(text: string, maxChars = MAX_FIELD_CHARS): string[] {
  if (!text) return [];
  const src = (text.length > maxChars ? text.slice(0, maxChars) : text)
    .replace(URL_RE, " ")
    .replace(HTML_TAG_RE, " ");
  const out: string[] = [];
  for (const m of src.matchAll(TOKEN_RE)) {
    const tok = m[0];
    const c0 = tok.charCodeAt(0);
    if ((c0 >= 48 && c0 <= 57) || (c0 === 118 && /^v\d/.test(tok))) {
      // Version: keep full and major.minor.
      const v = tok.replace(/^v/, "").toLowerCase();
      out.push(v);
      const mm = /^\d+\.\d+/.exec(v);
      if (mm && mm[0] !== v) out.push(mm[0]);
      continue;
    }
    if (!/[./#:-]/.test(tok)) {
      pushWordParts(tok, out);
      continue;
    }
    // Dotted/pathed token: a stack frame (`org.apache.Foo.bar`), file name (`FSDownload.java`),
    // path (`src/a/b.ts`) or hyphenated word.
    const segs = tok.split(/[./#:-]+/).filter(Boolean);
    if (segs.length === 0) continue;
    if (FILE_EXT_RE.test(tok)) {
      const base = segs[segs.length - 2];
      if (base) {
        out.push(`${base.toLowerCase()}.${segs[segs.length - 1].toLowerCase()}`);
        pushWordParts(base, out);
      }
      continue;
    }
    if (tok.includes("-") && !/[./#:]/.test(tok)) {
      for (const s of segs) pushWordParts(s, out);
      continue;
    }
    // Qualified name: keep `Class.method` (a frame's identity without its package) plus each part.
    const cls = segs[segs.length - 2];
    const member = segs[segs.length - 1];
    if (cls && /^[A-Z]/.test(cls) && /^[a-z_$]/.test(member)) out.push(`${cls}.${member}`.toLowerCase());
    // Package prefixes (org, apache, com) repeat on every frame; only the last three segments carry signal.
    for (const s of segs.length > 3 ? segs.slice(-3) : segs) pushWordParts(s, out);
  }
  return out;
}

/** Whether a term is an identifier-like token (error type, qualified name, file, version). */
export function isSpecialTerm(t: string): boolean {
  return /[._$]|\d/.test(t) || t.endsWith("exception") || (t.endsWith("error") && t.length > 5);
}
