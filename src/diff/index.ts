// Public API of the diff engine. Pure: no I/O, no clock, no randomness.
export { parseDiff, parsePatch, type GitHubPullFile } from "./parse.ts";
export { filterFiles, ignoreReason, DENY_RULES, type FilterOptions, type Filtered } from "./filter.ts";
export {
  extendFile,
  compressFile,
  isDeletionOnly,
  headerPattern,
  type ExtendOptions,
  type GetContent,
} from "./extend.ts";
export { prioritise, classify, mainExtensions, type FileGroup } from "./prioritise.ts";
export { renderFile, renderHunk } from "./render.ts";
export {
  packDiff,
  reviewBudget,
  type PackOptions,
  type PackResult,
  type PackedFile,
  type PackStatus,
} from "./pack.ts";
export { chunkDiff, type ChunkResult } from "./chunk.ts";
export { trimContext, type LineRange } from "./compact.ts";
export { makeCounter, type Counter } from "./count.ts";
export { canAnchor, anchorableRanges, type AnchorRange } from "./anchor.ts";
export type * from "./types.ts";
