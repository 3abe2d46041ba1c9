// /improve on a diff over budget: split it into at most N chunks that each fit, filled greedily in
// review order. The caller runs the chunks under a concurrency limit.
import { packDiff, type PackedFile, type PackOptions, type PackResult } from "./pack.ts";
import type { DiffFile } from "./types.ts";

export interface ChunkResult {
  chunks: PackResult[];
  /** Files no chunk could take, with why. */
  omitted: PackedFile[];
}

export function chunkDiff(
  files: readonly DiffFile[],
  opts: PackOptions & { maxChunks: number },
): ChunkResult {
  const chunks: PackResult[] = [];
  const omitted: PackedFile[] = [];
  let left: DiffFile[] = [...files];
  for (let i = 0; i < Math.max(1, opts.maxChunks) && left.length > 0; i++) {
    const packed = packDiff(left, { ...opts, listNotReviewed: false });
    const overBudget = new Set<string>();
    for (const f of packed.files) {
      if (f.status !== "omitted") continue;
      if (f.reason === "over budget") overBudget.add(f.path);
      else omitted.push(f); // ignored and binary files are never worth another chunk
    }
    if (packed.files.every((f) => f.status === "omitted")) break;
    chunks.push({ ...packed, files: packed.files.filter((f) => f.status !== "omitted"), notReviewed: [] });
    left = left.filter((f) => overBudget.has(f.path));
  }
  const seen = new Set(omitted.map((f) => f.path));
  for (const f of left) {
    if (!seen.has(f.path))
      omitted.push({
        path: f.path,
        status: "omitted",
        tokens: 0,
        reason: `over budget (more than ${opts.maxChunks} chunks)`,
      });
  }
  return { chunks, omitted };
}
