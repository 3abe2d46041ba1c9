import { writeAudit } from "../../agents/audit.ts";
import type { CommentEditedEvent } from "../../agents/handle.ts";
import { handleApprovalCommand, handleIssueBodyEdit, handleProposalEdit } from "../../agents/handle.ts";
import { answerAssistance } from "../../agents/assistance.ts";
import { invalidateTicketProposals, retireStaleHeads } from "../../agents/invalidate.ts";
import { refusalReply } from "../../agents/replies.ts";
import { casStatus, rowToProposal } from "../../agents/proposals.ts";
import { updateRunStatus } from "../../agents/status.ts";
import { type Services, splitRepo } from "../../app/services.ts";
import { InvalidInputError } from "../../errors.ts";
import type {
  AgentCommentPayload,
  AgentHeadMovedPayload,
  AgentInvalidatePayload,
  AgentIssueEditedPayload,
  AgentLabelPayload,
} from "../../events/agents.ts";
import { statusOf, wrapGitHub } from "../../github/errors.ts";
import { meetsPermission } from "../../github/permissions.ts";
import type { Job, JobHandler } from "../../jobs/types.ts";
import { authorize, commandContext, reply } from "../command-job.ts";
import { agentDeps } from "./deps.ts";
import { toAgentGateway } from "./gateway.ts";
import { startRun } from "./run-start.ts";

// Job handlers of the worker loop. Every decision re-reads the live facts: the approval core in
// src/agents/handle.ts checks permission, marker, hash, expiry and head again, whatever the webhook said.

const delivery = (job: Job) => job.deliveryId ?? `job-${job.id}`;

export function agentsJobs(s: Services): Record<string, JobHandler> {
  return {
    "command.agent": async (job) => {
      const ctx = await commandContext(s, job);
      const { payload, config } = ctx;
      if (payload.command.name !== "agent") throw new InvalidInputError("command.agent without /agent");
      if (!config.agents.enabled) {
        await reply(ctx, "Worker runs are disabled for this repository (`agents.enabled: false`).");
        return;
      }
      if (!(await authorize(ctx, config.agents.min_permission, "/agent"))) return;
      const gw = toAgentGateway(ctx.gw);
      const { action, run } = await startRun(s, job, gw, config, {
        number: payload.number,
        isPr: payload.isPr,
        instructions: payload.command.instructions,
        requestedBy: payload.commenter,
        commentId: payload.commentId,
      });
      if (!s.env.workerSharedSecret && action !== "duplicate")
        await reply(
          ctx,
          `Run #${run.id} is queued, but no worker can claim it: this Steward server has no \`WORKER_SHARED_SECRET\`. Set it and start a worker (\`steward agent-runner\`, see docs/workers.md).`,
        );
    },

    "command.approve": async (job) => approvalCommand(s, job),
    "command.deny": async (job) => approvalCommand(s, job),

    "agents.answer": async (job) => {
      const p = job.payload as AgentCommentPayload;
      const deps = await agentDeps(s, job);
      await answerAssistance(
        deps,
        { comment: p.comment, sender: p.sender, issue: { number: p.number } },
        delivery(job),
      );
    },

    "agents.comment-edited": async (job) => {
      const deps = await agentDeps(s, job);
      await handleProposalEdit(deps, job.payload as CommentEditedEvent, delivery(job));
    },

    "agents.issue-edited": async (job) => {
      const deps = await agentDeps(s, job);
      await handleIssueBodyEdit(deps, job.payload as AgentIssueEditedPayload, delivery(job));
    },

    "agents.comment-deleted": async (job) => {
      const { commentId } = job.payload as { number: number; commentId: number };
      const rows = await s.db.query<Record<string, unknown>>(
        "SELECT * FROM proposals WHERE repo = $1 AND comment_id = $2 AND status IN ('pending', 'approving', 'approved')",
        [job.repo, commentId],
      );
      if (rows.length === 0) return;
      const deps = await agentDeps(s, job);
      for (const p of rows.map(rowToProposal)) {
        const now = Date.now();
        if (!(await casStatus(s.db, p.id, ["pending", "approving", "approved"], "invalidated", { at: now })))
          continue;
        await writeAudit(s.db, {
          at: now,
          deliveryId: delivery(job),
          repo: p.repo,
          proposalId: p.id,
          sha256: p.sha256,
          decision: "refuse",
          reason: "the proposal comment was deleted",
          result: "invalidated",
        });
        await updateRunStatus(s.db, deps.gateway, p.runId);
      }
    },

    // Closing or locking a ticket retires its open proposals. No config or App identity needed: this
    // only ever takes away the chance to approve, whatever the repository's settings.
    "agents.invalidate": async (job) => {
      const p = job.payload as AgentInvalidatePayload;
      const open = await s.db.one(
        "SELECT id FROM proposals WHERE repo = $1 AND ticket_number = $2 AND status IN ('pending', 'approving', 'approved', 'invalidated') LIMIT 1",
        [job.repo, p.number],
      );
      if (!open || !job.installationId || !job.repo) return;
      const what = p.isPr ? "pull request" : "issue";
      await invalidateTicketProposals(
        { db: s.db, gateway: toAgentGateway(await s.gateway(job.installationId, job.repo)) },
        {
          repo: job.repo,
          ticket: p.number,
          reason: `the ${what} was ${p.action} by @${p.sender.login}`,
          deliveryId: delivery(job),
          sender: p.sender,
        },
      );
    },

    // A push to a PR retires the proposals bound to its older head (they could never pass the gate).
    "agents.head-moved": async (job) => {
      const p = job.payload as AgentHeadMovedPayload;
      const stale = await s.db.one(
        `SELECT id FROM proposals WHERE repo = $1 AND COALESCE(target_number, ticket_number) = $2
           AND head_sha IS NOT NULL AND head_sha <> $3 AND status IN ('pending', 'approving', 'approved') LIMIT 1`,
        [job.repo, p.number, p.after],
      );
      if (!stale || !job.installationId || !job.repo) return;
      await retireStaleHeads(
        { db: s.db, gateway: toAgentGateway(await s.gateway(job.installationId, job.repo)) },
        { repo: job.repo, pr: p.number, head: p.after, deliveryId: delivery(job), sender: p.sender },
      );
    },

    // A plain comment on a ticket with a queued or active run: an authorized author's comment folds
    // into the queued run, or becomes the one follow-up of the active run. Others stay context only.
    "agents.comment": async (job) => {
      const p = job.payload as AgentCommentPayload;
      const live = await s.db.one(
        "SELECT id FROM runs WHERE repo = $1 AND ticket_number = $2 AND state IN ('queued', 'claimed', 'running')",
        [job.repo, p.number],
      );
      if (!live || p.sender.type !== "User") return;
      const deps = await agentDeps(s, job);
      if (!deps.config.agents.enabled) return;
      const perm = await deps.gateway.permission(p.sender.login);
      if (!meetsPermission(perm.level, deps.config.agents.min_permission)) return;
      await startRun(s, job, deps.gateway, deps.config, {
        number: p.number,
        isPr: p.isPr,
        instructions: p.comment.body,
        requestedBy: p.sender.login,
        commentId: p.comment.id,
      });
    },

    "agents.label": async (job) => {
      const p = job.payload as AgentLabelPayload;
      const config = await s.repoConfig(job);
      if (!config.agents.enabled || !config.agents.label || config.agents.label !== p.label) return;
      const deps = await agentDeps(s, job);
      const perm =
        p.sender.type === "User"
          ? await deps.gateway.permission(p.sender.login)
          : { level: "none" as const, roleName: "none" };
      if (!meetsPermission(perm.level, config.agents.min_permission)) {
        // One reply per ticket for label refusals, within the labeller's reply budget.
        await refusalReply(
          { db: s.db, gateway: deps.gateway, repo: job.repo!, log: s.log },
          {
            issue: p.number,
            key: `refusal:label-${p.number}`,
            sender: p.sender.login,
            text: `@${p.sender.login} adding \`${p.label}\` starts a worker run, which needs **${config.agents.min_permission}** permission; GitHub reports yours as **${perm.roleName}**. No run was started.`,
          },
        );
        return;
      }
      // A retried job must not fold the same label trigger into the queued run twice.
      const key = `agents.label:${job.repo}#${p.number}:${delivery(job)}`.slice(0, 900);
      const fresh = await s.db.exec(
        "INSERT INTO notices (key, created_at) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
        [key, Date.now()],
      );
      if (fresh !== 1) return;
      try {
        await startRun(s, job, deps.gateway, config, {
          number: p.number,
          isPr: p.isPr,
          instructions: `Work on this ticket (label \`${p.label}\` added by @${p.sender.login}).`,
          requestedBy: p.sender.login,
          commentId: null,
        });
      } catch (err) {
        await s.db.exec("DELETE FROM notices WHERE key = $1", [key]);
        throw err;
      }
    },
  };
}

