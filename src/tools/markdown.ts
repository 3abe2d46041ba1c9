// Markdown helpers shared by the PR tools' renders. Text from the model or from users is data: every
// helper that takes such text is a shape of the one neutralising function (src/github/neutralize.ts),
// so none of it can become a link, image, mention, HTML, task box, Steward marker or stray fence.

import { neutralize } from "../github/neutralize.ts";
import { GITHUB_WEB } from "../github/web.ts";

export interface RepoRef {
  owner: string;
  repo: string;
  /** The web URL of the GitHub host (GHE_HOST on Enterprise Server); github.com when absent. */
  web?: string;
}

/** Model or user prose: code spans, emphasis, lists and fenced code stay; everything else is disarmed. */
export function safeText(text: string): string {
  return neutralize(text, "markdown");
}

/** One table cell: literal text, no pipes, no newlines. */
export function cell(text: string): string {
  return neutralize(text, "inline").trim();
}

/** Inline code that survives backticks inside the value. */
export function code(text: string): string {
  return neutralize(text, "code");
}

/** Inline code inside a table cell: GitHub splits cells on `|` even inside a code span. */
export function cellCode(text: string): string {
  return neutralize(text, "code", { table: true });
}

/** A fence (``` or longer) that the content cannot close; `info` is Steward's choice (e.g. "diff"). */
export function fence(content: string, info = ""): string {
  return neutralize(content, "fence", { info });
}

/** Model or user prose as a block quote. */
export function quote(text: string): string {
  return neutralize(text.trim(), "markdown")
    .split("\n")
    .map((l) => (l === "" ? ">" : `> ${l}`))
    .join("\n");
}

// Paths come from the PR or the model. encodeURIComponent leaves ( ) ! * ' as they are; a ")" would
// end the Markdown link destination early, so they are percent-encoded too.
function encodePath(path: string): string {
  return path
    .split("/")
    .map((seg) =>
      // "." and ".." are resolved by the browser (as are %2E and %2E%2E) and would climb out of the
      // blob path to any page on the host; as %252E they name a file that does not exist instead.
      seg === "." || seg === ".."
        ? seg.replaceAll(".", "%252E")
        : encodeURIComponent(seg).replace(
            /[()!*']/g,
            (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
          ),
    )
    .join("/");
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
