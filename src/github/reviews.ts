// Posting a review in one request. GitHub rejects the WHOLE review with 422 when any inline
// comment's anchor falls outside the diff, so every anchor is checked against the parsed hunks
// first; the ones that cannot be placed are listed in the review body instead of being lost.

import { canAnchor } from "../diff/anchor.ts";
import type { DiffFile, ReviewAnchor } from "../diff/types.ts";
import { truncateBody } from "./body.ts";
import { neutralize } from "./neutralize.ts";
import { isOwnAuthor } from "./comments.ts";
import { gitHubReason, statusOf, wrapGitHub } from "./errors.ts";
import { BODY_TARGET, PER_PAGE_MAX, type REVIEW_EVENTS } from "./limits.ts";
import type { GatewayContext } from "./types.ts";

export interface ReviewCommentInput extends ReviewAnchor {
  body: string;
}

export interface RejectedComment {
  comment: ReviewCommentInput;
  reason: string;
}

export interface PostReviewInput {
  pullNumber: number;
  /** The head SHA the anchors were computed against. */
  commitId: string;
  body: string;
  event?: (typeof REVIEW_EVENTS)[number];
  comments: ReviewCommentInput[];
  /** The PR's parsed diff at `commitId`. */
  files: DiffFile[];
  /** Append comments that could not be placed to the review body (default true). */
  appendRejected?: boolean;
}

export interface PostReviewResult {
  reviewId: number;
  url: string;
  posted: ReviewCommentInput[];
  rejected: RejectedComment[];
}

// A range whose start equals its end is a single line; GitHub rejects start_line == line.
function normalise(c: ReviewCommentInput): ReviewCommentInput {
  if (c.start_line === undefined || c.start_line !== c.line) return c;
  if (c.start_side !== undefined && c.start_side !== c.side) return c;
  const { start_line: _sl, start_side: _ss, ...single } = c;
  return single;
}

/** Splits comments into those GitHub will accept on this diff and those it would reject. */
export function checkReviewComments(
  files: DiffFile[],
  comments: ReviewCommentInput[],
): { valid: ReviewCommentInput[]; rejected: RejectedComment[] } {
  const valid: ReviewCommentInput[] = [];
  const rejected: RejectedComment[] = [];
  for (const raw of comments) {
    const comment = normalise(raw);
    const { body: _body, ...anchor } = comment;
    const check = canAnchor(files, anchor);
    if (check.ok) valid.push(comment);
    else rejected.push({ comment: raw, reason: check.reason });
  }
  return { valid, rejected };
}

function lines(c: ReviewAnchor): string {
  return c.start_line !== undefined ? `lines ${c.start_line}-${c.line}` : `line ${c.line}`;
}

/** Markdown listing comments that could not be placed inline, for the review body. */
export function renderRejected(rejected: RejectedComment[]): string {
  if (rejected.length === 0) return "";
  const n = rejected.length;
  const items = rejected.map(
    ({ comment, reason }) =>
      `**${neutralize(comment.path, "code")} ${lines(comment)} (${comment.side === "LEFT" ? "old" : "new"} side)**: not placed inline because ${reason}\n\n${comment.body}`,
  );
  return `\n\n<details>\n<summary>${n} comment${n === 1 ? "" : "s"} could not be placed on the diff</summary>\n\n${items.join("\n\n---\n\n")}\n\n</details>`;
}

function toApiComment(c: ReviewCommentInput) {
  return {
    path: c.path,
    body: truncateBody(c.body, BODY_TARGET),
    line: c.line,
    side: c.side,
    ...(c.start_line !== undefined ? { start_line: c.start_line, start_side: c.start_side ?? c.side } : {}),
  };
}

export async function postReview(ctx: GatewayContext, input: PostReviewInput): Promise<PostReviewResult> {
  const { pullNumber, commitId, files } = input;
  const event = input.event ?? "COMMENT";
  const appendRejected = input.appendRejected ?? true;
  const { valid, rejected } = checkReviewComments(files, input.comments);
  const bodyWith = (r: RejectedComment[]) =>
    truncateBody(input.body + (appendRejected ? renderRejected(r) : ""), BODY_TARGET);
  const create = (body: string, comments: ReviewCommentInput[]) =>
    wrapGitHub(
      () =>
        ctx.octokit.rest.pulls.createReview({
          owner: ctx.owner,
          repo: ctx.repo,
          pull_number: pullNumber,
          commit_id: commitId,
          body,
          event,
          ...(comments.length > 0 ? { comments: comments.map(toApiComment) } : {}),
        }),
      `post a review on #${pullNumber}`,
    );
  try {
    const { data } = await create(bodyWith(rejected), valid);
    ctx.log.info(
      { pullNumber, reviewId: data.id, posted: valid.length, rejected: rejected.length },
      "posted review",
    );
    return { reviewId: data.id, url: data.html_url, posted: valid, rejected };
  } catch (err) {
    if (statusOf(err) !== 422 || valid.length === 0) throw err;
    // Our anchor check and GitHub disagree (e.g. the diff moved under us): keep the review, move
    // every inline comment into the body.
    const why = `GitHub rejected the inline comments (${gitHubReason(err)})`;
    const all = [...rejected, ...valid.map((comment) => ({ comment, reason: why }))];
    ctx.log.warn(
      { pullNumber, inline: valid.length },
      "review rejected with 422; retrying without inline comments",
    );
    const { data } = await create(bodyWith(all), []);
    return { reviewId: data.id, url: data.html_url, posted: [], rejected: all };
  }
}

export async function replyToReviewComment(
  ctx: GatewayContext,
  pullNumber: number,
  commentId: number,
  body: string,
): Promise<{ id: number; url: string }> {
  const { data } = await wrapGitHub(
    () =>
      ctx.octokit.rest.pulls.createReplyForReviewComment({
        owner: ctx.owner,
        repo: ctx.repo,
        pull_number: pullNumber,
        comment_id: commentId,
        body: truncateBody(body, BODY_TARGET),
      }),
    `reply to review comment ${commentId} on #${pullNumber}`,
  );
  return { id: data.id, url: data.html_url };
}

export interface ReviewCommentView {
  id: number;
  body: string;
  path: string;
  /** Null when the comment is outdated (its line is no longer in the diff). */
  line: number | null;
  user: { login: string; type: string } | null;
  /** Written by Steward's own bot (the same test as for its issue comments). */
  own: boolean;
}

/** Every inline review comment on the PR, all pages, oldest first. */
export async function listReviewComments(
  ctx: GatewayContext,
  pullNumber: number,
): Promise<ReviewCommentView[]> {
  const all = await wrapGitHub(
    () =>
      ctx.octokit.paginate(ctx.octokit.rest.pulls.listReviewComments, {
        owner: ctx.owner,
        repo: ctx.repo,
        pull_number: pullNumber,
        per_page: PER_PAGE_MAX,
      }),
    `list the review comments on #${pullNumber}`,
  );
  return all.map((c) => {
    const user = c.user ? { login: c.user.login, type: c.user.type } : null;
    return {
      id: c.id,
      body: c.body ?? "",
      path: c.path,
      line: c.line ?? null,
      user,
      own: isOwnAuthor(user, ctx.appSlug),
    };
  });
}
