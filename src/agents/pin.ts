import { type Command, canonicalJson, commandHash, sha256Hex } from "./commands.ts";
import type { AgentGateway } from "./ports.ts";

// A proposal that acts on a pull request is bound to that PR's head SHA as it was when proposed: the
// head is shown in the proposal comment, hashed with the command (so `/approve <prefix>` names it too),
// re-checked before execution and passed to GitHub as the merge's `sha`. Without this, approving "merge
// #2" would merge whatever #2's author force-pushed after the approver looked.

export interface Pin {
  /** The PR whose head is pinned. */
  number: number;
  sha: string;
}

/** The PR a command acts on, if it names one; `push` acts on the PR whose head is that branch. */
async function commandTarget(
  gw: AgentGateway,
  command: Command,
  ticket: { number: number; branch: string | null },
): Promise<Pin | null> {
  switch (command.type) {
    case "merge_pr":
    case "label":
    case "close_issue": {
      const sha = await gw.headSha(command.number);
      return sha ? { number: command.number, sha } : null;
    }
    case "push": {
      if (ticket.branch !== null && ticket.branch === command.branch) return null; // the ticket's PR
      return await gw.pullForBranch(command.branch);
    }
    default:
      return null;
  }
}

/**
 * The pin of a new proposal: the head of the PR the command acts on; otherwise, on a PR ticket, the
 * ticket's own head (a shell command reviewed against one head must not run against another).
 */
export async function pinFor(
  gw: AgentGateway,
  command: Command,
  ticket: { number: number; branch: string | null },
): Promise<Pin | null> {
  const target = await commandTarget(gw, command, ticket);
  if (target) return target;
  // Already asked: the command's own number is the ticket, and it is not a PR.
  if ("number" in command && command.number === ticket.number) return null;
  const sha = await gw.headSha(ticket.number);
  return sha ? { number: ticket.number, sha } : null;
}

/**
 * The proposal's sha256: the command alone, or with what it is bound to — the PR head it is pinned to,
 * and for `deploy` the argv configured for the environment when it was proposed.
 */
export function proposalHash(command: Command, pin: Pin | null, argv: string[] | null = null): string {
  if (!pin && !argv) return commandHash(command);
  return sha256Hex(
    canonicalJson({
      command,
      ...(pin ? { target: { head: pin.sha, number: pin.number } } : {}),
      ...(argv ? { argv } : {}),
    }),
  );
}
