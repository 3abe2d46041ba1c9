// The one way untrusted text (PR and issue contents, comments, dependency versions, branch names,
// worker output, log lines, and model output, which an attacker can steer through the prompt)
// enters a comment Steward writes. GitHub shows Steward's comments with Steward's authority, so
// nothing from outside may become, inside them:
//   - an image (tracking pixels), a link (inline, reference-style, `<autolink>`, bare URL, www.,
//     e-mail), an @user or @org/team mention (a notification sent in Steward's name);
//   - raw HTML (`<img>`, `<details>`, …), HTML comments, and so Steward's hidden
//     `<!-- steward:… -->` markers;
//   - a task-list box (`- [ ]`), which Steward's approvals are made of;
//   - a fence or code span that ends early, a heading, a table, or math that breaks the layout.
//
// One pipeline serves every shape: cap the length first (so every later step is linear in a
// bounded input), clean characters (controls, invisible and bidi characters, lone surrogates), and
// only then shape the text. A fence or code span is measured on the final text, so removing a
// character can never join two backtick runs into one that closes Steward's fence.
//
// Every step is a single left-to-right scan; no regular expression here can backtrack.

import { isInvisible } from "../llm/untrusted.ts";
import { trimEndChar } from "../linear-text.ts";

/**
 * - `text`: literal prose, newlines kept; every Markdown character is escaped.
 * - `inline`: literal, on one line (newlines and tabs become spaces); for sentences, list items,
 *   headings and table cells.
 * - `markdown`: model output and similar prose; keeps code spans, fenced code, emphasis, lists and
 *   quotes, and disarms everything listed above.
 * - `code`: an inline code span holding the text verbatim on one line.
 * - `fence`: a fenced code block holding the text verbatim; put it on its own lines.
 * - `title`: an issue or PR title (GitHub shows titles as plain text): one line, characters cleaned,
 *   nothing escaped.
 */
export type NeutralizeAs = "text" | "inline" | "markdown" | "code" | "fence" | "title";

export interface NeutralizeOptions {
  /** Length cap in characters, applied before anything else (defaults: 1,000 inline/code, 60,000 otherwise). */
  max?: number;
  /** A `code` span that goes in a table cell: its `|` are escaped (literal shapes always escape them). */
  table?: boolean;
  /**
   * Info string of a `fence`, chosen by Steward (e.g. "diff", "suggestion"); anything but a plain
   * word is dropped. Info strings inside untrusted `markdown` are filtered harder (see ACTIVE_INFO).
   */
  info?: string;
}

export const NEUTRALIZE_MAX_INLINE = 1_000;
// Under GitHub's 65,536-character body limit: the gateway splits or truncates the whole body anyway.
export const NEUTRALIZE_MAX_BLOCK = 60_000;

/** Neutralises untrusted `text` for a Steward comment, in the shape `as` (see {@link NeutralizeAs}). */
export function neutralize(text: unknown, as: NeutralizeAs = "text", opts: NeutralizeOptions = {}): string {
  const oneLine = as === "inline" || as === "code" || as === "title";
  const max = opts.max ?? (oneLine ? NEUTRALIZE_MAX_INLINE : NEUTRALIZE_MAX_BLOCK);
  const clean = defuseMarkers(cleanChars(cap(stringOf(text), max), as !== "fence"));
  const table = opts.table === true;
  switch (as) {
    case "code":
      return codeSpan(flatten(clean), table);
    case "fence":
      return fenceBlock(clean, plainInfo(opts.info ?? ""));
    case "inline":
      return literalLine(flatten(clean));
    case "markdown":
      return markdownBlock(clean);
    case "title":
      return flatten(clean).trim();
    default:
      return clean
        .split("\n")
        .map((l) => literalLine(l))
        .join("\n");
  }
}

function stringOf(text: unknown): string {
  if (typeof text === "string") return text;
  if (text === null || text === undefined) return "";
  return String(text);
}

/** The first `max` characters (never half a surrogate pair), with "…" when something was cut. */
function cap(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = Math.max(0, max);
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut--;
  return `${text.slice(0, cut)}…`;
}

