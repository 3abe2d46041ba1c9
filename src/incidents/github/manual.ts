import { type IncidentAction, nextStatus } from "../lifecycle.ts";
import type { Incident } from "../registry.ts";
import type { IncidentStatus } from "../schema.ts";

// What a person closing or reopening an incident's issue on GitHub means for the incident. Pure.
// Steward's own closes and reopens never get here (bot senders are dropped at intake and by the
// route), and every answer is a transition that no longer applies once made, so nothing can loop.

export interface ManualChange {
  action: "closed" | "reopened";
  /** GitHub's `state_reason`: `completed`, `not_planned`, `duplicate`, or null. */
  stateReason: string | null;
}

export function manualTransition(
  inc: Pick<Incident, "status" | "resolvedAt" | "lastSeen">,
  ev: ManualChange,
): { action: IncidentAction; to: IncidentStatus } | null {
  const apply = (action: IncidentAction) => {
    const to = nextStatus(inc.status, action);
    return to ? { action, to } : null;
  };
  if (ev.action === "closed") {
    if (ev.stateReason === "not_planned" || ev.stateReason === "duplicate") return apply("ignore");
    // GitHub closes the issue itself when a `Fixes #N` PR merges, and that close cannot be told
    // from a person's: while a fix is proposed or merged, verification decides.
    if (inc.status === "fix-proposed" || inc.status === "fix-merged") return null;
    return apply("resolve");
  }
  // Reopening a resolved incident that has recurred since (from a release older than the fix, which
  // did not regress it on its own) counts as a regression; otherwise the incident is open again.
  if (inc.status === "resolved" && inc.resolvedAt !== null && inc.lastSeen > inc.resolvedAt)
    return apply("regress");
  return apply("reopen");
}
