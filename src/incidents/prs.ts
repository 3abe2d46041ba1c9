import type { Db } from "../store/types.ts";
import { nextStatus } from "./lifecycle.ts";
import { getIncident, type Incident, type LinkedPr } from "./registry.ts";

// The PRs linked to an incident (`linked_prs`) and their state, kept even when the PR does not move
// the status (a second fix PR for an incident that is already fix-proposed), so that closing one PR
// without merging can tell whether another open PR still references the incident.
// Writes are compare-and-set on the previous `linked_prs` text (and status), like registry.ts.

export interface PrRef {
  repo: string;
  number: number;
}

function withPr(list: LinkedPr[], pr: PrRef, state: LinkedPr["state"], at: number): LinkedPr[] {
  const rest = list.filter((p) => !(p.repo === pr.repo && p.number === pr.number));
  return [...rest, { repo: pr.repo, number: pr.number, state, at }];
}

const same = (a: LinkedPr, b: PrRef) => a.repo === b.repo && a.number === b.number;

/**
 * Records `pr` in `state` on the incident without changing its status. A PR already recorded as
 * merged stays merged (a late "opened" event must not undo a merge). Null when the incident is gone.
 */
export async function recordLinkedPr(
  db: Db,
  id: number,
  pr: PrRef,
  state: LinkedPr["state"],
  now = Date.now(),
): Promise<Incident | null> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const cur = await getIncident(db, id);
    if (!cur) return null;
    const prev = cur.linkedPrs.find((p) => same(p, pr));
    if (prev?.state === state || prev?.state === "merged") return cur;
    const changed = await db.exec(
      "UPDATE incidents SET linked_prs = $2, updated_at = $3 WHERE id = $1 AND linked_prs = $4",
      [id, JSON.stringify(withPr(cur.linkedPrs, pr, state, now)), now, JSON.stringify(cur.linkedPrs)],
    );
    if (changed === 1) return getIncident(db, id);
  }
  return null;
}

export interface WithdrawResult {
  incident: Incident;
  /** True when this call moved the incident from fix-proposed back to open. */
  reopened: boolean;
}

/**
 * A fix PR was closed without merging (`closed`), or its `Fixes #N` was edited out while it was
 * open (`unlinked`): marks it so in `linked_prs` and, when the incident is fix-proposed and no other
 * linked PR is still open, moves it back to open. Null when the incident is gone or the PR was
 * already merged (a merged PR cannot be withdrawn).
 */
export async function withdrawFix(
  db: Db,
  id: number,
  pr: PrRef,
  now = Date.now(),
  as: "closed" | "unlinked" = "closed",
): Promise<WithdrawResult | null> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const cur = await getIncident(db, id);
    if (!cur) return null;
    const prev = cur.linkedPrs.find((p) => same(p, pr));
    if (prev?.state === "merged") return null;
    const prs = withPr(cur.linkedPrs, pr, as, now);
    const othersOpen = prs.some((p) => p.state === "open");
    const to = othersOpen ? null : nextStatus(cur.status, "withdraw-fix");
    if (prev?.state === as && to === null) return { incident: cur, reopened: false };
    const changed = await db.exec(
      "UPDATE incidents SET linked_prs = $2, status = $3, updated_at = $4 WHERE id = $1 AND status = $5 AND linked_prs = $6",
      [id, JSON.stringify(prs), to ?? cur.status, now, cur.status, JSON.stringify(cur.linkedPrs)],
    );
    if (changed === 1) return { incident: (await getIncident(db, id))!, reopened: to !== null };
  }
  return null;
}
