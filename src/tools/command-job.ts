import type { Services } from "../app/services.ts";
import type { RepoConfig } from "../config/schema.ts";
import type { CommandPayload } from "../events/commands.ts";
import type { GitHubGateway } from "../github/gateway.ts";
import { meetsPermission, type PermissionLevel } from "../github/permissions.ts";
import type { Job } from "../jobs/types.ts";

export interface CommandContext {
  gw: GitHubGateway;
  config: RepoConfig;
  payload: CommandPayload;
}

/** Loads config and the gateway for a `command.*` job. */
export async function commandContext(s: Services, job: Job): Promise<CommandContext> {
  const payload = job.payload as CommandPayload;
  const config = await s.repoConfig(job);
  const gw = await s.gateway(job.installationId!, job.repo!);
  return { gw, config, payload };
}

/**
 * Replies where the command was written: in the review thread, or on the conversation. Conversation
 * replies are upserted by a marker keyed on the command's comment id, so a retried job edits its reply
 * instead of posting a second one.
 */
export async function reply(ctx: CommandContext, body: string, kind = "reply"): Promise<void> {
  const { gw, payload } = ctx;
  if (payload.commentKind === "review" && payload.thread) {
    await gw.replyToReviewComment(payload.number, payload.thread.commentId, body);
    return;
  }
  await gw.upsertComment({ issueNumber: payload.number, kind, key: String(payload.commentId), body });
}

/**
 * The live permission gate every command passes through (never `author_association`). Acknowledges an
 * allowed command with 👀; refuses the rest with a reply that says what is needed.
 */
export async function authorize(
  ctx: CommandContext,
  minimum: PermissionLevel,
  what: string,
): Promise<boolean> {
  const { gw, payload } = ctx;
  const perm = await gw.permission(payload.commenter);
  if (!meetsPermission(perm.level, minimum)) {
    await reply(
      ctx,
      `@${payload.commenter} \`${what}\` needs **${minimum}** permission on this repository; GitHub reports yours as **${perm.level}**. Ask a maintainer to run it, or change the minimum in \`.github/steward.yml\`.`,
    );
    return false;
  }
  await gw.react(
    payload.commentKind === "review"
      ? { reviewCommentId: payload.commentId }
      : { issueCommentId: payload.commentId },
    "eyes",
  );
  return true;
}
