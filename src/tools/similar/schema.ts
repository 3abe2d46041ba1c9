import { z } from "zod";

/**
 * Chosen held-out on real duplicate data (bench/similar.ts, docs/BENCHMARKS.md): picked on the
 * earlier half of the queries with a one-standard-error margin under 10% false alarms; on the later
 * half about 8% of non-duplicate issues reach it, so "possible duplicate" stays high-precision.
 */
export const DEFAULT_DUPLICATE_THRESHOLD = 0.63;
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
