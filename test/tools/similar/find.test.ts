import { describe, expect, it } from "vitest";
import { RepoIndex } from "../../../src/search/index.ts";
import type { Candidate } from "../../../src/search/types.ts";
import { classify, findSimilar, findSimilarReranked } from "../../../src/tools/similar/find.ts";
import { docs } from "../../search/fixtures.ts";

const idx = RepoIndex.fromDocs(docs());
const c = (number: number, score: number): Candidate => ({ number, score, bm25: 1, shared: [] });

describe("classify", () => {
  it("splits by the thresholds and drops what is below 'related'", () => {
    const r = classify(idx, [c(1, 0.9), c(3, 0.62), c(2, 0.61), c(4, 0.3), c(5, 0.29)], {
      duplicateThreshold: 0.62,
      relatedThreshold: 0.3,
    });
    expect(r.duplicates.map((h) => [h.number, h.score])).toEqual([
      [1, 0.9],
      [3, 0.62],
    ]);
    expect(r.related.map((h) => [h.number, h.score])).toEqual([
      [2, 0.61],
      [4, 0.3],
    ]);
    expect(r.duplicates[0]).toEqual({
      number: 1,
      title: "NullPointerException in FileSystem.get when path is empty",
      kind: "issue",
      state: "closed",
      score: 0.9,
      closedBy: [7],
      shared: [],
    });
  });

  it("returns at most `top` results in total", () => {
    const r = classify(idx, [c(1, 0.9), c(2, 0.8), c(3, 0.7), c(4, 0.5), c(5, 0.4)], { top: 3 });
    expect([...r.duplicates, ...r.related].map((h) => h.number)).toEqual([1, 2, 3]);
  });

  it("rejects inconsistent thresholds naming the key", () => {
    expect(() => classify(idx, [], { duplicateThreshold: 0.3, relatedThreshold: 0.5 })).toThrow(
      /relatedThreshold/,
    );
    expect(() => classify(idx, [], { top: 6 })).toThrow(/top/);
  });
});

describe("findSimilar", () => {
  it("never lists the query issue itself", () => {
    const d = docs()[2];
    const r = findSimilar(
      idx,
      { number: 3, title: d.title, body: d.body },
      { duplicateThreshold: 0.5, relatedThreshold: 0.01 },
    );
    const all = [...r.duplicates, ...r.related].map((h) => h.number);
    expect(all).not.toContain(3);
    expect(all).toContain(1);
  });

  it("applies a re-rank order, ignoring unknown numbers and keeping the rest after", async () => {
    const d = docs()[2];
    const q = { number: 3, title: d.title, body: d.body };
    const base = findSimilar(idx, q, { duplicateThreshold: 1, relatedThreshold: 0.01 }).related.map(
      (h) => h.number,
    );
    expect(base.length).toBeGreaterThanOrEqual(2);
    let seen: number[] = [];
    const r = await findSimilarReranked(
      idx,
      q,
      async (_q, cands) => {
        seen = cands.map((x) => x.number);
        return [999, base[1], base[1]];
      },
      { duplicateThreshold: 1, relatedThreshold: 0.01 },
    );
    expect(seen).toEqual(base);
    expect(r.related.map((h) => h.number)).toEqual([base[1], base[0], ...base.slice(2)]);
  });
});