/**
 * Line endings (CR, CRLF, NEL, U+2028/9) become "\n"; C0 and C1 controls (ESC included) and DEL
 * are dropped, tab is kept (as a space when `tabToSpace`: a tab at a line start is four columns of
 * indentation); invisible and bidi characters and lone surrogates are dropped.
 */
function cleanChars(text: string, tabToSpace: boolean): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a) out += "\n";
    else if (c === 0x0d) {
      out += "\n";
      if (text.charCodeAt(i + 1) === 0x0a) i++;
    } else if (c === 0x85 || c === 0x2028 || c === 0x2029) out += "\n";
    else if (c === 0x09) out += tabToSpace ? " " : "\t";
    else if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) continue;
    else if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        const cp = (c - 0xd800) * 0x400 + (next - 0xdc00) + 0x10000;
        if (!isInvisible(cp)) out += text[i]! + text[i + 1]!;
        i++;
      }
    } else if (c >= 0xdc00 && c <= 0xdfff) continue;
    else if (!isInvisible(c)) out += text[i]!;
  }
  return out;
}

/**
 * Steward finds its own state in its comments by `<!-- steward:KIND …` markers. Quoted text keeps
 * its `<!--` in code (a diff of an HTML file has plenty), so a marker-shaped one has the colon after
 * "steward" replaced by U+A789 (꞉): it still reads the same, but no parser of Steward's matches it.
 */
function defuseMarkers(text: string): string {
  let out = "";
  let from = 0;
  for (let at = text.indexOf("<!--"); at >= 0; at = text.indexOf("<!--", at + 4)) {
    let i = at + 4;
    while (text[i] === " " || text[i] === "\t" || text[i] === "\n") i++;
    if (text.slice(i, i + 8).toLowerCase() !== "steward:") continue;
    out += `${text.slice(from, i + 7)}\ua789`;
    from = i + 8;
  }
  return out + text.slice(from);
}

function flatten(text: string): string {
  return text.replaceAll("\n", " ");
}

function longestRun(text: string, ch: string): number {
  let best = 0;
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    run = text[i] === ch ? run + 1 : 0;
    if (run > best) best = run;
  }
  return best;
}

/** An inline code span no backtick inside can close. */
function codeSpan(text: string, table: boolean): string {
  const body = table ? escapePipes(text) : text;
  if (body === "") return "";
  const ticks = "`".repeat(longestRun(body, "`") + 1);
  const pad = body.startsWith("`") || body.endsWith("`") ? " " : "";
  return `${ticks}${pad}${body}${pad}${ticks}`;
}

/**
 * A table row is split at every `|` not consumed by a backslash escape, even inside a code span
 * (GitHub turns `\|` back into `|` there). Backslashes pair up left to right, so a run of them
 * before a pipe is doubled and the pipe gets its own backslash.
 */
function escapePipes(text: string): string {
  let out = "";
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === "\\") {
      run++;
      continue;
    }
    out += "\\".repeat(ch === "|" ? run * 2 + 1 : run) + ch;
    run = 0;
  }
  return out + "\\".repeat(run);
}

// Fence info strings that GitHub renders as something other than code: math, diagrams, maps, 3D
// models, and review suggestions (an "Apply suggestion" button).
const ACTIVE_INFO = new Set(["math", "mermaid", "geojson", "topojson", "stl", "suggestion"]);

