// Pure second-stage ranking. BM25 finds candidates; these features decide the order and give a
// similarity in [0, 1] that means the same on every repository, so thresholds can be fixed.

import { isSpecialTerm } from "./tokenize.ts";

export type TermCounts = Map<string, number>;

/** Keeps the most frequent `cap` terms, so a huge body costs a bounded amount at query time. */
export function countTerms(terms: readonly string[], cap = 300): TermCounts {
  const m: TermCounts = new Map();
  for (const t of terms) m.set(t, (m.get(t) ?? 0) + 1);
  if (m.size <= cap) return m;
  return new Map([...m].sort((a, b) => b[1] - a[1]).slice(0, cap));
}

export type Idf = (term: string) => number;

/** Identifier-like terms (error types, frames, files, versions) weigh more than prose words. */
export const SPECIAL_WEIGHT = 1.6;

export function weightedVector(
  counts: TermCounts,
  idf: Idf,
  scale = 1,
  into: Map<string, number> = new Map(),
): Map<string, number> {
  for (const [t, c] of counts) {
    const w = scale * (1 + Math.log(c)) * idf(t) * (isSpecialTerm(t) ? SPECIAL_WEIGHT : 1);
    if (w > 0) into.set(t, (into.get(t) ?? 0) + w);
  }
  return into;
}

export function norm(v: Map<string, number>): number {
  let s = 0;
  for (const w of v.values()) s += w * w;
  return Math.sqrt(s);
}

export function cosine(a: Map<string, number>, b: Map<string, number>, na = norm(a), nb = norm(b)): number {
  if (na === 0 || nb === 0) return 0;
  const [small, big] = a.size <= b.size ? [a, b] : [b, a];
  let dot = 0;
  for (const [t, w] of small) {
    const o = big.get(t);
    if (o !== undefined) dot += w * o;
  }
  return dot / (na * nb);
}

/** Terms both sides share that are rare and identifier-like: the strongest duplicate evidence. */
export function sharedRare(
  a: ReadonlyMap<string, number>,
  b1: TermCounts,
  b2: TermCounts,
  idf: Idf,
  minIdf: number,
  limit = 5,
): string[] {
  const out: Array<[string, number]> = [];
  for (const t of a.keys()) {
    if ((b1.has(t) || b2.has(t)) && t.length > 3 && isSpecialTerm(t)) {
      const w = idf(t);
      if (w >= minIdf) out.push([t, w]);
    }
  }
  return out
    .sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))
    .slice(0, limit)
    .map(([t]) => t);
}

export interface Features {
  titleCos: number;
  docCos: number;
  /** Query title against the candidate's whole text: catches a short title restated in a body. */
  crossCos: number;
  bm25Rel: number;
  sharedCount: number;
}

export const WEIGHTS = { title: 0.35, doc: 0.4, cross: 0.15, bm25: 0.1 } as const;

/** Combines features into a [0, 1] similarity. */
export function combine(f: Features): number {
  const s =
    WEIGHTS.title * f.titleCos +
    WEIGHTS.doc * f.docCos +
    WEIGHTS.cross * f.crossCos +
    WEIGHTS.bm25 * f.bm25Rel +
    Math.min(0.1, 0.03 * f.sharedCount);
  return Math.max(0, Math.min(1, s));
}
