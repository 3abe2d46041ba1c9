import { z } from "zod";

/**
 * Defaults measured on real duplicate data (bench/similar.ts, docs/BENCHMARKS.md): at 0.62 about
 * 9% of non-duplicate issues would be flagged, so "possible duplicate" stays high-precision.
 */
export const DEFAULT_DUPLICATE_THRESHOLD = 0.62;
export const DEFAULT_RELATED_THRESHOLD = 0.3;

export const similarOptionsSchema = z
  .object({
    top: z.number().int().min(1).max(5).default(5),
    duplicateThreshold: z.number().min(0).max(1).default(DEFAULT_DUPLICATE_THRESHOLD),
    relatedThreshold: z.number().min(0).max(1).default(DEFAULT_RELATED_THRESHOLD),
  })
  .refine((o) => o.relatedThreshold <= o.duplicateThreshold, {
    message: "relatedThreshold must be at most duplicateThreshold",
    path: ["relatedThreshold"],
  });

export type SimilarOptions = z.input<typeof similarOptionsSchema>;
