// Issues, labels and reactions. Writes tolerate the states a second run of the same job finds
// (label already there, reaction already given, label already removed).

import { InvalidInputError } from "../errors.ts";
import { truncateBody } from "./body.ts";
import { statusOf, wrapGitHub } from "./errors.ts";
import {
  BODY_TARGET,
  LABEL_DESCRIPTION_MAX,
  LABEL_NAME_MAX,
  type ReactionContent,
  TITLE_MAX,
} from "./limits.ts";
import type { GatewayContext } from "./types.ts";

export type ReactionTarget =
  | { issueCommentId: number }
  | { reviewCommentId: number }
  | { issueNumber: number };

export interface IssueRef {
  number: number;
  id: number;
  url: string;
  state: string;
}

function clipTitle(title: string): string {
  return title.length <= TITLE_MAX ? title : `${title.slice(0, TITLE_MAX - 1)}…`;
}

export async function react(
  ctx: GatewayContext,
  target: ReactionTarget,
  content: ReactionContent,
): Promise<void> {
  const base = { owner: ctx.owner, repo: ctx.repo, content };
  try {
    if ("issueCommentId" in target) {
      await wrapGitHub(
        () =>
          ctx.octokit.rest.reactions.createForIssueComment({ ...base, comment_id: target.issueCommentId }),
        `react to comment ${target.issueCommentId}`,
      );
    } else if ("reviewCommentId" in target) {
      await wrapGitHub(
        () =>
          ctx.octokit.rest.reactions.createForPullRequestReviewComment({
            ...base,
            comment_id: target.reviewCommentId,
          }),
        `react to review comment ${target.reviewCommentId}`,
      );
    } else {
      await wrapGitHub(
        () => ctx.octokit.rest.reactions.createForIssue({ ...base, issue_number: target.issueNumber }),
        `react to #${target.issueNumber}`,
      );
    }
  } catch (err) {
    // 422 means "already reacted" (or a reaction on something that cannot take one): an
    // acknowledgement is never worth failing a job over.
    if (statusOf(err) !== 422) throw err;
  }
}

/** An issue's (or PR's) live open/closed and locked state; undefined when it is gone (404/410). */
export async function getIssueState(
  ctx: GatewayContext,
  issueNumber: number,
): Promise<{ state: string; locked: boolean } | undefined> {
  try {
    const { data } = await wrapGitHub(
      () => ctx.octokit.rest.issues.get({ owner: ctx.owner, repo: ctx.repo, issue_number: issueNumber }),
      `read #${issueNumber}`,
    );
    // A transferred issue answers through a redirect with another repository's issue.
    const here = `/repos/${ctx.owner}/${ctx.repo}`.toLowerCase();
    const where = typeof data.repository_url === "string" ? data.repository_url.toLowerCase() : here;
    if (data.number !== issueNumber || !where.endsWith(here)) return undefined;
    return { state: data.state, locked: data.locked === true };
  } catch (err) {
    const status = statusOf(err);
    // 410: deleted; 404: deleted or transferred (then a 301 redirect is followed to another repo's
    // number, checked below) — either way nothing here can still be approved.
    if (status === 404 || status === 410) return undefined;
    throw err;
  }
}

function toIssueRef(data: { number: number; id: number; html_url: string; state: string }): IssueRef {
  return { number: data.number, id: data.id, url: data.html_url, state: data.state };
}

export async function createIssue(
  ctx: GatewayContext,
  input: { title: string; body: string; labels?: string[]; assignees?: string[] },
): Promise<IssueRef> {
  const { data } = await wrapGitHub(
    () =>
      ctx.octokit.rest.issues.create({
        owner: ctx.owner,
        repo: ctx.repo,
        title: clipTitle(input.title),
        body: truncateBody(input.body, BODY_TARGET),
        ...(input.labels ? { labels: input.labels } : {}),
        ...(input.assignees ? { assignees: input.assignees } : {}),
      }),
    "open an issue",
  );
  return toIssueRef(data);
}

export interface IssueUpdate {
  title?: string;
  body?: string;
  state?: "open" | "closed";
  stateReason?: "completed" | "not_planned" | "reopened";
}

export async function updateIssue(
  ctx: GatewayContext,
  issueNumber: number,
  update: IssueUpdate,
): Promise<IssueRef> {
  const { data } = await wrapGitHub(
    () =>
      ctx.octokit.rest.issues.update({
        owner: ctx.owner,
        repo: ctx.repo,
        issue_number: issueNumber,
        ...(update.title !== undefined ? { title: clipTitle(update.title) } : {}),
        ...(update.body !== undefined ? { body: truncateBody(update.body, BODY_TARGET) } : {}),
        ...(update.state !== undefined ? { state: update.state } : {}),
        ...(update.stateReason !== undefined ? { state_reason: update.stateReason } : {}),
      }),
    `update #${issueNumber}`,
  );
  return toIssueRef(data);
}

export async function addLabels(ctx: GatewayContext, issueNumber: number, labels: string[]): Promise<void> {
  if (labels.length === 0) return;
  await wrapGitHub(
    () =>
      ctx.octokit.rest.issues.addLabels({
        owner: ctx.owner,
        repo: ctx.repo,
        issue_number: issueNumber,
        labels,
      }),
    `label #${issueNumber}`,
  );
}

export async function removeLabel(ctx: GatewayContext, issueNumber: number, name: string): Promise<void> {
  try {
    await wrapGitHub(
      () =>
        ctx.octokit.rest.issues.removeLabel({
          owner: ctx.owner,
          repo: ctx.repo,
          issue_number: issueNumber,
          name,
        }),
      `remove label "${name}" from #${issueNumber}`,
    );
  } catch (err) {
    if (statusOf(err) !== 404) throw err;
  }
}

/** Creates the label if the repository lacks it; an existing label is left as the maintainers set it. */
export async function ensureLabel(
  ctx: GatewayContext,
  name: string,
  color: string,
  description = "",
): Promise<"created" | "exists"> {
  if (name.length === 0 || name.length > LABEL_NAME_MAX) {
    throw new InvalidInputError(`label name "${name}" must be 1-${LABEL_NAME_MAX} characters`);
  }
  const hex = color.replace(/^#/, "");
  if (!/^[0-9a-fA-F]{6}$/.test(hex)) {
    throw new InvalidInputError(`label color "${color}" must be six hex digits, e.g. "d73a4a"`);
  }
  try {
    await wrapGitHub(
      () => ctx.octokit.rest.issues.getLabel({ owner: ctx.owner, repo: ctx.repo, name }),
      `read label "${name}"`,
    );
    return "exists";
  } catch (err) {
    if (statusOf(err) !== 404) throw err;
  }
  try {
    await wrapGitHub(
      () =>
        ctx.octokit.rest.issues.createLabel({
          owner: ctx.owner,
          repo: ctx.repo,
          name,
          color: hex,
          description: description.slice(0, LABEL_DESCRIPTION_MAX),
        }),
      `create label "${name}"`,
    );
    return "created";
  } catch (err) {
    // Another job created it between our read and our write.
    if (statusOf(err) === 422 && /already_exists|already exists/i.test(String((err as Error).message))) {
      return "exists";
    }
    throw err;
  }
}
