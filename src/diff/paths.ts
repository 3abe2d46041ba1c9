// Path syntax of git diff headers: C-quoted names ("a/caf\303\251.txt"), a/ b/ prefixes,
// /dev/null, and trailing timestamps of non-git unified diffs.

const SIMPLE_ESCAPES: Record<string, number> = {
  a: 7,
  b: 8,
  t: 9,
  n: 10,
  v: 11,
  f: 12,
  r: 13,
  '"': 34,
  "\\": 92,
};

const utf8 = new TextDecoder("utf-8");

/**
 * Reads one C-quoted string starting at `s[start] === '"'`. Octal escapes are bytes, so the
 * collected bytes are decoded as UTF-8 at the end. Returns null when the quote never closes.
 */
export function readQuoted(s: string, start: number): { value: string; end: number } | null {
  const bytes: number[] = [];
  let i = start + 1;
  while (i < s.length) {
    const ch = s[i]!;
    if (ch === '"') return { value: utf8.decode(new Uint8Array(bytes)), end: i + 1 };
    if (ch === "\\" && i + 1 < s.length) {
      const next = s[i + 1]!;
      const octal = /^[0-7]{1,3}/.exec(s.slice(i + 1, i + 4));
      if (octal) {
        bytes.push(Number.parseInt(octal[0], 8) & 0xff);
        i += 1 + octal[0].length;
        continue;
      }
      bytes.push(SIMPLE_ESCAPES[next] ?? next.charCodeAt(0));
      i += 2;
      continue;
    }
    for (const b of Buffer.from(ch, "utf8")) bytes.push(b);
    i++;
  }
  return null;
}

/** Removes git's `a/` or `b/` prefix; `/dev/null` becomes null. */
export function stripPrefix(path: string, prefix: "a/" | "b/"): string | null {
  if (path === "/dev/null") return null;
  return path.startsWith(prefix) ? path.slice(prefix.length) : path;
}

/** The path of a `--- x` / `+++ x` line: unquoted, without a trailing tab + timestamp. */
export function headerPath(rest: string): string {
  if (rest.startsWith('"')) {
    const q = readQuoted(rest, 0);
    if (q) return q.value;
  }
  const tab = rest.indexOf("\t");
  const raw = tab >= 0 ? rest.slice(0, tab) : rest;
  return raw.trimEnd();
}

/**
 * Splits the two paths of `diff --git a/X b/Y`. Unquoted names with spaces are ambiguous; when both
 * sides are the same name (no rename) the split in the middle is exact, otherwise the first " b/"
 * is used and the rename/---/+++ headers that follow correct it.
 */
export function splitGitHeader(rest: string): { oldPath: string; newPath: string } | null {
  let oldRaw: string;
  let tail: string;
  if (rest.startsWith('"')) {
    const q = readQuoted(rest, 0);
    if (!q) return null;
    oldRaw = q.value;
    tail = rest.slice(q.end).replace(/^ /, "");
  } else if (rest.endsWith('"')) {
    const open = rest.lastIndexOf(' "');
    if (open < 0) return null;
    oldRaw = rest.slice(0, open);
    tail = rest.slice(open + 1);
  } else {
    const half = (rest.length - 1) / 2;
    if (Number.isInteger(half) && rest[half] === " ") {
      const a = rest.slice(0, half);
      const b = rest.slice(half + 1);
      if (a.startsWith("a/") && b.startsWith("b/") && a.slice(2) === b.slice(2)) {
        return { oldPath: a.slice(2), newPath: b.slice(2) };
      }
    }
    const sep = rest.indexOf(" b/");
    if (sep < 0) return null;
    oldRaw = rest.slice(0, sep);
    tail = rest.slice(sep + 1);
  }
  let newRaw = tail;
  if (tail.startsWith('"')) {
    const q = readQuoted(tail, 0);
    if (!q) return null;
    newRaw = q.value;
  }
  const oldPath = stripPrefix(oldRaw, "a/");
  const newPath = stripPrefix(newRaw, "b/");
  if (oldPath === null || newPath === null) return null;
  return { oldPath, newPath };
}
