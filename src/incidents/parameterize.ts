// Replaces the variable parts of an error message (ids, numbers, hashes, dates, addresses…) with
// placeholders, so "user 41 not found" and "user 97 not found" group together.
//
// One combined alternation, compiled once: the regex engine scans the text a single time instead of
// once per category. Order matters: at any position the first alternative that matches wins, so the
// more specific shapes (email before url, uuid before hex, date before int…) come first.

const MON = "(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)";
const DAY = "(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)";
const HEX4 = "[0-9a-fA-F]{1,4}";

// An email's local part starts with a word character: a `-@x.io` left over after another category
// matched ("::12-@x.io") would otherwise become an email only on a second pass, and parameterising
// must be idempotent on its own output.
const CATEGORIES: Array<[name: string, source: string]> = [
  ["email", String.raw`(?<![\w.+-])\w[\w.+-]{0,63}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})+`],
  [
    "url",
    String.raw`\b(?:https?|wss?|ftp|postgres(?:ql)?|mysql|redis|mongodb(?:\+srv)?|amqps?)://[^\s"'<>()\[\]{}]+`,
  ],
  ["uuid", String.raw`\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b`],
  ["traceparent", String.raw`\b00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}\b`],
  [
    "date",
    [
      // RFC 3339 / ISO 8601 (with optional time, fraction and offset)
      String.raw`\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b`,
      // RFC 1123 / 822 / 850
      String.raw`\b${DAY}[a-z]*, \d{1,2}[ -]${MON}[ -]\d{2,4} \d{2}:\d{2}:\d{2}(?: (?:GMT|UTC|[+-]\d{4}))?`,
      // JS Date.prototype.toString
      String.raw`\b${DAY} ${MON} \d{2} \d{4} \d{2}:\d{2}:\d{2}(?: GMT[+-]\d{4}(?: \([^)\n]{1,60}\))?)?`,
      // Common log format and slash dates
      String.raw`\b\d{1,2}/${MON}/\d{4}:\d{2}:\d{2}:\d{2}(?: [+-]\d{4})?`,
      String.raw`\b\d{1,2}/\d{1,2}/\d{2,4}\b`,
      // Clock times, 24h or 12h
      String.raw`\b\d{1,2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?: ?[AaPp][Mm]\b)?(?![\d:])`,
    ].join("|"),
  ],
  [
    "ip",
    [
      String.raw`\b(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}(?::\d{1,5})?\b`,
      // IPv6: needs a digit and either 8 groups or a `::`; never preceded by a word char, so `Foo::bar` stays.
      String.raw`(?<![\w:])(?=[0-9a-fA-F:]*\d)(?:(?:${HEX4}:){7}${HEX4}|(?:${HEX4}:){1,7}:(?:${HEX4}(?::${HEX4}){0,6})?|::(?:${HEX4}(?::${HEX4}){0,6})?)(?:%\w+)?(?![\w:])`,
    ].join("|"),
  ],
  ["sha1", String.raw`\b[0-9a-fA-F]{40}\b`],
  ["md5", String.raw`\b[0-9a-fA-F]{32}\b`],
  ["hex", String.raw`\b0[xX][0-9a-fA-F]+\b|\b(?=[0-9a-fA-F]*\d)(?:[0-9a-f]{8,128}|[0-9A-F]{8,128})\b`],
  [
    "duration",
    String.raw`(?<![\w.])\d+(?:\.\d+)? ?(?:ns|us|µs|ms|s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?)\b`,
  ],
  ["float", String.raw`(?<![\w.])-?\d+\.\d+(?![\w.])`],
  ["int", String.raw`(?<!\w)-?\d+(?!\w)`],
  ["quoted", String.raw`(?<=[=:] ?)(?:"[^"\n]{0,200}"|'[^'\n]{0,200}'|\x60[^\x60\n]{0,200}\x60)`],
  ["bool", String.raw`(?<==)(?:true|false|True|False)\b`],
];

