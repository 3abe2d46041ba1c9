// Small string operations written out by hand because the obvious regex for each is super-linear in
// V8's backtracking engine (`[ \t]+$`, `\s*\n\s*`, `<!--[\s\S]*?-->`, `\[[^\]]*\]` …): on outside text
// one of those stalls the event loop. Each function here is one pass over its input, and each keeps
// exactly the result of the regex it replaces (test/linear-text.test.ts checks that against the regex).

/** `text` without its trailing characters that satisfy `test`. */
export function trimEndWhere(text: string, test: (ch: string) => boolean): string {
  let end = text.length;
  while (end > 0 && test(text[end - 1]!)) end--;
  return end === text.length ? text : text.slice(0, end);
}

/** `text.replace(/[ \t]+$/, "")`. */
export function trimEndSpaceTab(text: string): string {
  return trimEndWhere(text, (c) => c === " " || c === "\t");
}

/** `text` without trailing copies of `ch` (one character): `text.replace(/\/+$/, "")` for "/". */
export function trimEndChar(text: string, ch: string): string {
  return trimEndWhere(text, (c) => c === ch);
}

/** `text.replace(/\s*\n\s*\/g, " ")`: every line break, with the whitespace around it, becomes one space. */
export function joinLines(text: string): string {
  const parts = text.split("\n");
  if (parts.length === 1) return text;
  let out = parts[0]!.trimEnd();
  for (let i = 1; i < parts.length; i++) {
    const last = i === parts.length - 1;
    const p = last ? parts[i]!.trimStart() : parts[i]!.trim();
    // A line of only whitespace is swallowed by the `\s*` on either side of its breaks.
    if (p === "" && !last) continue;
    out += ` ${p}`;
  }
  return out;
}

/** `text.replace(/<!--[\s\S]*?-->/g, "")`. */
export function stripHtmlComments(text: string): string {
  let out = "";
  let from = 0;
  for (;;) {
    const open = text.indexOf("<!--", from);
    if (open < 0) break;
    const close = text.indexOf("-->", open + 4);
    // No closing `-->` after this opening means none after any later opening either.
    if (close < 0) break;
    out += text.slice(from, open);
    from = close + 3;
  }
  return from === 0 ? text : out + text.slice(from);
}

/** `text.replace(/\[[^\]]*\]/g, "")`: every `[…]` span removed. */
export function removeBracketed(text: string): string {
  let out = "";
  let from = 0;
  for (;;) {
    const open = text.indexOf("[", from);
    if (open < 0) break;
    const close = text.indexOf("]", open + 1);
    if (close < 0) break;
    out += text.slice(from, open);
    from = close + 1;
  }
  return from === 0 ? text : out + text.slice(from);
}

/**
 * A trailing V8 alias `[as name]` removed with the whitespace before it:
 * `text.replace(/\s*\[as [^\]]*\]$/, "")` (`space: "any"`) or `text.replace(/ \[as [^\]]*\]$/, "")`
 * (`space: "one"`).
 */
export function stripAsAlias(text: string, space: "any" | "one"): string {
  if (!text.endsWith("]")) return text;
  // The alias cannot contain `]`, so it starts after the last `]` before the final one.
  const after = text.lastIndexOf("]", text.length - 2) + 1;
  for (let i = text.indexOf("[as ", after); i >= 0; i = text.indexOf("[as ", i + 1)) {
    if (space === "any") return text.slice(0, i).trimEnd();
    if (text[i - 1] === " ") return text.slice(0, i - 1);
  }
  return text;
}

/** Index where the trailing run of characters satisfying `test` starts (text.length when there is none). */
export function suffixStart(text: string, test: (ch: string) => boolean): number {
  let i = text.length;
  while (i > 0 && test(text[i - 1]!)) i--;
  return i;
}
