// Steward's persistent comments: found again by their hidden marker and edited in place, so a job
// that runs twice (jobs are delivered at least once) still leaves exactly one comment.

import { fitBody } from "./body.ts";
import { statusOf, wrapGitHub } from "./errors.ts";
import { BODY_TARGET, PER_PAGE_MAX } from "./limits.ts";
import { type Marker, parseMarker, renderMarker } from "./markers.ts";
import type { GatewayContext } from "./types.ts";

export interface UpsertCommentInput {
  issueNumber: number;
  kind: string;
  key: string;
  body: string;
  /** Small JSON state kept in the marker of the first part (e.g. `{ lastReviewedSha }`). */
  state?: unknown;
}

export interface UpsertResult {
  /** The first (or only) part's comment. */
  id: number;
  url: string;
  /** Whether the first part was newly created rather than found. */
  created: boolean;
  /** Every part, in order. */
  parts: { id: number; url: string }[];
}

export interface FoundComment {
  id: number;
  url: string;
  /** The first part's raw body, marker included. */
  body: string;
  state: unknown;
  /** How many parts the comment currently has. */
  parts: number;
}

interface RawComment {
  id: number;
  body?: string | null;
  html_url: string;
  user: { login: string; type: string } | null;
}

interface OwnComment {
  comment: RawComment;
  marker: Marker;
}

export function isOwnAuthor(user: RawComment["user"], appSlug: string | undefined): boolean {
  if (user?.type !== "Bot") return false;
  return appSlug === undefined || user.login === `${appSlug}[bot]`;
}

async function listOwn(ctx: GatewayContext, issueNumber: number, kind: string, key: string) {
  const all: RawComment[] = await wrapGitHub(
    () =>
      ctx.octokit.paginate(ctx.octokit.rest.issues.listComments, {
        owner: ctx.owner,
        repo: ctx.repo,
        issue_number: issueNumber,
        per_page: PER_PAGE_MAX,
      }),
    `list comments on #${issueNumber}`,
  );
  const own: OwnComment[] = [];
  for (const comment of all) {
    if (!isOwnAuthor(comment.user, ctx.appSlug)) continue;
    const marker = parseMarker(comment.body);
    if (marker && marker.kind === kind && marker.key === key) own.push({ comment, marker });
  }
  // Oldest first: when a race left duplicates, the oldest is the one readers saw first.
  own.sort((a, b) => a.comment.id - b.comment.id);
  return own;
}

// Reserve for the marker line plus its newline; computed with the largest part index we allow.
function markerReserve(kind: string, key: string, state: unknown): number {
  return renderMarker({ kind, key, part: 9999, state }).length + 1;
}

/** Marked bodies for `input`, one per comment. */
export function renderParts(input: UpsertCommentInput, limit: number = BODY_TARGET): string[] {
  const { kind, key, state } = input;
  const pieces = fitBody(input.body, limit - markerReserve(kind, key, state));
  return pieces.map((piece, i) => {
    const marker =
      pieces.length === 1
        ? renderMarker({ kind, key, state })
        : renderMarker({ kind, key, part: i + 1, state: i === 0 ? state : undefined });
    return `${marker}\n${piece}`;
  });
}

export async function upsertComment(ctx: GatewayContext, input: UpsertCommentInput): Promise<UpsertResult> {
  const { issueNumber, kind, key } = input;
  const bodies = renderParts(input);
  const own = await listOwn(ctx, issueNumber, kind, key);
  const byPart = new Map<number, RawComment>();
  const extra: RawComment[] = [];
  for (const { comment, marker } of own) {
    const part = marker.part ?? 1;
    if (part <= bodies.length && !byPart.has(part)) byPart.set(part, comment);
    else extra.push(comment);
  }
  const parts: { id: number; url: string }[] = [];
  let created = false;
  for (const [i, body] of bodies.entries()) {
    const existing = byPart.get(i + 1);
    if (existing && existing.body === body) {
      parts.push({ id: existing.id, url: existing.html_url });
      continue;
    }
    if (existing) {
      const edited = await editComment(ctx, existing.id, body, issueNumber);
      // Deleted by someone between our listing and our edit: fall through and post it again.
      if (edited) {
        parts.push(edited);
        continue;
      }
    }
    const { data } = await wrapGitHub(
      () =>
        ctx.octokit.rest.issues.createComment({
          owner: ctx.owner,
          repo: ctx.repo,
          issue_number: issueNumber,
          body,
        }),
      `comment on #${issueNumber}`,
    );
    if (i === 0) created = true;
    parts.push({ id: data.id, url: data.html_url });
  }
  // Parts left over from a longer previous version, and duplicates from a past race.
  for (const stale of extra) await deleteComment(ctx, stale.id);
  ctx.log.debug(
    { issueNumber, kind, key, parts: bodies.length, created, deleted: extra.length },
    "upserted Steward comment",
  );
  const first = parts[0]!;
  return { id: first.id, url: first.url, created, parts };
}

async function editComment(
  ctx: GatewayContext,
  commentId: number,
  body: string,
  issueNumber: number,
): Promise<{ id: number; url: string } | undefined> {
  try {
    const { data } = await wrapGitHub(
      () =>
        ctx.octokit.rest.issues.updateComment({
          owner: ctx.owner,
          repo: ctx.repo,
          comment_id: commentId,
          body,
        }),
      `edit Steward's comment on #${issueNumber}`,
    );
    return { id: data.id, url: data.html_url };
  } catch (err) {
    if (statusOf(err) === 404) return undefined;
    throw err;
  }
}

export async function findComment(
  ctx: GatewayContext,
  issueNumber: number,
  kind: string,
  key: string,
): Promise<FoundComment | undefined> {
  const own = await listOwn(ctx, issueNumber, kind, key);
  const first = own.find((o) => (o.marker.part ?? 1) === 1);
  if (!first) return undefined;
  const parts = new Set(own.map((o) => o.marker.part ?? 1)).size;
  return {
    id: first.comment.id,
    url: first.comment.html_url,
    body: first.comment.body ?? "",
    state: first.marker.state,
    parts,
  };
}

/** Deletes an issue comment; one that is already gone counts as deleted. */
export async function deleteComment(ctx: GatewayContext, commentId: number): Promise<void> {
  try {
    await wrapGitHub(
      () =>
        ctx.octokit.rest.issues.deleteComment({ owner: ctx.owner, repo: ctx.repo, comment_id: commentId }),
      `delete comment ${commentId}`,
    );
  } catch (err) {
    if (statusOf(err) !== 404) throw err;
  }
}

export interface CommentView {
  id: number;
  body: string;
  url: string;
  user: { login: string; type: string } | null;
  createdAt: string;
  updatedAt: string;
}

/** One issue comment, or undefined when it was deleted. */
export async function getComment(ctx: GatewayContext, commentId: number): Promise<CommentView | undefined> {
  try {
    const { data } = await wrapGitHub(
      () => ctx.octokit.rest.issues.getComment({ owner: ctx.owner, repo: ctx.repo, comment_id: commentId }),
      `read comment ${commentId}`,
    );
    return {
      id: data.id,
      body: data.body ?? "",
      url: data.html_url,
      user: data.user ? { login: data.user.login, type: data.user.type } : null,
      createdAt: data.created_at,
      updatedAt: data.updated_at,
    };
  } catch (err) {
    if (statusOf(err) === 404) return undefined;
    throw err;
  }
}
