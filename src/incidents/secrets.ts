// Masks credentials in text that leaves the log file: incident titles, samples, issue bodies and
// worker hand-offs. Applied before anything is persisted, so no token ever reaches the store.

type Rule = [RegExp, string | ((...m: string[]) => string)] | ((text: string) => string);

const RULES: Rule[] = [
  // Connection strings: keep scheme, user and host, drop the password.
  // redos-ok: every repeat is bounded ({1,20}, {1,100}, {1,200}), so one attempt reads at most ~325 characters: linear in the input
  [
    /\b([a-z][a-z0-9+.-]{1,20}:\/\/[^\s:/@"']{1,100}):([^\s@/"']{1,200})@/gi,
    (_m, pre) => `${pre}:[redacted]@`,
  ],
  // Authorization headers and bearer tokens.
  [/\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]{8,}/g, (_m, kind) => `${kind} [redacted]`],
  // JWTs.
  (text) => maskJwts(text),
  // Vendor token formats with recognisable prefixes.
  [/\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/g, "[redacted-token]"],
  [/\bxox[abposr]-[A-Za-z0-9-]{10,}/g, "[redacted-token]"],
  [/\bsk-(?:proj-|live-|test-)?[A-Za-z0-9_-]{16,}/g, "[redacted-token]"],
  [/\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, "[redacted-aws-key]"],
  [/\bAIza[0-9A-Za-z_-]{35}\b/g, "[redacted-token]"],
  [
    /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g,
    "[redacted-private-key]",
  ],
  // key=value / "key": "value" pairs whose key names a secret.
  [
    // `(?<![\w-])` rather than `\b`: a key starts where its run of word characters and dashes starts,
    // so `a-b-c-…` is scanned once, not once per dash (same redactions: the key is re-emitted as is).
    // redos-ok: starts only where a run of [\w-] starts; the lazy key scan is one pass over that run and the value is bounded ({1,500}): linear
    /(["']?)(?<![\w-])((?:[\w-]*?(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|authorization|credentials?|session[_-]?id|cookie)))\1(\s*[:=]\s*)(["']?)([^\s"'&,;}]{1,500})\4/gi,
    (_m, q, key, sep, vq) => `${q}${key}${q}${sep}${vq}[redacted]${vq}`,
  ],
];

/** Returns `text` with every recognised secret replaced by a `[redacted…]` marker. */
export function maskSecrets(text: string): string {
  if (typeof text !== "string" || text === "") return typeof text === "string" ? text : "";
  let out = text;
  for (const rule of RULES) {
    if (typeof rule === "function") {
      out = rule(out);
      continue;
    }
    const [re, rep] = rule;
    re.lastIndex = 0;
    out = out.replace(re, rep as never);
  }
  return out;
}

const JWT_AT = /eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/y;
const JWT_CHAR = /[A-Za-z0-9_-]/;
const WORD_CHAR = /\w/;

/**
 * `text.replace(/\beyJ[A-Za-z0-9_-]{5,}\.eyJ…\.…/g, "[redacted-jwt]")` in linear time. The regex tries
 * every `eyJ` after a boundary and scans the rest of its run each time, so `-eyJ-eyJ-eyJ…` is quadratic.
 * A later `eyJ` in the same run sees the same dot and the same rest, with a shorter first part, so once
 * one start fails the rest of its run is skipped.
 */
export function maskJwts(text: string): string {
  let out = "";
  let last = 0;
  let skipUntil = 0;
  for (let i = text.indexOf("eyJ"); i >= 0; i = text.indexOf("eyJ", i + 1)) {
    if (i < skipUntil || (i > 0 && WORD_CHAR.test(text[i - 1]!))) continue;
    JWT_AT.lastIndex = i;
    const m = JWT_AT.exec(text);
    if (m) {
      out += `${text.slice(last, i)}[redacted-jwt]`;
      last = i + m[0].length;
      i = last - 1;
      continue;
    }
    let end = i + 3;
    while (end < text.length && JWT_CHAR.test(text[end]!)) end++;
    skipUntil = end;
  }
  return last === 0 ? text : out + text.slice(last);
}

/** Deep-masks every string inside a JSON-like value (keys named like secrets are blanked whole). */
export function maskValue(value: unknown, depth = 0): unknown {
  if (depth > 20) return "[truncated]";
  if (typeof value === "string") return maskSecrets(value);
  if (Array.isArray(value)) return value.map((v) => maskValue(v, depth + 1));
  if (value && typeof value === "object") {
    // fromEntries defines own properties: a record key "__proto__" stays a key, never a prototype.
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        SECRET_KEY.test(k) && v !== null && typeof v !== "object" ? "[redacted]" : maskValue(v, depth + 1),
      ]),
    );
  }
  return value;
}

const SECRET_KEY =
  /password|passwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|authorization|cookie|credential/i;
