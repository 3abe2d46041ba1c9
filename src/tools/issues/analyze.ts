// The first-principles analysis on GitHub: one persistent comment, refreshed only when the issue
// text changed (its hash is kept in the comment's marker), so edits do not re-bill the same answer.
import { createHash } from "node:crypto";
import { BudgetExceededError, LLMNotConfiguredError } from "../../errors.ts";
import { analyzePrompt } from "../analyze/prompt.ts";
import { renderAnalysis } from "../analyze/render.ts";
import { analysisSchema } from "../analyze/schema.ts";
import type { IssueData, IssueJobContext } from "./context.ts";

export const ANALYSIS_KIND = "issue-analysis";

export type AnalysisOutcome =
  | { action: "posted" | "unchanged"; url: string }
  | { action: "not-configured" | "budget"; message: string };

function hashOf(issue: IssueData): string {
  return createHash("sha256").update(`${issue.title}\n${issue.body}`).digest("hex").slice(0, 16);
}

export async function runAnalysis(
  ctx: IssueJobContext,
  issue: IssueData,
  opts: { force?: boolean; notes?: string[] } = {},
): Promise<AnalysisOutcome> {
  if (!ctx.s.llm.configured) return { action: "not-configured", message: "no LLM configured" };
  const key = String(issue.number);
  const hash = hashOf(issue);
  if (!opts.force) {
    const found = await ctx.gw.findComment(issue.number, ANALYSIS_KIND, key);
    if (found && (found.state as { hash?: string } | undefined)?.hash === hash) {
      return { action: "unchanged", url: found.url };
    }
  }
  try {
    const { system, user } = analyzePrompt({
      repo: ctx.repo,
      number: issue.number,
      title: issue.title,
      body: issue.body,
      labels: issue.labels,
      notes: opts.notes,
    });
    const r = await ctx.s.llm.complete({
      schema: analysisSchema,
      name: "issue_analysis",
      system,
      user,
      usage: { tool: "analyze", jobId: ctx.job.id, installationId: ctx.job.installationId ?? undefined },
      signal: ctx.run.signal,
    });
    const body = renderAnalysis(r.data, {
      model: ctx.s.llm.model,
      calls: r.calls,
      promptTokens: r.promptTokens,
      completionTokens: r.completionTokens,
    });
    const up = await ctx.gw.upsertComment({
      issueNumber: issue.number,
      kind: ANALYSIS_KIND,
      key,
      body,
      state: { hash },
    });
    return { action: "posted", url: up.url };
  } catch (err) {
    if (err instanceof LLMNotConfiguredError) return { action: "not-configured", message: err.userMessage };
    if (err instanceof BudgetExceededError) return { action: "budget", message: err.userMessage };
    throw err;
  }
}
