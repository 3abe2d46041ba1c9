import type { Octokit } from "./types.ts";

/** Checks, right before a write leaves, that the caller may still write; throws to refuse it. */
export type WriteGuard = (what: string) => Promise<void>;

interface RequestOptions {
  method?: string;
  url?: string;
  query?: unknown;
}

/** Reads never need the fence; a GraphQL query is a POST but reads too (mutations have named methods). */
function isWrite(o: RequestOptions): boolean {
  const method = (o.method ?? "GET").toUpperCase();
  if (method === "GET" || method === "HEAD") return false;
  const url = o.url ?? "";
  // The installation token exchange is authentication, not a write to a repository.
  if (/\/app\/installations\/[^/]+\/access_tokens$/.test(url)) return false;
  if (/\/graphql$/.test(url)) return typeof o.query === "string" && /^\s*mutation\b/.test(o.query);
  return true;
}

/**
 * Installs a request hook that calls the guard `current()` returns before every write this Octokit
 * makes. One hook covers every gateway method (comments, reviews, labels, merges …), so no write path
 * can forget it. `current` is looked up per request, so one Octokit may serve fenced and unfenced work.
 */
export function guardWrites(octokit: Octokit, current: () => WriteGuard | undefined): Octokit {
  octokit.hook.before("request", async (options) => {
    const guard = current();
    if (!guard) return;
    const o = options as RequestOptions;
    if (!isWrite(o)) return;
    await guard(`${(o.method ?? "").toUpperCase()} ${o.url ?? ""}`);
  });
  return octokit;
}
