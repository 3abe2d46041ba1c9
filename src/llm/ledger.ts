// The usage and cost ledger (table `llm_usage`, migration 1) and the per-installation daily budget.
import { BudgetExceededError } from "../errors.ts";
import type { Db } from "../store/types.ts";

/** ok: validated answer; invalid: answered but failed validation; error: the request failed. */
export type UsageOutcome = "ok" | "invalid" | "error";

export interface UsageEntry {
  jobId?: number | undefined;
  installationId?: number | undefined;
  tool: string;
  model: string;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  outcome: UsageOutcome;
}

export interface UsageRow extends UsageEntry {
  id: number;
  day: string;
  createdAt: number;
}

export interface UsageSummaryRow {
  day: string;
  installationId: number | undefined;
  tool: string;
  model: string;
  calls: number;
  failures: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
}

/** 'YYYY-MM-DD' of `now` in UTC: budgets reset at 00:00 UTC for every installation alike. */
export function utcDay(now: number | Date): string {
  return new Date(now).toISOString().slice(0, 10);
}

export function costUsd(
  promptTokens: number,
  completionTokens: number,
  prices: { priceInputPerMTok?: number | undefined; priceOutputPerMTok?: number | undefined },
): number {
  return (
    (promptTokens * (prices.priceInputPerMTok ?? 0) + completionTokens * (prices.priceOutputPerMTok ?? 0)) /
    1_000_000
  );
}

export async function recordUsage(db: Db, e: UsageEntry, now: number = Date.now()): Promise<void> {
  await db.exec(
    `INSERT INTO llm_usage (job_id, installation_id, tool, model, day, prompt_tokens, completion_tokens, cost_usd, outcome, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      e.jobId ?? null,
      e.installationId ?? null,
      e.tool,
      e.model,
      utcDay(now),
      e.promptTokens,
      e.completionTokens,
      e.costUsd,
      e.outcome,
      now,
    ],
  );
}

/** Prompt plus completion tokens the installation has used in the UTC day of `now`. */
export async function tokensUsedToday(
  db: Db,
  installationId: number,
  now: number | Date = Date.now(),
): Promise<number> {
  const row = await db.one<{ total: unknown }>(
    "SELECT COALESCE(SUM(prompt_tokens + completion_tokens), 0) AS total FROM llm_usage WHERE installation_id = $1 AND day = $2",
    [installationId, utcDay(now)],
  );
  return Number(row?.total ?? 0);
}

/** Throws BudgetExceededError when today's usage plus `promptTokens` would pass `budget` (0 = unlimited). */
export async function assertWithinBudget(
  db: Db,
  installationId: number,
  promptTokens: number,
  budget: number,
  now: number | Date = Date.now(),
): Promise<void> {
  if (budget <= 0) return;
  const used = await tokensUsedToday(db, installationId, now);
  if (used + promptTokens <= budget) return;
  throw new BudgetExceededError(
    `daily LLM token budget spent for installation ${installationId}: ${used} used + ${promptTokens} needed > ${budget}`,
    {
      transient: false,
      userMessage: `Steward's daily LLM budget for this installation (${budget} tokens) is spent; it resets at 00:00 UTC. Raise LLM_DAILY_TOKEN_BUDGET to allow more.`,
    },
  );
}

const optNum = (v: unknown): number | undefined => (v === null || v === undefined ? undefined : Number(v));

function toRow(r: Record<string, unknown>): UsageRow {
  return {
    id: Number(r.id),
    jobId: optNum(r.job_id),
    installationId: optNum(r.installation_id),
    tool: String(r.tool),
    model: String(r.model),
    day: String(r.day),
    promptTokens: Number(r.prompt_tokens),
    completionTokens: Number(r.completion_tokens),
    costUsd: Number(r.cost_usd),
    outcome: String(r.outcome) as UsageOutcome,
    createdAt: Number(r.created_at),
  };
}

/** Every recorded call of one job, oldest first. */
export async function usageByJob(db: Db, jobId: number): Promise<UsageRow[]> {
  const rows = await db.query("SELECT * FROM llm_usage WHERE job_id = $1 ORDER BY id", [jobId]);
  return rows.map(toRow);
}

/** Totals per day, installation, tool and model; newest day first. */
export async function usageSummary(
  db: Db,
  opts: { installationId?: number; sinceDay?: string } = {},
): Promise<UsageSummaryRow[]> {
  const where: string[] = [];
  const params: Array<number | string> = [];
  if (opts.installationId !== undefined) {
    params.push(opts.installationId);
    where.push(`installation_id = $${params.length}`);
  }
  if (opts.sinceDay !== undefined) {
    params.push(opts.sinceDay);
    where.push(`day >= $${params.length}`);
  }
  const rows = await db.query(
    `SELECT day, installation_id, tool, model, COUNT(*) AS calls,
            SUM(CASE WHEN outcome = 'ok' THEN 0 ELSE 1 END) AS failures,
            SUM(prompt_tokens) AS prompt_tokens, SUM(completion_tokens) AS completion_tokens, SUM(cost_usd) AS cost_usd
       FROM llm_usage ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
      GROUP BY day, installation_id, tool, model
      ORDER BY day DESC, COALESCE(installation_id, -1), tool, model`,
    params,
  );
  return rows.map((r) => ({
    day: String(r.day),
    installationId: optNum(r.installation_id),
    tool: String(r.tool),
    model: String(r.model),
    calls: Number(r.calls),
    failures: Number(r.failures),
    promptTokens: Number(r.prompt_tokens),
    completionTokens: Number(r.completion_tokens),
    costUsd: Number(r.cost_usd),
  }));
}
