// The one object through which Steward touches GitHub for a repository. Each method is a thin,
// logged, error-classified wrapper; the logic lives in the sibling files so it stays small and
// testable. Construct one per job from Probot's installation-authenticated `context.octokit`.

import { InvalidInputError } from "../errors.ts";
import {
  type CheckAnnotation,
  type CheckConclusion,
  type CheckOutput,
  type CheckRunRef,
  completeCheckRun,
  startCheckRun,
} from "./checks.ts";
import type { Logger } from "../logger.ts";
import {
  type CommentView,
  deleteComment,
  type FoundComment,
  findComment,
  getComment,
  type UpsertCommentInput,
  type UpsertResult,
  upsertComment,
} from "./comments.ts";
import { statusOf, wrapGitHub } from "./errors.ts";
import {
  addLabels,
  createIssue,
  ensureLabel,
  getIssueState,
  type IssueRef,
  type IssueUpdate,
  type ReactionTarget,
  react,
  removeLabel,
  updateIssue,
} from "./issues.ts";
import { ACK_REACTION, type ReactionContent } from "./limits.ts";
import {
  collaboratorPermissionSchema,
  NO_PERMISSION,
  type PermissionInfo,
  toPermissionInfo,
} from "./permissions.ts";
import {
  type Comparison,
  compareCommits,
  createBranch,
  createPullRequest,
  getFileContent,
  getPullRequest,
  type MergeMethod,
  mergePullRequest,
  type PullFile,
  type PullRequest,
  listPullFiles,
  openPullForBranch,
  updatePullBody,
} from "./pulls.ts";
import {
  listReviewComments,
  type PostReviewInput,
  type PostReviewResult,
  postReview,
  type ReviewCommentView,
  replyToReviewComment,
} from "./reviews.ts";
import type { GatewayContext, GatewayOptions } from "./types.ts";
import { apiBaseUrlOf, webUrlFromApi } from "./web.ts";

export class GitHubGateway {
  readonly owner: string;
  readonly repo: string;
  /** https://github.com, or the Enterprise Server's web URL: the base of every link Steward writes. */
  readonly webUrl: string;
  readonly #ctx: GatewayContext;

  constructor(opts: GatewayOptions) {
    this.owner = opts.owner;
    this.repo = opts.repo;
    this.webUrl = webUrlFromApi(apiBaseUrlOf(opts.octokit));
    // The child logger carries the repository; the octokit (and its token) is never logged.
    const log: Logger = opts.log.child({ repo: `${opts.owner}/${opts.repo}` });
    this.#ctx = { octokit: opts.octokit, owner: opts.owner, repo: opts.repo, log, appSlug: opts.appSlug };
  }

