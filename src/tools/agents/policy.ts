import {
  type CommandType,
  DEFAULT_POLICY,
  DEFAULT_RISK,
  type Risk,
  type RiskPolicy,
  riskPolicySchema,
} from "../../agents/commands.ts";
import type { RepoConfig } from "../../config/schema.ts";

// `.github/steward.yml` → the agents risk policy. Config may RAISE a command's risk above the built-in
// default, never lower it: a repository file edited in a PR must not make merges approvable by triage.

const RANK: Record<string, number> = { read: 1, triage: 2, write: 3, maintain: 4, admin: 5 };
const TYPES = Object.keys(DEFAULT_RISK) as CommandType[];

function atLeastDefault(type: CommandType, configured: string): Risk {
  const base = DEFAULT_RISK[type];
  const want = RANK[configured] ?? 0;
  return want > (RANK[base] ?? 0) ? (configured as Risk) : base;
}

export function policyFromConfig(agents: RepoConfig["agents"]): RiskPolicy {
  const byType: Partial<Record<CommandType, Risk>> = {};
  for (const type of TYPES) byType[type] = atLeastDefault(type, agents.risk[type]);
  return riskPolicySchema.parse({
    byType,
    readOnlyShell: DEFAULT_POLICY.readOnlyShell,
    requireDistinctApprover: agents.separate_approver,
    deployCommands: agents.deploy,
    ttlMs: Math.round(agents.proposal_ttl_hours * 3600_000),
  });
}