/**
 * `/approve <id> <prefix>` and `/deny <id>`. The comment is re-read so the sender's id and type come
 * from GitHub now; the command text is rebuilt from the parsed payload and re-parsed strictly.
 */
async function approvalCommand(s: Services, job: Job): Promise<void> {
  const ctx = await commandContext(s, job);
  const cmd = ctx.payload.command;
  if (cmd.name !== "approve" && cmd.name !== "deny") throw new InvalidInputError(`unexpected ${cmd.name}`);
  const deps = await agentDeps(s, job);
  const octokit = await s.octokit(job.installationId!);
  const { owner, repo } = splitRepo(job.repo!);
  let user: { login: string; id: number; type: string } | null = null;
  try {
    const comment_id = ctx.payload.commentId;
    const { data } = await wrapGitHub<{ data: { user: { login: string; id: number; type: string } | null } }>(
      () =>
        ctx.payload.commentKind === "review"
          ? octokit.rest.pulls.getReviewComment({ owner, repo, comment_id })
          : octokit.rest.issues.getComment({ owner, repo, comment_id }),
      `read comment ${comment_id}`,
    );
    user = data.user ? { login: data.user.login, id: data.user.id, type: data.user.type } : null;
  } catch (err) {
    if (statusOf(err) !== 404) throw err;
  }
  // Deleted before we got to it: nothing to approve, and nobody to answer.
  if (!user) return;
  const body = cmd.name === "approve" ? `/approve ${cmd.id} ${cmd.prefix}` : `/deny ${cmd.id}`;
  await handleApprovalCommand(
    deps,
    {
      comment: { id: ctx.payload.commentId, body, user },
      sender: user,
      issue: { number: ctx.payload.number },
    },
    delivery(job),
  );
}
