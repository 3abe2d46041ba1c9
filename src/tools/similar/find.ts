// Pure decision: which candidates are "possible duplicates", which are "related", which are noise.

import type { RepoIndex } from "../../search/index.ts";

/** What the decision needs of an index: ranking and the documents of the ranked candidates. */
export type SimilarIndex = Pick<RepoIndex, "get" | "search">;
import type { Candidate, IndexDoc, SimilarQuery } from "../../search/types.ts";
import { type SimilarOptions, similarOptionsSchema } from "./schema.ts";

export interface SimilarHit {
  number: number;
  title: string;
  kind: "issue" | "pr";
  state?: "open" | "closed";
  score: number;
  /** PRs that closed this issue: "possibly fixed by". */
  closedBy: number[];
  shared: string[];
}

export interface SimilarResult {
  duplicates: SimilarHit[];
  related: SimilarHit[];
}

/**
 * Optional re-ranking hook (the job wires it to the LLM). Receives at most RERANK_POOL candidates,
 * returns their numbers best first; numbers it omits or invents are ignored, so it can reorder but
 * never add or drop results on its own, and never move a result across a threshold.
 */
export type Rerank = (
  query: SimilarQuery,
  candidates: Array<Candidate & { title: string; body: string }>,
) => Promise<number[]>;

export const RERANK_POOL = 20;

function toHit(c: Candidate, doc: IndexDoc | undefined): SimilarHit {
  return {
    number: c.number,
    title: doc?.title ?? `#${c.number}`,
    kind: doc?.kind ?? "issue",
    state: doc?.state,
    score: c.score,
    closedBy: doc?.closedBy ?? [],
    shared: c.shared,
  };
}

export function classify(
  index: SimilarIndex,
  ranked: Candidate[],
  options: SimilarOptions = {},
): SimilarResult {
  const o = similarOptionsSchema.parse(options);
  const duplicates: SimilarHit[] = [];
  const related: SimilarHit[] = [];
  for (const c of ranked) {
    if (duplicates.length + related.length >= o.top) break;
    if (c.score >= o.duplicateThreshold) duplicates.push(toHit(c, index.get(c.number)));
    else if (c.score >= o.relatedThreshold) related.push(toHit(c, index.get(c.number)));
  }
  return { duplicates, related };
}

/** Deterministic path: rank, then split by the thresholds. */
export function findSimilar(
  index: SimilarIndex,
  query: SimilarQuery,
  options: SimilarOptions = {},
): SimilarResult {
  return classify(index, index.search(query, { limit: RERANK_POOL }), options);
}

/** Same as findSimilar, with the re-rank hook applied to the top RERANK_POOL before classifying. */
export async function findSimilarReranked(
  index: SimilarIndex,
  query: SimilarQuery,
  rerank: Rerank,
  options: SimilarOptions = {},
): Promise<SimilarResult> {
  const ranked = index.search(query, { limit: RERANK_POOL });
  const byNumber = new Map(ranked.map((c) => [c.number, c]));
  const order = await rerank(
    query,
    ranked.map((c) => ({
      ...c,
      title: index.get(c.number)?.title ?? "",
      body: index.get(c.number)?.body ?? "",
    })),
  );
  const seen = new Set<number>();
  const reordered: Candidate[] = [];
  for (const n of order) {
    const c = byNumber.get(n);
    if (c && !seen.has(n)) {
      seen.add(n);
      reordered.push(c);
    }
  }
  for (const c of ranked) if (!seen.has(c.number)) reordered.push(c);
  return classify(index, reordered, options);
}
