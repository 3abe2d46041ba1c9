export {
  classify,
  findSimilar,
  findSimilarReranked,
  RERANK_POOL,
  type Rerank,
  type SimilarHit,
  type SimilarResult,
} from "./find.ts";
export { MAX_RESULTS, renderSimilarComment, SIMILAR_MARKER } from "./render.ts";
export {
  DEFAULT_DUPLICATE_THRESHOLD,
  DEFAULT_RELATED_THRESHOLD,
  type SimilarOptions,
  similarOptionsSchema,
} from "./schema.ts";
