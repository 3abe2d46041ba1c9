// Held-out evaluation helpers for bench/similar.ts: deterministic tune/test splits and choosing the
// "possible duplicate" threshold on the tune half only, so the test-half false-alarm rate is honest.
import { createHash } from "node:crypto";

/** One evaluated query: a duplicate query (has ranks) or a non-duplicate (only its top score). */
export interface QueryRecord {
  project: string;
  number: number;
  createdAt: number;
  duplicate: boolean;
  /** Rank (0-based) of the first true duplicate in Steward's / the baseline's top 10; -1 if absent. */
  rank: number;
  baseRank: number;
  /** Highest calibrated score of a true duplicate in Steward's top 10 (0 if none). */
  truthScore: number;
  /** Score of Steward's top result (0 if no candidate). */
  topScore: number;
}

export type SplitName = "time" | "hash";
export interface Split {
  tune: QueryRecord[];
  test: QueryRecord[];
}

/**
 * "time": per project and per kind (duplicate / non-duplicate), the earlier half by creation date is
 * tune, the later half test — a deployment-like split (calibrate on history, judge on the future).
 * "hash": sha1(project:number) parity — a split independent of time, to check the first is not luck.
 */
export function split(records: QueryRecord[], how: SplitName): Split {
  const tune: QueryRecord[] = [];
  const test: QueryRecord[] = [];
  if (how === "hash") {
    for (const r of records) {
      const h = createHash("sha1").update(`${r.project}:${r.number}`).digest();
      (h[0] % 2 === 0 ? tune : test).push(r);
    }
    return { tune, test };
  }
  const groups = new Map<string, QueryRecord[]>();
  for (const r of records) {
    const k = `${r.project}/${r.duplicate}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  for (const g of groups.values()) {
    g.sort((a, b) => a.createdAt - b.createdAt || a.number - b.number);
    const half = Math.floor(g.length / 2);
    tune.push(...g.slice(0, half));
    test.push(...g.slice(half));
  }
  return { tune, test };
}

export interface Flags {
  /** Non-duplicates whose top result reaches the threshold. */
  falseAlarms: number;
  nonDuplicates: number;
  /** Duplicate queries where a true duplicate reaches the threshold. */
  flagged: number;
  duplicates: number;
}

export function flags(records: QueryRecord[], threshold: number): Flags {
  const f: Flags = { falseAlarms: 0, nonDuplicates: 0, flagged: 0, duplicates: 0 };
  for (const r of records) {
    if (r.duplicate) {
      f.duplicates++;
      if (r.truthScore >= threshold) f.flagged++;
    } else {
      f.nonDuplicates++;
      if (r.topScore >= threshold) f.falseAlarms++;
    }
  }
  return f;
}

export type Rule = "point" | "margin";

/**
 * Lowest threshold on a 0.01 grid that keeps false alarms on `tune` within `maxFalseAlarm`.
 * "point": the tune rate itself ≤ max. "margin": the tune rate plus one binomial standard error
 * ≤ max — with ~150 non-duplicates per half a rate measured at exactly 10% is above 10% on new data
 * about half the time, so the point rule sits on the edge.
 */
export function chooseThreshold(tune: QueryRecord[], rule: Rule, maxFalseAlarm = 0.1): number {
  for (let i = 30; i <= 100; i++) {
    const t = i / 100;
    const f = flags(tune, t);
    const p = f.falseAlarms / f.nonDuplicates;
    const bound = rule === "margin" ? p + Math.sqrt((p * (1 - p)) / f.nonDuplicates) : p;
    if (bound <= maxFalseAlarm) return t;
  }
  return 1;
}

export interface Quality {
  n: number;
  r1: number;
  r5: number;
  r10: number;
  mrr: number;
}

export function quality(records: QueryRecord[], which: "rank" | "baseRank"): Quality {
  const q: Quality = { n: 0, r1: 0, r5: 0, r10: 0, mrr: 0 };
  for (const r of records) {
    if (!r.duplicate) continue;
    const rank = r[which];
    q.n++;
    if (rank === 0) q.r1++;
    if (rank >= 0 && rank < 5) q.r5++;
    if (rank >= 0 && rank < 10) {
      q.r10++;
      q.mrr += 1 / (rank + 1);
    }
  }
  return q;
}

const fmt = (x: number) => x.toFixed(3);
export const qualityRow = (name: string, q: Quality) =>
  `| ${name} | ${q.n} | ${fmt(q.r1 / q.n)} | ${fmt(q.r5 / q.n)} | ${fmt(q.r10 / q.n)} | ${fmt(q.mrr / q.n)} |`;

export const pctText = (a: number, b: number) => `${a}/${b} = ${((100 * a) / b).toFixed(1)}%`;
export const flagsText = (f: Flags) =>
  `false alarms ${pctText(f.falseAlarms, f.nonDuplicates)}, true duplicate flagged ${pctText(f.flagged, f.duplicates)}`;
