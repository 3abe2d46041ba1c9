// `/triage`, `/score`, `/similar`, `/analyze`, `/locate` on an issue, from users with at least
// `issues.min_permission` (live check). Each answers visibly, also when it has nothing to add.
import type { Services } from "../../app/services.ts";
import type { CommandPayload } from "../../events/commands.ts";
import type { Job, JobHandler, JobRunContext } from "../../jobs/types.ts";
import type { Notifier } from "../../notify/index.ts";
import { renderLlmNotConfigured } from "../analyze/render.ts";
import { authorize, type CommandContext, reply } from "../command-job.ts";
import { type IssueJobContext, issueJobContext } from "./context.ts";
import { runAnalysis } from "./analyze.ts";
import { runLocate } from "./locate.ts";
import { renderScorePassing, runScore } from "./score.ts";
import { renderNoSimilar, runSimilar } from "./similar.ts";
import { fetchIssue, skipReason, triage } from "./triage.ts";

type Body = (ctx: IssueJobContext, cmd: CommandContext, job: Job) => Promise<void>;

function command(s: Services, name: string, body: Body): JobHandler {
  return async (job: Job, run: JobRunContext) => {
    const ctx = await issueJobContext(s, job, run);
    const payload = job.payload as CommandPayload;
    const cmd: CommandContext = { gw: ctx.gw, config: ctx.config, payload };
    if (!(await authorize(cmd, ctx.config.issues.min_permission, `/${name}`))) return;
    if (payload.isPr) {
      await reply(
        cmd,
        `\`/${name}\` works on issues. On a pull request, Steward maps the issues it closes to the changed code automatically.`,
      );
      return;
    }
    await body(ctx, cmd, job);
  };
}

export function issueCommands(s: Services, notifier: () => Notifier): Record<string, JobHandler> {
  return {
    "command.triage": command(s, "triage", async (ctx, cmd) => {
      const out = await triage(ctx, cmd.payload.number, notifier, { automatic: false, notify: false });
      if (out.skipped) {
        await reply(cmd, `Steward did not triage this issue: ${out.skipped}.`);
        return;
      }
      const r = out.score!.result;
      const sim = out.similar!;
      const lines = [
        `Triage done. Documentation score **${r.score}/10** (${r.type}; threshold ${ctx.config.issues.score.threshold}).`,
        `Similar: ${sim.result.duplicates.length} possible duplicate(s), ${sim.result.related.length} related, among ${sim.indexed} indexed issues and PRs.`,
        `Analysis: ${out.analysis ?? "not run"}.`,
      ];
      await reply(cmd, lines.join("\n"));
    }),
    "command.score": command(s, "score", async (ctx, cmd) => {
      const { issue } = await fetchIssue(ctx, cmd.payload.number);
      const out = await runScore(ctx, issue);
      if (out.action === "asked" || out.action === "recovered") {
        await reply(
          cmd,
          `Documentation score: **${out.result.score}/10**. Details: ${out.commentUrl ?? "see the score comment above"}.`,
        );
      } else await reply(cmd, renderScorePassing(out.result));
    }),
    "command.similar": command(s, "similar", async (ctx, cmd) => {
      const { issue, raw } = await fetchIssue(ctx, cmd.payload.number);
      const skipped = skipReason(ctx, issue, false);
      if (skipped) {
        await reply(cmd, `Steward skips this issue: ${skipped}.`);
        return;
      }
      const out = await runSimilar(ctx, issue, raw, { force: true });
      const n = out.result.duplicates.length + out.result.related.length;
      if (n === 0) {
        const t = ctx.config.issues.similar.related_threshold ?? 0.3;
        await reply(cmd, renderNoSimilar(t, out.indexed));
      } else
        await reply(cmd, `Found ${n} similar issue(s) or PR(s); the list is in the similar-issues comment.`);
    }),
    "command.analyze": command(s, "analyze", async (ctx, cmd) => {
      if (!ctx.s.llm.configured) {
        await reply(cmd, renderLlmNotConfigured("`/analyze`"));
        return;
      }
      const { issue } = await fetchIssue(ctx, cmd.payload.number);
      const out = await runAnalysis(ctx, issue, { force: true });
      if (out.action === "not-configured") await reply(cmd, renderLlmNotConfigured("`/analyze`"));
      else if (out.action === "budget") await reply(cmd, `\`/analyze\` did not run: ${out.message}`);
      else if ("url" in out) await reply(cmd, `Analysis posted: ${out.url}`);
    }),
    "command.locate": command(s, "locate", async (ctx, cmd) => {
      const { issue } = await fetchIssue(ctx, cmd.payload.number);
      await reply(cmd, await runLocate(ctx, issue), "issue-locate");
    }),
  };
}
