import type { IncidentStatus } from "./schema.ts";

// The incident state machine, as pure functions. The registry applies their answers with
// compare-and-set updates, so two processes deciding at once cannot both win.

export interface LifecycleConfig {
  /** After a fix PR merges, how long to watch for recurrence before resolving. */
  verifyWindowMs: number;
  /** A release first seen after the merge that stays free of the error this long resolves early. */
  releaseQuietMs: number;
}

export const DEFAULT_LIFECYCLE: LifecycleConfig = {
  verifyWindowMs: 24 * 3_600_000,
  releaseQuietMs: 3_600_000,
};

export type IncidentAction =
  | "propose-fix"
  | "merge-fix"
  | "resolve"
  | "ignore"
  | "reopen"
  | "regress"
  /** The last open fix PR was closed without merging. */
  | "withdraw-fix";

const FROM: Record<IncidentAction, readonly IncidentStatus[]> = {
  "propose-fix": ["open", "regressed"],
  "merge-fix": ["open", "fix-proposed", "regressed"],
  resolve: ["open", "fix-proposed", "fix-merged", "regressed"],
  ignore: ["open", "fix-proposed", "fix-merged", "resolved", "regressed"],
  reopen: ["resolved", "ignored"],
  regress: ["resolved", "fix-merged"],
  "withdraw-fix": ["fix-proposed"],
};

const TO: Record<IncidentAction, IncidentStatus> = {
  "propose-fix": "fix-proposed",
  "merge-fix": "fix-merged",
  resolve: "resolved",
  ignore: "ignored",
  reopen: "open",
  regress: "regressed",
  "withdraw-fix": "open",
};

/** The status `action` leads to from `current`, or null when the action does not apply. */
export function nextStatus(current: IncidentStatus, action: IncidentAction): IncidentStatus | null {
  return FROM[action].includes(current) ? TO[action] : null;
}

export interface LifecycleState {
  status: IncidentStatus;
  fixMergedAt: number | null;
  resolvedAt: number | null;
}

/** One release (or "no release") seen in a batch of recurrences, with its newest record time. */
export interface Occurrence {
  release: string | null;
  lastTime: number;
  /** When this release was first seen for the service (null when the record named none). */
  releaseFirstSeen: number | null;
}

/**
 * Whether new occurrences of an incident make it regress.
 * - ignored never regresses;
 * - resolved regresses on any occurrence after the resolution, unless it comes from a release
 *   first seen before the fix merged (a straggler replica or a back-fill of old logs);
 * - fix-merged regresses when the error shows up in a release first seen after the merge, or
 *   after the verification window has passed.
 */
export function regressesOn(
  state: LifecycleState,
  occ: Occurrence[],
  cfg: LifecycleConfig = DEFAULT_LIFECYCLE,
): boolean {
  const merged = state.fixMergedAt;
  const oldRelease = (o: Occurrence) =>
    merged !== null && o.releaseFirstSeen !== null && o.releaseFirstSeen <= merged;
  if (state.status === "resolved") {
    const since = state.resolvedAt ?? 0;
    return occ.some((o) => o.lastTime > since && !oldRelease(o));
  }
  if (state.status === "fix-merged" && merged !== null) {
    return occ.some(
      (o) =>
        (o.releaseFirstSeen !== null && o.releaseFirstSeen > merged && o.lastTime >= o.releaseFirstSeen) ||
        (o.lastTime > merged + cfg.verifyWindowMs && !oldRelease(o)),
    );
  }
  return false;
}

/**
 * Whether a fix-merged incident is verified: the window passed with no recurrence (a recurrence
 * would already have regressed it), or a newer release has run quietly for `releaseQuietMs`.
 */
export function resolutionDue(
  state: LifecycleState,
  now: number,
  newestReleaseFirstSeen: number | null,
  cfg: LifecycleConfig = DEFAULT_LIFECYCLE,
): boolean {
  if (state.status !== "fix-merged" || state.fixMergedAt === null) return false;
  if (now >= state.fixMergedAt + cfg.verifyWindowMs) return true;
  return (
    newestReleaseFirstSeen !== null &&
    newestReleaseFirstSeen > state.fixMergedAt &&
    now >= newestReleaseFirstSeen + cfg.releaseQuietMs
  );
}
