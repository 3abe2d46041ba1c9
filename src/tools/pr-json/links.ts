// Linked issues from closing keywords, the way GitHub reads them: one keyword, an optional colon,
// then one reference (#N, owner/repo#N or an issue URL). "Fixes #1, #2" closes only #1 on GitHub,
// so only #1 is linked here too. Text inside code is ignored.

import { GITHUB_WEB } from "../../github/web.ts";

export interface IssueRef {
  number: number;
  /** Set when the reference names a repository (owner/repo#N or a URL), or when `repo` is known. */
  url?: string;
  source: "closing-keyword" | "graphql";
}

const KEYWORD = String.raw`\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)`;
const OWNER_REPO = String.raw`([A-Za-z0-9][A-Za-z0-9-]{0,38})\/([A-Za-z0-9._-]{1,100})`;

// One regex per GitHub host: issue URLs count only on the host Steward talks to (github.com, or the
// Enterprise Server named by GHE_HOST), as GitHub itself only closes issues on its own host.
const closingByHost = new Map<string, RegExp>();
export function closingFor(web: string): RegExp {
  let re = closingByHost.get(web);
  if (!re) {
    const host = web.replace(/^https?:\/\//, "").replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    const ref = String.raw`(?:https?:\/\/${host}\/${OWNER_REPO}\/(?:issues|pull)\/(\d{1,9})|(?:${OWNER_REPO})?#(\d{1,9}))`;
    // redos-ok: the host is escaped and every other part is a constant with bounded repeats; test/security/redos-dynamic.test.ts checks the assembled pattern with recheck
    re = new RegExp(`${KEYWORD}:?[ \\t]+${ref}(?![\\w/])`, "gi");
    closingByHost.set(web, re);
  }
  re.lastIndex = 0;
  return re;
}

function stripCode(text: string): string {
  return text.replace(/(```|~~~)[\s\S]*?(\1|$)/g, " ").replace(/`[^`\n]*`/g, " ");
}

export function parseClosingReferences(
  text: string,
  repo?: { owner: string; repo: string; web?: string },
): IssueRef[] {
  const out: IssueRef[] = [];
  const seen = new Set<string>();
  const web = repo?.web ?? GITHUB_WEB;
  for (const m of stripCode(text).matchAll(closingFor(web))) {
    const owner = m[1] ?? m[4] ?? repo?.owner;
    const name = m[2] ?? m[5] ?? repo?.repo;
    const number = Number.parseInt((m[3] ?? m[6])!, 10);
    if (!Number.isSafeInteger(number) || number <= 0) continue;
    const key = `${(owner ?? "").toLowerCase()}/${(name ?? "").toLowerCase()}#${number}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const ref: IssueRef = { number, source: "closing-keyword" };
    if (owner && name) ref.url = `${web}/${owner}/${name}/issues/${number}`;
    out.push(ref);
  }
  return out;
}

/** Closing references first, then GraphQL-linked issues not already listed. */
export function mergeIssueRefs(fromText: IssueRef[], fromGraphql: IssueRef[]): IssueRef[] {
  const key = (r: IssueRef) => (r.url ?? `#${r.number}`).toLowerCase();
  const seen = new Set(fromText.map(key));
  const out = [...fromText];
  for (const r of fromGraphql) {
    if (seen.has(key(r))) continue;
    seen.add(key(r));
    out.push({ ...r, source: "graphql" });
  }
  return out;
}