const NAMES = CATEGORIES.map(([n]) => n);
// redos-ok: assembled from the constant CATEGORIES above; its repeats are bounded or start at a boundary, and parameterize() cuts its input to MAX_INPUT (2,048) first. recheck times out on the whole alternation rather than reporting growth
export const COMBINED = new RegExp(CATEGORIES.map(([n, s]) => `(?<${n}>${s})`).join("|"), "g");
// The same alternation with plain groups, which is what runs: a named group makes V8 build a
// `groups` object for every match. Group i + 1 is category i (the categories have no capturing
// groups of their own; parameterize.test.ts checks the result against COMBINED's named groups), so
// the replacer finds the category by position.
// redos-ok: the same constant alternation as COMBINED, with its group names removed
const POSITIONAL = new RegExp(CATEGORIES.map(([, s]) => `(${s})`).join("|"), "g");
const PLACEHOLDER = NAMES.map((n) => `<${n}>`);

function replacer(...args: unknown[]): string {
  for (let i = 0; i < PLACEHOLDER.length; i++) if (args[i + 1] !== undefined) return PLACEHOLDER[i]!;
  return "<?>";
}

const MAX_INPUT = 2048;
const MAX_PASSES = 6;

// Errors repeat, and their messages differ mostly in the ids that the first pass replaces: the
// passes after the first are memoised by the first pass's output, and a whole message that recurs
// verbatim by its text. Both are pure functions of their key; bounded by clearing when full, and
// long texts are not kept.
const MEMO_MAX = 4096;
const MEMO_MAX_CHARS = 512;
const wholeMemo = new Map<string, string>();
const restMemo = new Map<string, string>();
function remember(m: Map<string, string>, key: string, value: string): string {
  if (key.length > MEMO_MAX_CHARS) return value;
  if (m.size >= MEMO_MAX) m.clear();
  m.set(key, value);
  return value;
}

function pass(text: string): string {
  POSITIONAL.lastIndex = 0;
  return text.replace(POSITIONAL, replacer);
}

/** Parameterises one text (no line handling). Total: never throws, whatever the input. */
export function parameterize(text: string): string {
  if (typeof text !== "string" || text === "") return "";
  const t = text.length > MAX_INPUT ? text.slice(0, MAX_INPUT) : text;
  const known = wholeMemo.get(t);
  if (known !== undefined) return known;
  // A placeholder's `<`/`>` can open a boundary that the original text did not have ("2024-01-02ff::5ms":
  // once the date's digits are gone, `02ff::` reads as an address). Re-applying until nothing changes
  // makes the result a fixed point, so grouping is idempotent; each pass is linear and only shortens or
  // keeps the text, and the pass count is bounded.
  const first = pass(t);
  if (first === t) return remember(wholeMemo, t, t);
  let out = restMemo.get(first);
  if (out === undefined) {
    out = first;
    for (let p = 1; p < MAX_PASSES; p++) {
      const next = pass(out);
      if (next === out) break;
      out = next;
    }
    remember(restMemo, first, out);
  }
  return remember(wholeMemo, t, out);
}

/**
 * The grouping form of a message: its first two non-empty lines, parameterised, with `...` appended
 * when anything was cut.
 */
export function normalizeMessage(message: string | null | undefined): string {
  if (!message) return "";
  const lines: string[] = [];
  let cut = false;
  let start = 0;
  while (start <= message.length) {
    let end = message.indexOf("\n", start);
    if (end < 0) end = message.length;
    const line = message.slice(start, end).trim();
    if (line) {
      if (lines.length === 2) {
        cut = true;
        break;
      }
      lines.push(line);
    }
    start = end + 1;
  }
  const out = parameterize(lines.join("\n"));
  return cut ? `${out}...` : out;
}

export const PARAMETER_CATEGORIES: readonly string[] = NAMES;
