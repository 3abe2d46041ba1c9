import type { Verdict } from "./approve.ts";
import type { AgentGateway } from "./ports.ts";
import type { Proposal } from "./proposals.ts";

// A hidden (minimized) proposal comment must not be approvable: whoever hid it meant it to be ignored,
// and hiding leaves the body untouched, so only a live GraphQL read shows it. Fail closed: if GitHub
// cannot say, the approval is refused and the proposal stays pending for another try.

export async function hiddenVerdict(
  gw: AgentGateway,
  p: Pick<Proposal, "id" | "commentId">,
  nodeId: string | null | undefined,
  viaCheckbox: boolean,
): Promise<Verdict | null> {
  if (p.commentId === null) return null; // no comment: the re-fetch before execution refuses it
  let state: { minimized: boolean; reason: string | null };
  try {
    state = await gw.commentMinimized({ id: p.commentId, nodeId });
  } catch {
    return {
      decision: "refuse",
      reason:
        "GitHub could not confirm that the proposal comment is not hidden; nothing was approved, please try again",
      restoreComment: viaCheckbox,
    };
  }
  if (!state.minimized) return null;
  return {
    decision: "refuse",
    reason: `the proposal comment is hidden${state.reason ? ` (${state.reason.toLowerCase()})` : ""}; a hidden proposal cannot be approved`,
    retire: "invalidated",
  };
}
