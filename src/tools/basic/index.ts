import type { Services } from "../../app/services.ts";
import type { JobHandler } from "../../jobs/types.ts";
import { CONFIG_PATH } from "../../config/repo.ts";
import { authorize, commandContext, reply } from "../command-job.ts";
import { renderConfig, renderHelp } from "../help.ts";

/** `/help`, `/config`, and replies to commands that did not parse. */
export function basicJobs(s: Services): Record<string, JobHandler> {
  return {
    "command.help": async (job) => {
      const ctx = await commandContext(s, job);
      await ctx.gw.react(
        ctx.payload.commentKind === "review"
          ? { reviewCommentId: ctx.payload.commentId }
          : { issueCommentId: ctx.payload.commentId },
        "eyes",
      );
      await reply(ctx, renderHelp(), "help");
    },
    "command.config": async (job) => {
      const ctx = await commandContext(s, job);
      if (!(await authorize(ctx, ctx.config.pr.min_permission, "/config"))) return;
      await reply(
        ctx,
        renderConfig(ctx.config, `\`${CONFIG_PATH}\` (and the organisation's \`.github\` repository)`),
        "config",
      );
    },
    "command.error": async (job) => {
      const p = job.payload as {
        number: number;
        commentId: number;
        commentKind: "issue" | "review";
        commenter: string;
        message: string;
      };
      const gw = await s.gateway(job.installationId!, job.repo!);
      await gw.upsertComment({
        issueNumber: p.number,
        kind: "reply",
        key: String(p.commentId),
        body: `@${p.commenter} ${p.message}\n\nSee \`/help\` for the commands and their options.`,
      });
    },
  };
}
