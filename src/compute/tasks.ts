// The worker-thread side of the compute pool: CPU-bound work on untrusted input, one named export per
// task (piscina calls the export named in `run(…, { name })`). Each task first flags that it started,
// so the main thread measures its time budget from the start of the work, not from the queue.
import { chunkDiff } from "../diff/chunk.ts";
import { packDiff, type PackOptions } from "../diff/pack.ts";
import { RepoIndex } from "../search/index.ts";
import type { IndexDoc, SimilarQuery } from "../search/types.ts";
import { scoreIssue as score } from "../tools/issue-score/score.ts";
import type { IssueInput, ScoreOptions } from "../tools/issue-score/types.ts";
import { computeFacts } from "../tools/pr-facts/facts.ts";
import type { FactsConfig } from "../tools/pr-facts/types.ts";
import { type GitHubPullFile, parsePullFiles as parseFiles } from "../tools/pr/parse-files.ts";
import type { DiffFile } from "../diff/types.ts";

export interface Envelope<I> {
  input: I;
  /** Int32 flag the task sets to 1 when it starts running. */
  started: SharedArrayBuffer;
}

function task<I, O>(fn: (input: I) => O): (e: Envelope<I>) => O {
  return (e) => {
    Atomics.store(new Int32Array(e.started), 0, 1);
    return fn(e.input);
  };
}

/** Parse every file of a PR (GitHub's `pulls.listFiles` / compare answer). */
export const parsePullFiles = task((raw: readonly GitHubPullFile[]) => parseFiles(raw));

/** Pack a diff into a token budget (see src/diff/pack.ts). */
export const pack = task(
  (a: { files: readonly DiffFile[]; opts: Omit<PackOptions, "countTokens" | "getContent"> }) =>
    packDiff(a.files, a.opts),
);

/** Split a diff into up to maxChunks packed prompts. */
export const chunk = task(
  (a: {
    files: readonly DiffFile[];
    opts: Omit<PackOptions, "countTokens" | "getContent"> & { maxChunks: number };
  }) => chunkDiff(a.files, a.opts),
);

/** The deterministic PR facts (areas, tests, dependencies, risky paths, secrets, large files). */
export const facts = task((a: { files: DiffFile[]; config: FactsConfig }) => computeFacts(a.files, a.config));

/** The issue documentation score. */
export const scoreIssue = task((a: { issue: IssueInput; opts: ScoreOptions }) => score(a.issue, a.opts));

/**
 * A similar-issue query: builds the repository's BM25 index from its documents and ranks the query
 * against it. Returns the ranked candidates with their documents (for rendering and re-ranking).
 */
export const similar = task((a: { docs: IndexDoc[]; query: SimilarQuery; limit: number }) => {
  const index = RepoIndex.fromDocs(a.docs);
  const ranked = index.search(a.query, { limit: a.limit });
  const docs = ranked.map((c) => index.get(c.number)).filter((d): d is IndexDoc => d !== undefined);
  return { ranked, docs, size: index.size };
});
