// Markdown helpers shared by the PR tools' renders. Text from the model or from users is data:
// it must not open HTML comments (which could forge Steward's hidden markers), break a table, or
// close a code fence.
import { trimEndChar } from "../linear-text.ts";

import { GITHUB_WEB } from "../github/web.ts";
export interface RepoRef {
  owner: string;
  repo: string;
  /** The web URL of the GitHub host (GHE_HOST on Enterprise Server); github.com when absent. */
  web?: string;
}

/** Neutralises HTML comment openers and invisible characters in model or user text. */
export function safeText(text: string): string {
  return (
    text
      .replace(/[\u200B-\u200F\u202A-\u202E\u2060-\u2064\uFEFF]/g, "")
      // Without an opener there is no comment; "-->" stays, since mermaid arrows use it.
      .replace(/<!--/g, "&lt;!--")
  );
}

/** One table cell: no pipes, no newlines. */
export function cell(text: string): string {
  // A lone \r ends a line in Markdown too: every line ending becomes a space.
  return safeText(text)
    .replace(/\|/g, "\\|")
    .replace(/\r\n?|\n/g, " ")
    .trim();
}

/** Inline code that survives backticks inside the value. */
export function code(text: string): string {
  // A lone \r is a line ending in Markdown: left in, it would end the paragraph (and the span) early.
  const t = safeText(text).replace(/\r\n?|\n/g, " ");
  const longest = Math.max(0, ...[...t.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = "`".repeat(longest + 1);
  const pad = t.startsWith("`") || t.endsWith("`") ? " " : "";
  return `${ticks}${pad}${t}${pad}${ticks}`;
}

/** Inline code inside a table cell: GitHub splits cells on `|` even inside a code span. */
export function cellCode(text: string): string {
  return code(text).replace(/\|/g, "\\|");
}

/** A fence (``` or longer) that the content cannot close. */
export function fence(content: string, info = ""): string {
  const longest = Math.max(
    2,
    ...[...content.matchAll(/^[^\S\n\r\u2028\u2029]*(`{3,})/gm)].map((m) => m[1]!.length),
  );
  const ticks = "`".repeat(longest + 1);
  return `${ticks}${info}\n${trimEndChar(content, "\n")}\n${ticks}`;
}

export function quote(text: string): string {
  return safeText(text)
    .trim()
    .split(/\r?\n/)
    .map((l) => `> ${l}`)
    .join("\n");
}

function encodePath(path: string): string {
  return path.split("/").map(encodeURIComponent).join("/");
}

/** <web>/O/R/blob/SHA/path#Lx-Ly, on github.com or the configured Enterprise Server. */
export function blobLink(repo: RepoRef, sha: string, path: string, start?: number, end?: number): string {
  const base = `${repo.web ?? GITHUB_WEB}/${repo.owner}/${repo.repo}/blob/${sha}/${encodePath(path)}`;
  if (start === undefined) return base;
  return end !== undefined && end !== start ? `${base}#L${start}-L${end}` : `${base}#L${start}`;
}

export function lineLabel(path: string, start: number, end?: number): string {
  return end !== undefined && end !== start ? `${path}:${start}-${end}` : `${path}:${start}`;
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

export interface NotCovered {
  path: string;
  reason: string;
}

/** The "Not reviewed" section every tool ends with; an explicit "none" when everything was covered. */
export function renderNotCovered(items: NotCovered[], heading = "Not reviewed"): string {
  if (items.length === 0) return `**${heading}:** none — no changed file was left out.`;
  const lines = items.map((i) => `- ${code(i.path)} — ${safeText(i.reason)}`);
  const list = lines.join("\n");
  const head = `**${heading} (${plural(items.length, "file")}):**`;
  return items.length > 10
    ? `<details><summary>${head.replace(/\*\*/g, "")}</summary>\n\n${list}\n\n</details>`
    : `${head}\n${list}`;
}

export interface UsageFooter {
  model?: string;
  promptTokens?: number;
  completionTokens?: number;
  calls?: number;
}

export function renderFooter(tool: string, usage: UsageFooter | undefined): string {
  if (!usage?.model) return `<sub>Steward ${tool} · no LLM call</sub>`;
  const parts = [`model ${code(usage.model)}`];
  if (usage.calls !== undefined) parts.push(plural(usage.calls, "call"));
  if (usage.promptTokens !== undefined) parts.push(`${usage.promptTokens} prompt tokens`);
  if (usage.completionTokens !== undefined) parts.push(`${usage.completionTokens} output tokens`);
  return `<sub>Steward ${tool} · ${parts.join(" · ")}</sub>`;
}
