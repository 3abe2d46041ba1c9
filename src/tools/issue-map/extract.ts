// Pulls the code-facing parts out of an issue: file paths, stack frames, identifiers and error
// messages. Pure and bounded (the body is capped and each list is capped), deterministic order.

import { scanTraces } from "../issue-score/frames.ts";
import { MAX_LINE_CHARS, MAX_SCAN_CHARS, snippet } from "../issue-score/text.ts";
import type { IssueElement } from "./types.ts";

const MAX_PER_KIND = 50;

const EXT =
  "ts|tsx|mts|cts|js|jsx|mjs|cjs|py|pyi|go|rs|java|kt|kts|scala|rb|php|cs|fs|cpp|cc|cxx|c|h|hpp|m|mm|swift|vue|svelte|json|ya?ml|toml|ini|cfg|md|mdx|css|scss|sass|less|html?|sh|bash|sql|gradle|xml|proto|graphql|gql|lua|dart|ex|exs|erl|clj|zig|tf";
// redos-ok: assembled from the constant EXT list; test/security/redos-dynamic.test.ts checks the assembled pattern with recheck
export const PATH_RE = new RegExp(
  `(?<![\\w/.@:+-])((?:\\.{0,2}/)?(?:[\\w@.+-]+/)*[\\w@+-][\\w.+-]*\\.(?:${EXT}))(?::(\\d+))?(?![\\w/])`,
  "g",
);
const SLASH_PATH = /(?<![\w/.:-])((?:[\w.-]+\/){1,}[\w.-]+\/?)(?![\w/])/g;
const BACKTICK = /`([^`\n]{2,100})`/g;
const CAMEL = /\b([a-z]+[A-Z][A-Za-z0-9]*|[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+|[A-Z]{2,}[a-z][A-Za-z0-9]*)\b/g;
const SNAKE = /\b([a-z][a-z0-9]*(?:_[a-z0-9]+)+|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\b/g;
// redos-ok: the quoted part is bounded ({8,200}), so one attempt reads at most 202 characters, on lines cut to MAX_LINE_CHARS
const QUOTED_ERROR = /["'“]([^"'”\n]{8,200})["'”]/g;
const ERROR_WORDS =
  /\b(?:error|fail|cannot|can't|could not|unable|invalid|not (?:a|found|defined|supported|allowed)|unexpected|undefined|null|denied|refused|timed? ?out|missing)\b/i;

// "Node.js" and friends are product names, not files.
const LIBRARY_NAME =
  /^(?:node|vue|next|nuxt|react|three|chart|moment|express|d3|ember|backbone|angular|socket\.io|p5|pdf|video|anime|paper)\.js$/i;

// Words that look like identifiers in prose but name nothing in code.
const STOP_IDENTIFIERS = new Set([
  "JavaScript",
  "TypeScript",
  "GitHub",
  "GitLab",
  "macOS",
  "iOS",
  "iPhone",
  "iPad",
  "YouTube",
  "PowerShell",
  "VSCode",
  "LinkedIn",
  "PostgreSQL",
  "MySQL",
  "MongoDB",
  "OAuth",
  "npm_config",
  "e_g",
]);

function stripUrls(line: string): string {
  return line.replace(/https?:\/\/\S+/g, " ");
}

function normalisePath(p: string): string {
  return p.replace(/^\.\//, "").replace(/\\/g, "/");
}

export function extractIssueElements(input: {
  title: string;
  body: string | null | undefined;
}): IssueElement[] {
  const title = typeof input?.title === "string" ? input.title.slice(0, 1_000) : "";
  const rawBody = typeof input?.body === "string" ? input.body.slice(0, MAX_SCAN_CHARS) : "";
  const lines = [
    title,
    ...rawBody
      .replace(/\r\n?/g, "\n")
      .replace(/<!--[\s\S]*?(?:-->|$)/g, "")
      .split("\n"),
  ].map((l) => (l.length > MAX_LINE_CHARS ? l.slice(0, MAX_LINE_CHARS) : l));

  const seen = new Set<string>();
  const counts = { path: 0, frame: 0, identifier: 0, error: 0 };
  const out: IssueElement[] = [];
  const add = (el: IssueElement) => {
    const key = `${el.kind}\0${el.value}`;
    if (seen.has(key) || counts[el.kind] >= MAX_PER_KIND) return;
    seen.add(key);
    counts[el.kind]++;
    out.push(el);
  };

  const traces = scanTraces(lines, 200);
  const frameLines = new Set(traces.frames.map((f) => f.raw));
  for (const f of traces.frames) {
    if (!f.file && !f.func) continue;
    // Frames inside node_modules, the runtime or the stdlib point at code the repository does not own.
    if (
      f.file &&
      /node_modules|^node:|^internal\/|site-packages|\/usr\/lib|^<|\/rustc\/|\/go\/src\/runtime/.test(f.file)
    )
      continue;
    const file = f.file ? normalisePath(f.file) : undefined;
    const value = `${f.func ?? "<anonymous>"}${file ? ` @ ${file}${f.line ? `:${f.line}` : ""}` : ""}`;
    const el: IssueElement = { kind: "frame", value, evidence: snippet(f.raw, 120) };
    if (file) el.file = file;
    if (f.func) el.func = f.func;
    if (f.line !== undefined) el.line = f.line;
    add(el);
  }
  for (const e of traces.errors) add({ kind: "error", value: e.message, evidence: snippet(e.raw, 120) });

  for (const line of lines) {
    if (frameLines.has(line.trim())) continue;
    const text = stripUrls(line);
    for (const m of text.matchAll(PATH_RE)) {
      const value = normalisePath(m[1]!);
      if (/^\d|^v?\d+\.\d+/.test(value) || value.includes("..") || LIBRARY_NAME.test(value)) continue;
      add({
        kind: "path",
        value,
        evidence: snippet(line, 120),
        file: value,
        line: m[2] ? Number(m[2]) : undefined,
      });
    }
    for (const m of text.matchAll(SLASH_PATH)) {
      const value = normalisePath(m[1]!).replace(/\/$/, "");
      if (
        !/^(?:src|lib|app|packages|test|tests|pkg|cmd|internal|docs|scripts|bin|components|core)\//.test(
          value,
        )
      )
        continue;
      add({ kind: "path", value, evidence: snippet(line, 120), file: value });
    }
    for (const m of text.matchAll(BACKTICK)) {
      const inner = m[1]!.trim();
      const ident = /^([A-Za-z_$][\w$]*(?:(?:\.|::|#|->)[A-Za-z_$][\w$]*)*)(?:\(\))?$/.exec(inner);
      if (ident && ident[1]!.length >= 3 && !ident[1]!.includes("/"))
        add({ kind: "identifier", value: ident[1]!, evidence: snippet(line, 120) });
    }
    for (const re of [CAMEL, SNAKE]) {
      for (const m of text.matchAll(re)) {
        const v = m[1]!;
        if (v.length < 4 || STOP_IDENTIFIERS.has(v) || /^[A-Z]+s$|^[A-Z]\w*(?:Error|Exception)$/.test(v))
          continue;
        add({ kind: "identifier", value: v, evidence: snippet(line, 120) });
      }
    }
    if (ERROR_WORDS.test(text)) {
      for (const m of text.matchAll(QUOTED_ERROR)) {
        if (ERROR_WORDS.test(m[1]!))
          add({ kind: "error", value: m[1]!.trim(), evidence: snippet(line, 120) });
      }
    }
  }
  return out;
}
