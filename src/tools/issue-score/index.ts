export { scoreIssue } from "./score.ts";
export { renderScoreComment, renderScoreRecovered } from "./render.ts";
export { parseFrame, parseErrorLine, scanTraces } from "./frames.ts";
export type { Frame, TraceScan } from "./frames.ts";
export { RUBRICS } from "./rubrics.ts";
export { IssueInputSchema } from "./schema.ts";
export type { IssueInput, IssueType, ScoredElement, ScoreOptions, ScoreResult } from "./types.ts";
