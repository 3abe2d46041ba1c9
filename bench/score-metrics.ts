// Metrics and data loading for bench/score-eval.ts. Splits are by a hash of the id, so they
// are stable across runs and need no randomness.

import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";

export type Split = "train" | "test";

/** FNV-1a 32-bit; the same function fixtures/issues/build-element-set.ts used to split NIMBUS. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** 60 % train, 40 % test. */
export const splitOf = (key: string): Split => (fnv1a(key) % 5 < 3 ? "train" : "test");

export interface WeakRow {
  url: string;
  title: string;
  body: string;
  labels: string[];
  weak_label: "good" | "poor";
  label_reason: string;
}

export interface ElementRow {
  system: string;
  id: string;
  title: string;
  body: string;
  ob: boolean;
  eb: boolean;
  s2r: boolean;
  split: Split;
}

const fixture = (name: string) => new URL(`../fixtures/issues/${name}`, import.meta.url);

export function loadWeak(): WeakRow[] {
  return readFileSync(fixture("score-eval.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
}

export function loadElements(): ElementRow[] {
  return gunzipSync(readFileSync(fixture("element-eval.jsonl.gz")))
    .toString("utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
}

export interface Scored {
  s: number;
  pos: boolean;
}

/** Probability that a random positive outranks a random negative (ties count half). O(n log n). */
export function auc(xs: readonly Scored[]): number {
  const sorted = [...xs].sort((a, b) => a.s - b.s);
  let rankSumPos = 0;
  let nPos = 0;
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j < sorted.length && sorted[j]!.s === sorted[i]!.s) j++;
    const midRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++)
      if (sorted[k]!.pos) {
        rankSumPos += midRank;
        nPos++;
      }
    i = j;
  }
  const nNeg = sorted.length - nPos;
  if (!nPos || !nNeg) return Number.NaN;
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

export function atThreshold(xs: readonly Scored[], t: number) {
  const pos = xs.filter((x) => x.pos);
  const neg = xs.filter((x) => !x.pos);
  const tpr = pos.filter((x) => x.s >= t).length / pos.length;
  const tnr = neg.filter((x) => x.s < t).length / neg.length;
  return { balanced: (tpr + tnr) / 2, tpr, tnr };
}

/** The threshold (from `candidates`) with the best balanced accuracy, ties to the lower value. */
export function bestThreshold(xs: readonly Scored[], candidates: readonly number[]): number {
  let best = candidates[0]!;
  let bestBal = -1;
  for (const t of candidates) {
    const b = atThreshold(xs, t).balanced;
    if (b > bestBal + 1e-9) {
      best = t;
      bestBal = b;
    }
  }
  return best;
}

export interface Confusion {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

export function prf(pairs: readonly { gold: boolean; pred: boolean }[]) {
  const c: Confusion = { tp: 0, fp: 0, fn: 0, tn: 0 };
  for (const { gold, pred } of pairs) {
    if (gold && pred) c.tp++;
    else if (!gold && pred) c.fp++;
    else if (gold) c.fn++;
    else c.tn++;
  }
  const p = c.tp / (c.tp + c.fp || 1);
  const r = c.tp / (c.tp + c.fn || 1);
  return { ...c, p, r, f1: p + r ? (2 * p * r) / (p + r) : 0 };
}

export const f3 = (n: number) => (Number.isFinite(n) ? n.toFixed(3) : "n/a");
