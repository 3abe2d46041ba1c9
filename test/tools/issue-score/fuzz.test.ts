import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { renderScoreComment, renderScoreRecovered } from "../../../src/tools/issue-score/render.ts";
import { scoreIssue } from "../../../src/tools/issue-score/score.ts";

// Bodies built from the pieces detectors look for, so the fuzzer reaches the interesting paths.
const piece = fc.constantFrom(
  "### Steps to reproduce\n",
  "_No response_\n",
  "1. a\n2. b\n",
  "```js\n",
  "```\n",
  "    at f (src/a.js:1:2)\n",
  "Traceback (most recent call last):\n",
  "TypeError: x\n",
  "<h3>",
  "</h3>",
  "<!--",
  "-->",
  "![x](y.png)",
  "Expected",
  "node v20.1.0",
  "https://codesandbox.io/s/x",
  "\r\n",
  "\u0000",
  "*".repeat(50),
);
const body = fc.oneof(
  fc.string({ maxLength: 400 }),
  fc.array(fc.oneof(piece, fc.string({ maxLength: 20 })), { maxLength: 40 }).map((a) => a.join("")),
);
const labels = fc.array(
  fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom("bug", "enhancement", "question")),
  { maxLength: 3 },
);

describe("scoreIssue fuzz", () => {
  it("never throws, stays within 0–10, is deterministic, and renders", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), fc.option(body, { nil: null }), labels, (title, b, l) => {
        const r = scoreIssue({ title, body: b, labels: l }, { threshold: 5 });
        expect(r.score).toBeGreaterThanOrEqual(0);
        expect(r.score).toBeLessThanOrEqual(10);
        expect(scoreIssue({ title, body: b, labels: l }, { threshold: 5 })).toEqual(r);
        const sum = r.elements.reduce((s, e) => s + (e.present ? e.weight : 0), 0);
        expect(Math.abs(sum - r.score)).toBeLessThan(0.051);
        expect(r.missing.length).toBe(r.elements.filter((e) => !e.present).length);
        expect(renderScoreComment(r, { threshold: 5 }).length).toBeGreaterThan(0);
        expect(renderScoreRecovered(r).length).toBeGreaterThan(0);
      }),
      { numRuns: 400, seed: 42 },
    );
  });

  it("survives input that is not an issue at all", () => {
    for (const junk of [undefined, null, 42, {}, { title: 5, body: [], labels: "bug" }]) {
      const r = scoreIssue(junk as never);
      expect(r.score).toBe(0);
    }
  });
});
