import { GitHubAPIError } from "../errors.ts";
import type { Actor, Verdict } from "./approve.ts";
import { DEFAULT_POLICY, levelMeets, type RiskPolicy } from "./commands.ts";
import type { AgentGateway, Clock, CommentSnapshot, PermissionAnswer } from "./ports.ts";
import type { Proposal } from "./proposals.ts";

/** Own keys only (deploy environments come from a worker's proposal). */
function deployArgvOf(policy: RiskPolicy, environment: string): string[] | null {
  return Object.hasOwn(policy.deployCommands, environment)
    ? (policy.deployCommands[environment] ?? null)
    : null;
}
import { isRequester } from "./requesters.ts";
import { integrityProblem, parseProposalBody } from "./render.ts";
import { hiddenVerdict } from "./visibility.ts";

// The one gate every approved command passes, twice: once while the proposal is still `pending` (just
// before the compare-and-set that approves it), and again at hand-out (takeApproved), right before the
// compare-and-set that gives a worker-side command to its run. Every fact is read live from GitHub; the
// proposal is never in a state a worker can receive while these checks run, and a refusal can always
// retire it. Order: cheap local checks first, then one GitHub round trip per fact.

export interface GateDeps {
  gateway: AgentGateway;
  policy?: RiskPolicy;
  now?: Clock;
}

export interface GateInput {
  proposal: Proposal;
  approver: Actor;
  /** Approved by ticking the box: the box must still be ticked. `/approve` leaves it unticked. */
  viaCheckbox: boolean;
  /** The proposal comment's GraphQL node id, when the caller has it (the webhook's `comment.node_id`). */
  nodeId?: string | null;
  /** The approval asked "is it hidden?" itself an instant before (still pending); not asked twice. */
  hiddenChecked?: boolean;
}

export interface GateOutcome {
  verdict: Verdict | null;
  /** The approver's role as GitHub reported it during these checks (null when not asked). */
  role: string | null;
}

const NO_PERMISSION: PermissionAnswer = { permission: "none", roleName: "none", level: "none" };

export async function livePermission(gw: AgentGateway, sender: Actor): Promise<PermissionAnswer> {
  if (sender.type !== "User") return NO_PERMISSION;
  try {
    return await gw.permission(sender.login);
  } catch (err) {
    // 404 means "not a collaborator"; anything else must not turn into an approval either.
    if (err instanceof GitHubAPIError && err.status === 404) return NO_PERMISSION;
    throw err;
  }
}

export async function fetchComment(gw: AgentGateway, id: number): Promise<CommentSnapshot | null> {
  try {
    return await gw.getComment(id);
  } catch (err) {
    if (err instanceof GitHubAPIError && err.status === 404) return null;
    throw err;
  }
}

const refuse = (reason: string, retire?: Verdict["retire"]): Verdict => ({
  decision: "refuse",
  reason,
  ...(retire ? { retire } : {}),
});

/** Why the ticket can no longer carry approvals, or null when it is open and unlocked. */
export async function ticketProblem(gw: AgentGateway, ticket: number): Promise<string | null> {
  const st = await gw.ticketState(ticket);
  if (!st) return `#${ticket} no longer exists in this repository (deleted or transferred)`;
  if (st.state !== "open") return `#${ticket} is closed`;
  if (st.locked) return `#${ticket} is locked`;
  return null;
}

export async function finalChecks(deps: GateDeps, input: GateInput): Promise<GateOutcome> {
  const { gateway: gw } = deps;
  const p = input.proposal;
  const now = (deps.now ?? Date.now)();
  const policy = deps.policy ?? DEFAULT_POLICY;
  let role: string | null = null;
  const out = (verdict: Verdict | null): GateOutcome => ({ verdict, role });

  if (now >= p.expiresAt) return out(refuse(`proposal ${p.id} has expired`, "expired"));
  const ticket = await ticketProblem(gw, p.ticketNumber);
  if (ticket) return out(refuse(ticket, "invalidated"));

  if (p.risk !== "auto") {
    if (p.commentId === null) return out(refuse("the proposal has no comment to approve", "invalidated"));
    const current = await fetchComment(gw, p.commentId);
    if (!current) return out(refuse("the proposal comment was deleted", "invalidated"));
    const problem = integrityProblem(current.body, p);
    if (problem) return out(refuse(`${problem} after approval`, "invalidated"));
    if (input.viaCheckbox && !parseProposalBody(current.body).boxes[0]?.checked)
      return out(refuse("the box was unticked after approval", "invalidated"));
    const hidden = input.hiddenChecked ? null : await hiddenVerdict(gw, p, input.nodeId, input.viaCheckbox);
    if (hidden) return out(hidden);

    const perm = await livePermission(gw, input.approver);
    role = perm.roleName;
    if (!levelMeets(perm.level, p.risk))
      return out(
        refuse(
          `@${input.approver.login}'s permission was revoked before execution (now ${perm.roleName})`,
          "invalidated",
        ),
      );
    if (
      policy.requireDistinctApprover &&
      (p.risk === "maintain" || p.risk === "admin") &&
      isRequester(p, input.approver.login)
    )
      return out(refuse("the approver must not be a user whose instructions are in the run", "invalidated"));
  }

  if (p.command.type === "deploy") {
    // The approver was shown the argv configured when it was proposed; a config edit since then
    // (anyone who can push to the default branch) must not swap in another program.
    const now = deployArgvOf(policy, p.command.environment);
    if (!now || !p.resolvedArgv || JSON.stringify(now) !== JSON.stringify(p.resolvedArgv))
      return out(
        refuse(
          `the deploy command configured for '${p.command.environment}' changed since the proposal`,
          "invalidated",
        ),
      );
  }

  if (p.headSha) {
    const target = p.targetNumber ?? p.ticketNumber;
    const head = await gw.headSha(target);
    if (head !== p.headSha)
      return out(
        refuse(
          `the head of #${target} moved from ${p.headSha.slice(0, 12)} to ${(head ?? "none").slice(0, 12)} since the proposal`,
          "invalidated",
        ),
      );
  }
  return out(null);
}
