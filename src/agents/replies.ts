import type { Logger } from "../logger.ts";
import type { Db } from "../store/types.ts";
import type { AgentGateway, Clock } from "./ports.ts";

// Refusal replies cannot be turned into a megaphone. Each toggle of a box (or each `/approve` edit) is a
// new webhook; answering each with a new comment would let an outsider make Steward post without end.
// So: at most one refusal reply per comment, edited in place (the gateway upserts by marker key), and a
// per-user budget of replies per hour. Past the budget the refusal is still decided and audited; only
// the reply is skipped.

export const REPLY_WINDOW_MS = 3600_000;
export const REPLIES_PER_USER_PER_WINDOW = 6;

/** Counts one reply against the user's budget; false when the budget of this window is spent. */
export async function takeReplyBudget(
  db: Db,
  repo: string,
  login: string,
  now: number,
  limit = REPLIES_PER_USER_PER_WINDOW,
): Promise<boolean> {
  const window = now - (now % REPLY_WINDOW_MS);
  const row = await db.one<{ count: number }>(
    `INSERT INTO reply_budget (repo, login, window_start, count) VALUES ($1, $2, $3, 1)
     ON CONFLICT (repo, login, window_start) DO UPDATE SET count = reply_budget.count + 1
     RETURNING count`,
    [repo, login.toLowerCase(), window],
  );
  return Number(row?.count ?? 1) <= limit;
}

export async function purgeReplyBudget(db: Db, now = Date.now()): Promise<number> {
  return db.exec("DELETE FROM reply_budget WHERE window_start < $1", [now - REPLY_WINDOW_MS]);
}

/** The one reply key per comment (or per issue body) a refusal is about. */
export function refusalKey(where: { commentId: number | null; issueBody?: number }): string | null {
  if (where.commentId !== null) return `refusal:comment-${where.commentId}`;
  if (where.issueBody !== undefined) return `refusal:issue-${where.issueBody}`;
  return null;
}

export async function refusalReply(
  deps: { db: Db; gateway: AgentGateway; repo: string; now?: Clock; log?: Logger },
  r: { issue: number; key: string; sender: string; text: string },
): Promise<"posted" | "limited"> {
  const now = (deps.now ?? Date.now)();
  if (!(await takeReplyBudget(deps.db, deps.repo, r.sender, now))) {
    deps.log?.warn(
      { repo: deps.repo, sender: r.sender, issue: r.issue },
      "refusal reply skipped: rate limit",
    );
    return "limited";
  }
  await deps.gateway.upsertComment({ issueNumber: r.issue, kind: "agent-reply", key: r.key, body: r.text });
  return "posted";
}