/** The first word of an info string when it is a plain language name, else "". */
function plainInfo(info: string): string {
  const word = info.trim().split(/[\s{]/, 1)[0] ?? "";
  if (word.length === 0 || word.length > 30) return "";
  for (let i = 0; i < word.length; i++) {
    const c = word[i]!;
    if (!/[A-Za-z0-9_+.#-]/.test(c)) return "";
  }
  return word;
}

/** An info string written by the untrusted text itself: plain, and never one GitHub renders. */
function untrustedInfo(info: string): string {
  const word = plainInfo(info);
  return ACTIVE_INFO.has(word.toLowerCase()) ? "" : word;
}

/** A fenced block whose fence is longer than any backtick run in the (already cleaned) content. */
function fenceBlock(content: string, info: string): string {
  const body = trimEndChar(content, "\n");
  const ticks = "`".repeat(Math.max(3, longestRun(body, "`") + 1));
  return `${ticks}${info}\n${body}${body === "" ? "" : "\n"}${ticks}`;
}

// Characters escaped with a backslash in literal text. Together they stop links and images
// (`[`, `]`, `<`), raw HTML and comments (`<`), entities such as `&#64;` (`&`), emphasis and
// strike-through (`*`, `_`, `~`), code (`` ` ``), headings (`#`), tables (`|`), math (`$`) and
// stray escapes (`\`). CommonMark renders a backslash-escaped ASCII punctuation character as itself.
const LITERAL_ESCAPES = new Set(["\\", "`", "*", "_", "[", "]", "<", ">", "&", "|", "~", "$", "#", "!"]);
// In model prose emphasis, quotes and code spans stay; these are still escaped.
const PROSE_ESCAPES = new Set(["\\", "[", "]", "<", "&", "|", "$", "#"]);

/**
 * Whether a whitespace-delimited word could become a link or mention: GitHub links bare URLs
 * (`scheme://`), `www.` hosts and e-mail addresses, and turns `@name` into a notification. Such a
 * word is shown in a code span, where nothing is linked or mentioned.
 */
function linkish(word: string): boolean {
  if (word.includes("@") || word.includes("://")) return true;
  return word.toLowerCase().includes("www.");
}

function escapeWord(word: string, escapes: ReadonlySet<string>): string {
  let out = "";
  // "<" becomes "&lt;" rather than "\<": it shows the same, and the body then holds no "<!--" that a
  // substring search for a marker could find.
  for (const ch of word) out += ch === "<" ? "&lt;" : escapes.has(ch) ? `\\${ch}` : ch;
  return out;
}

/** Escapes a run of text word by word; linkish words become code spans. */
function escapeRun(text: string, escapes: ReadonlySet<string>): string {
  let out = "";
  let word = "";
  const flush = () => {
    // The span escapes `|` even outside tables: left raw, a pipe would split the span if the
    // text ever lands in a table row, and the half after it would be live Markdown.
    if (word !== "") out += linkish(word) ? codeSpan(word, true) : escapeWord(word, escapes);
    word = "";
  };
  for (const ch of text) {
    if (ch === " " || ch === "\t" || ch === "\n") {
      flush();
      out += ch;
    } else word += ch;
  }
  flush();
  return out;
}

/**
 * A line made only of `-`, `=`, `:`, `|`, `+`, `*`, `_` and spaces can underline the line above
 * into a heading, be a thematic break or a table's delimiter row: every such character is escaped.
 */
function ruleLike(line: string): boolean {
  let seen = false;
  for (const ch of line) {
    if (ch === " " || ch === "\t") continue;
    if (!"-=:|+*_".includes(ch)) return false;
    seen = true;
  }
  return seen;
}

function escapeAll(line: string): string {
  let out = "";
  for (const ch of line) out += ch === " " || ch === "\t" ? ch : `\\${ch}`;
  return out;
}

/** One line of literal text. */
function literalLine(line: string): string {
  // Leading spaces become no-break spaces: the indentation still shows, but four of them can no
  // longer turn the line into an indented code block (where the escapes below would show).
  let n = 0;
  while (line[n] === " ") n++;
  const indent = "\u00a0".repeat(n);
  const rest = line.slice(n);
  if (ruleLike(rest)) return indent + escapeAll(rest);
  // "-", "+" or "1." followed by a space would start a list inside Steward's layout.
  const lead = /^([-+]|\d{1,9}[.)])( |$)/.exec(rest);
  if (lead) {
    const marker = lead[1]!;
    const escaped = `${marker.slice(0, -1)}\\${marker.slice(-1)}`;
    return indent + escaped + escapeRun(rest.slice(marker.length), LITERAL_ESCAPES);
  }
  return indent + escapeRun(rest, LITERAL_ESCAPES);
}

interface OpenFence {
  char: string;
  length: number;
  indent: number;
  info: string;
  lines: string[];
}

/** A fence opener: up to three spaces, three or more backticks or tildes, an info string. */
function fenceOpener(line: string): OpenFence | undefined {
  let indent = 0;
  while (indent < 4 && line[indent] === " ") indent++;
  const char = line[indent];
  if (indent > 3 || (char !== "`" && char !== "~")) return undefined;
  let end = indent;
  while (line[end] === char) end++;
  if (end - indent < 3) return undefined;
  const info = line.slice(end);
  if (char === "`" && info.includes("`")) return undefined;
  return { char, length: end - indent, indent, info, lines: [] };
}

function closesFence(line: string, open: OpenFence): boolean {
  let i = 0;
  while (i < 3 && line[i] === " ") i++;
  let run = 0;
  while (line[i + run] === open.char) run++;
  return run >= open.length && line.slice(i + run).trim() === "";
}

function dedent(line: string, n: number): string {
  let i = 0;
  while (i < n && line[i] === " ") i++;
  return line.slice(i);
}

/**
 * Model prose. Fenced blocks are re-emitted at column 0 with Steward's own fence (so no list or
 * quote context can end them early, and an unclosed one is closed); code spans on a line are kept
 * verbatim; all other text is escaped word by word.
 */
function markdownBlock(text: string): string {
  const out: string[] = [];
  const fences = new Set<number>();
  let open: OpenFence | undefined;
  const emitFence = (f: OpenFence) => {
    const block = fenceBlock(f.lines.join("\n"), untrustedInfo(f.info));
    out.push(block);
    fences.add(out.length - 1);
  };
  for (const line of text.split("\n")) {
    if (open) {
      if (closesFence(line, open)) {
        emitFence(open);
        open = undefined;
      } else open.lines.push(dedent(line, open.indent));
      continue;
    }
    open = fenceOpener(line);
    if (!open) out.push(proseLine(line));
  }
  if (open) emitFence(open);
  // A renderer may put this text after "**" or before ")" on the same line. A fence must have its
  // lines to itself (an opener after "**" is text, a closer followed by "**" closes nothing), so one
  // at either end gets a line break of its own.
  const fenceAt = (i: number) => fences.has(i);
  const head = fenceAt(0) ? "\n" : "";
  const tail = fenceAt(out.length - 1) ? "\n" : "";
  return head + out.join("\n") + tail;
}

/** Backtick runs of a line as [start, length], and for each the index of the next run of the same length. */
function backtickRuns(line: string): { runs: [number, number][]; next: number[] } {
  const runs: [number, number][] = [];
  for (let i = 0; i < line.length; ) {
    if (line[i] !== "`") {
      i++;
      continue;
    }
    let j = i;
    while (line[j] === "`") j++;
    runs.push([i, j - i]);
    i = j;
  }
  const next = new Array<number>(runs.length).fill(-1);
  const lastOfLength = new Map<number, number>();
  for (let k = runs.length - 1; k >= 0; k--) {
    const len = runs[k]![1];
    next[k] = lastOfLength.get(len) ?? -1;
    lastOfLength.set(len, k);
  }
  return { runs, next };
}

/**
 * Two code spans side by side would merge their backtick runs into one ("`a`" + "``b``" has a run
 * of three), so a space goes between them.
 */
function join(out: string, piece: string): string {
  return out.endsWith("`") && piece.startsWith("`") ? `${out} ${piece}` : out + piece;
}

/** One line of model prose: code spans (a run closed by the next run of the same length) stay. */
function proseLine(line: string): string {
  if (ruleLike(line)) return escapeAll(line);
  const { runs, next } = backtickRuns(line);
  let out = "";
  let pos = 0;
  let k = 0;
  while (k < runs.length) {
    const start = runs[k]![0];
    const close = next[k]!;
    if (close < 0) {
      k++; // unmatched: its backticks are escaped with the text around it
      continue;
    }
    const [closeStart, closeLen] = runs[close]!;
    // A pipe inside a code span still splits a table cell, so such a span is shown as text.
    const span = line.slice(start, closeStart + closeLen);
    if (span.includes("|")) {
      k = close + 1;
      continue;
    }
    out = join(out, escapeRun(line.slice(pos, start), PROSE_ESCAPES_WITH_TICK));
    out = join(out, span);
    pos = closeStart + closeLen;
    k = close + 1;
  }
  return join(out, escapeRun(line.slice(pos), PROSE_ESCAPES_WITH_TICK));
}

// Outside a kept code span a backtick is literal.
const PROSE_ESCAPES_WITH_TICK = new Set([...PROSE_ESCAPES, "`"]);
