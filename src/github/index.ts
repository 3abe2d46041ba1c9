// The public surface of src/github. Import from here.
export { fitBody, truncateBody } from "./body.ts";
export type {
  AnnotationLevel,
  CheckAnnotation,
  CheckConclusion,
  CheckOutput,
  CheckRunRef,
} from "./checks.ts";
export type { CommentView, FoundComment, UpsertCommentInput, UpsertResult } from "./comments.ts";
export { permissionHint, retryAfterFromHeaders, toGitHubError, wrapGitHub } from "./errors.ts";
export { guardWrites, type WriteGuard } from "./fence.ts";
export { GitHubGateway } from "./gateway.ts";
export type { IssueRef, IssueUpdate, ReactionTarget } from "./issues.ts";
export * from "./limits.ts";
export {
  NEUTRALIZE_MAX_BLOCK,
  NEUTRALIZE_MAX_INLINE,
  type NeutralizeAs,
  type NeutralizeOptions,
  neutralize,
} from "./neutralize.ts";
export { hasMarker, type Marker, parseMarker, renderMarker, stripMarker } from "./markers.ts";
export {
  LEVELS,
  meetsPermission,
  type PermissionInfo,
  type PermissionLevel,
  toPermissionInfo,
} from "./permissions.ts";
export type { Comparison, MergeMethod, PullFile, PullRequest } from "./pulls.ts";
export {
  checkReviewComments,
  type PostReviewInput,
  type PostReviewResult,
  type RejectedComment,
  type ReviewCommentInput,
  type ReviewCommentView,
  renderRejected,
} from "./reviews.ts";
export type { GatewayOptions, Octokit } from "./types.ts";
export {
  apiBaseUrlOf,
  apiUrlFromWeb,
  GITHUB_WEB,
  issueLinkPrefix,
  webUrlFromApi,
  webUrlOfRepo,
} from "./web.ts";