  /**
   * A GraphQL read (e.g. `closingIssuesReferences`). Mutations belong in a named gateway method, so
   * every write stays reviewable here.
   */
  graphql<T>(query: string, variables: Record<string, unknown> = {}, what = "query GitHub"): Promise<T> {
    if (/^\s*mutation\b/.test(query)) {
      return Promise.reject(
        new InvalidInputError("GitHubGateway.graphql is for queries; add a gateway method for mutations"),
      );
    }
    return wrapGitHub(() => this.#ctx.octokit.graphql<T>(query, variables), what);
  }

  // Comments
  upsertComment(input: UpsertCommentInput): Promise<UpsertResult> {
    return upsertComment(this.#ctx, input);
  }
  findComment(issueNumber: number, kind: string, key: string): Promise<FoundComment | undefined> {
    return findComment(this.#ctx, issueNumber, kind, key);
  }
  deleteComment(commentId: number): Promise<void> {
    return deleteComment(this.#ctx, commentId);
  }
  getComment(commentId: number): Promise<CommentView | undefined> {
    return getComment(this.#ctx, commentId);
  }
  react(target: ReactionTarget, content: ReactionContent = ACK_REACTION): Promise<void> {
    return react(this.#ctx, target, content);
  }

  // Reviews
  postReview(input: PostReviewInput): Promise<PostReviewResult> {
    return postReview(this.#ctx, input);
  }
  /** Every inline review comment on the PR (all pages), each flagged `own` when Steward wrote it. */
  listReviewComments(pullNumber: number): Promise<ReviewCommentView[]> {
    return listReviewComments(this.#ctx, pullNumber);
  }
  replyToReviewComment(
    pullNumber: number,
    commentId: number,
    body: string,
  ): Promise<{ id: number; url: string }> {
    return replyToReviewComment(this.#ctx, pullNumber, commentId, body);
  }

  // Check runs
  /** `in_progress` for this SHA, reusing Steward's earlier run of the same name and SHA. */
  startCheckRun(input: {
    name: string;
    headSha: string;
    externalId: string;
    output: CheckOutput;
  }): Promise<CheckRunRef> {
    return startCheckRun(this.#ctx, input);
  }
  /** Completes a run; annotations go 50 per request, and a reused run never gets one twice. */
  completeCheckRun(input: {
    checkRunId: number;
    conclusion: CheckConclusion;
    output: CheckOutput;
    annotations: CheckAnnotation[];
    reused: boolean;
  }): Promise<{ requests: number; annotations: number }> {
    return completeCheckRun(this.#ctx, input);
  }

  /** The user's effective permission, asked live every time (never cached: roles change). */
  async permission(username: string): Promise<PermissionInfo> {
    try {
      const { data } = await wrapGitHub(
        () =>
          this.#ctx.octokit.rest.repos.getCollaboratorPermissionLevel({
            owner: this.owner,
            repo: this.repo,
            username,
          }),
        `check ${username}'s permission`,
      );
      return toPermissionInfo(collaboratorPermissionSchema.parse(data));
    } catch (err) {
      if (statusOf(err) === 404) return NO_PERMISSION;
      throw err;
    }
  }

  // Issues and labels
  createIssue(input: {
    title: string;
    body: string;
    labels?: string[];
    assignees?: string[];
  }): Promise<IssueRef> {
    return createIssue(this.#ctx, input);
  }
  updateIssue(issueNumber: number, update: IssueUpdate): Promise<IssueRef> {
    return updateIssue(this.#ctx, issueNumber, update);
  }
  /** Open/closed and locked, read live; undefined when the issue is gone. */
  getIssueState(issueNumber: number): Promise<{ state: string; locked: boolean } | undefined> {
    return getIssueState(this.#ctx, issueNumber);
  }
  closeIssue(issueNumber: number, reason: "completed" | "not_planned" = "completed"): Promise<IssueRef> {
    return updateIssue(this.#ctx, issueNumber, { state: "closed", stateReason: reason });
  }
  reopenIssue(issueNumber: number): Promise<IssueRef> {
    return updateIssue(this.#ctx, issueNumber, { state: "open", stateReason: "reopened" });
  }
  addLabels(issueNumber: number, labels: string[]): Promise<void> {
    return addLabels(this.#ctx, issueNumber, labels);
  }
  removeLabel(issueNumber: number, name: string): Promise<void> {
    return removeLabel(this.#ctx, issueNumber, name);
  }
  ensureLabel(name: string, color: string, description?: string): Promise<"created" | "exists"> {
    return ensureLabel(this.#ctx, name, color, description);
  }

  // Pull requests, branches, contents
  getPullRequest(pullNumber: number): Promise<PullRequest> {
    return getPullRequest(this.#ctx, pullNumber);
  }
  openPullForBranch(branch: string): Promise<{ number: number; sha: string } | undefined> {
    return openPullForBranch(this.#ctx, branch);
  }
  listPullFiles(pullNumber: number): Promise<PullFile[]> {
    return listPullFiles(this.#ctx, pullNumber);
  }
  compareCommits(base: string, head: string): Promise<Comparison> {
    return compareCommits(this.#ctx, base, head);
  }
  updatePullBody(pullNumber: number, body: string): Promise<void> {
    return updatePullBody(this.#ctx, pullNumber, body);
  }
  getFileContent(path: string, ref?: string): Promise<string | undefined> {
    return getFileContent(this.#ctx, path, ref);
  }
  mergePullRequest(input: {
    pullNumber: number;
    sha: string;
    method?: MergeMethod;
    title?: string;
    message?: string;
  }): Promise<{ sha: string; merged: boolean }> {
    return mergePullRequest(this.#ctx, input);
  }
  createBranch(name: string, sha: string): Promise<void> {
    return createBranch(this.#ctx, name, sha);
  }
  createPullRequest(input: {
    head: string;
    base: string;
    title: string;
    body: string;
    draft?: boolean;
  }): Promise<{ number: number; url: string; created: boolean }> {
    return createPullRequest(this.#ctx, input);
  }
}
