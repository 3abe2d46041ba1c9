// Job handlers for the PR tools: automatic runs (pr.auto fans out to pr.describe / pr.review /
// pr.improve, each its own idempotent job), incremental review on push, and the slash commands.
import type { Services } from "../../app/services.ts";
import { followUpsForPr } from "../../events/issues.ts";
import type { PrEventPayload } from "../../events/pr.ts";
import type { Job, JobHandler } from "../../jobs/types.ts";
import { authorize, type CommandContext, commandContext, reply } from "../command-job.ts";
import type { RunOptions } from "../options.ts";
import { runAskJob } from "./ask-job.ts";
import { runDescribeJob } from "./describe-job.ts";
import { runImproveJob } from "./improve-job.ts";
import { runReviewJob } from "./review-job.ts";
import { skipReason } from "./skip.ts";

type PrToolJob = { number: number };

async function toolArgs(s: Services, job: Job) {
  const config = await s.repoConfig(job);
  const gw = await s.gateway(job.installationId!, job.repo!);
  const number = (job.payload as PrToolJob).number ?? job.targetNumber!;
  return { config, gw, number };
}

/** Commands on a PR only; on an issue they answer with what to do instead. */
async function prCommand(s: Services, job: Job, name: string): Promise<CommandContext | undefined> {
  const ctx = await commandContext(s, job);
  if (!ctx.payload.isPr) {
    await reply(ctx, `@${ctx.payload.commenter} \`/${name}\` works on pull requests; this is an issue.`);
    return undefined;
  }
  if (!(await authorize(ctx, ctx.config.pr.min_permission, `/${name}`))) return undefined;
  return ctx;
}

function optionsOf(ctx: CommandContext): RunOptions {
  const c = ctx.payload.command;
  return "options" in c ? c.options : {};
}

/** Issue↔code mapping and the similar-issues index follow every PR open and push (their own jobs). */
async function fanOutIssueWork(s: Services, job: Job, p: PrEventPayload): Promise<void> {
  if (!job.repo) return;
  for (const spec of followUpsForPr(job.repo, p, p.action)) {
    await s.enqueue({ ...spec, installationId: job.installationId ?? undefined });
  }
}

export function prJobs(s: Services): Record<string, JobHandler> {
  return {
    "pr.auto": async (job, { log }) => {
      const p = job.payload as PrEventPayload;
      await fanOutIssueWork(s, job, p);
      const config = await s.repoConfig(job);
      const skip = skipReason(p, config);
      if (skip) {
        log.info({ number: p.number, skip }, "automatic PR tools skipped");
        return;
      }
      for (const tool of config.pr.auto) {
        await s.enqueue({
          kind: `pr.${tool}`,
          payload: { number: p.number, headSha: p.headSha } satisfies PrToolJob & { headSha: string },
          dedupeKey: `pr.${tool}:${job.repo}#${p.number}`,
          installationId: job.installationId ?? undefined,
          repo: job.repo ?? undefined,
          targetNumber: p.number,
        });
      }
    },
    "pr.push": async (job, { log }) => {
      const p = job.payload as PrEventPayload;
      await fanOutIssueWork(s, job, p);
      const config = await s.repoConfig(job);
      if (config.pr.on_push === "none") return;
      const skip = skipReason(p, config);
      if (skip) {
        log.info({ number: p.number, skip }, "incremental review skipped");
        return;
      }
      const gw = await s.gateway(job.installationId!, job.repo!);
      const r = await runReviewJob(s, job, {
        gw,
        config,
        number: p.number,
        options: {},
        trigger: "push",
        headSha: p.headSha,
      });
      if (r.skipped) log.info({ number: p.number, why: r.skipped }, "incremental review skipped");
    },
    "pr.review": async (job) => {
      const a = await toolArgs(s, job);
      await runReviewJob(s, job, { ...a, options: {}, trigger: "auto" });
    },
    "pr.describe": async (job) => {
      const a = await toolArgs(s, job);
      await runDescribeJob(s, job, { ...a, options: {} });
    },
    "pr.improve": async (job) => {
      const a = await toolArgs(s, job);
      await runImproveJob(s, job, { ...a, options: {} });
    },
    "command.review": async (job) => {
      const ctx = await prCommand(s, job, "review");
      if (!ctx) return;
      const options = optionsOf(ctx);
      const a = { gw: ctx.gw, config: ctx.config, number: ctx.payload.number, options };
      await runReviewJob(s, job, { ...a, trigger: "command" });
      if (options.include_improve) await runImproveJob(s, job, a);
    },
    "command.describe": async (job) => {
      const ctx = await prCommand(s, job, "describe");
      if (!ctx) return;
      await runDescribeJob(s, job, {
        gw: ctx.gw,
        config: ctx.config,
        number: ctx.payload.number,
        options: optionsOf(ctx),
        replyJson: (body) => reply(ctx, body, "pr-json"),
      });
    },
    "command.improve": async (job) => {
      const ctx = await prCommand(s, job, "improve");
      if (!ctx) return;
      await runImproveJob(s, job, {
        gw: ctx.gw,
        config: ctx.config,
        number: ctx.payload.number,
        options: optionsOf(ctx),
      });
    },
    "command.ask": async (job) => {
      const ctx = await prCommand(s, job, "ask");
      if (!ctx) return;
      await runAskJob(s, job, ctx, (body) => reply(ctx, body, "ask"));
    },
  };
}
