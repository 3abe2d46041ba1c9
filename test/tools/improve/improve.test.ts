import { describe, expect, it } from "vitest";
import {
  dedupeSuggestions,
  fingerprintMarker,
  parsePostedFingerprints,
  suggestionFingerprint,
} from "../../../src/tools/improve/fingerprint.ts";
import { reindent, renderImproveComment, suggestionCommentBody } from "../../../src/tools/improve/render.ts";
import {
  applyScores,
  improveSchema,
  type Suggestion,
  scoringSchema,
} from "../../../src/tools/improve/schema.ts";

const base: Suggestion = {
  file: "src/cache.ts",
  startLine: 10,
  endLine: 11,
  existingCode: "if (x == null) {\n  return;",
  improvedCode: "if (x === undefined) {\n  return;",
  label: "possible bug",
  score: 8,
  summary: "Use strict equality for undefined",
};

describe("fingerprints", () => {
  it("ignores line numbers, whitespace, case and punctuation", () => {
    const a = suggestionFingerprint(base);
    expect(a).toMatch(/^v1:[0-9a-f]{20}$/);
    expect(suggestionFingerprint({ ...base, summary: "use strict equality for undefined!" })).toBe(a);
    expect(
      suggestionFingerprint({ ...base, improvedCode: "    if (x === undefined) {\n\n      return;  " }),
    ).toBe(a);
    expect(suggestionFingerprint({ ...base, file: "src/other.ts" })).not.toBe(a);
    expect(suggestionFingerprint({ ...base, improvedCode: "if (x === null) {" })).not.toBe(a);
  });

  it("round-trips through hidden markers and dedupes across runs", () => {
    const fp = suggestionFingerprint(base);
    const posted = parsePostedFingerprints([
      "hello",
      null,
      `body\n${fingerprintMarker(fp)}`,
      "<!-- steward:suggestion fp=zz -->",
    ]);
    expect([...posted]).toEqual([fp]);
    const other = { ...base, summary: "Handle the empty list" };
    const r = dedupeSuggestions([base, other, { ...other, startLine: 40, endLine: 41 }], posted);
    expect(r.fresh.map((s) => s.summary)).toEqual(["Handle the empty list"]);
    expect(r.duplicates.map((s) => s.startLine)).toEqual([10, 40]);
  });
});

describe("improve schema", () => {
  it("coerces, strips fences, orders ranges and maps unknown labels", () => {
    const out = improveSchema.parse({
      suggestions: [
        {
          file: "a/src/x.ts",
          startLine: "5",
          endLine: 3,
          existingCode: "```ts\na\n```",
          improvedCode: "b  \n",
          label: "Possible_Bug",
          score: "9",
          summary: "Fix it\nmore",
        },
        {
          file: "y.ts",
          startLine: 1,
          endLine: 1,
          existingCode: "",
          improvedCode: "c",
          label: "whatever",
          score: 0,
          summary: "s",
        },
      ],
    });
    expect(out.suggestions[0]).toEqual({
      file: "src/x.ts",
      startLine: 3,
      endLine: 5,
      existingCode: "a",
      improvedCode: "b",
      label: "possible bug",
      score: 9,
      summary: "Fix it",
    });
    expect(out.suggestions[1]!.label).toBe("best practice");
  });

  it("rejects scores out of range and non-positive lines", () => {
    const bad = improveSchema.safeParse({
      suggestions: [
        { ...base, score: 11 },
        { ...base, startLine: 0 },
      ],
    });
    expect(bad.success).toBe(false);
    if (!bad.success)
      expect(bad.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`)).toEqual([
        "suggestions.0.score: expected a score from 0 to 10",
        "suggestions.1.startLine: expected a line number of 1 or more",
      ]);
  });

  it("applies the scoring pass by index", () => {
    const scores = scoringSchema.parse({ scores: [{ index: "1", score: 3 }] });
    expect(applyScores([base, base], scores).map((s) => s.score)).toEqual([8, 3]);
  });
});

describe("suggestion comment", () => {
  it("re-bases indentation to the file and replaces exactly the range", () => {
    expect(reindent("if (a) {\n  b();\n}", ["    if (a) {", "      c();", "    }"])).toBe(
      "    if (a) {\n      b();\n    }",
    );
    expect(reindent("\t\tx", ["\ty"])).toBe("\tx");
    const r = suggestionCommentBody(
      { ...base, improvedCode: "if (x === undefined) {\n  return;", fingerprint: "v1:abc" },
      ["    if (x == null) {", "      return;"],
    );
    expect(r).toEqual({
      ok: true,
      body: "**possible bug** · score 8/10 — Use strict equality for undefined\n\n```suggestion\n    if (x === undefined) {\n      return;\n```\n\n<!-- steward:suggestion fp=v1:abc -->",
    });
  });

  it("refuses when the quoted code is not on those lines or the range is wrong", () => {
    expect(suggestionCommentBody({ ...base, fingerprint: "v1:a" }, ["other()", "stuff()"])).toEqual({
      ok: false,
      reason: "the existing code the model quoted is not what those lines contain",
    });
    expect(suggestionCommentBody({ ...base, fingerprint: "v1:a" }, ["one"])).toEqual({
      ok: false,
      reason: "expected 2 lines of the file, got 1",
    });
  });

  it("uses a longer fence when the code contains one", () => {
    const r = suggestionCommentBody(
      {
        ...base,
        startLine: 1,
        endLine: 1,
        existingCode: "",
        improvedCode: "```js\nx\n```",
        fingerprint: "v1:a",
      },
      ["doc"],
    );
    expect(r.ok && r.body.includes("````suggestion\n```js\nx\n```\n````")).toBe(true);
  });
});

describe("improve table comment", () => {
  it("groups by label, sorts by score, links lines and states what was not covered", () => {
    const body = renderImproveComment({
      repo: { owner: "o", repo: "r" },
      headSha: "0123456789abcdef0123",
      posted: [base],
      rest: [
        { ...base, label: "performance", score: 5, summary: "Cache the regex", why: "score below 7" },
        { ...base, label: "possible bug", score: 6, summary: "Check | pipes", why: "line not in diff" },
        { ...base, label: "performance", score: 6, summary: "Avoid N+1", why: "score below 7" },
      ],
      duplicates: 2,
      threshold: 7,
      notReviewed: [{ path: "big.json", reason: "over the token budget" }],
      usage: { model: "gpt-4o-mini", calls: 2, promptTokens: 1000, completionTokens: 200 },
    });
    expect(body).toContain(
      "1 suggestion posted on the diff (score ≥ 7) · 3 listed below · 2 already posted on an earlier run and not repeated.",
    );
    expect(body.indexOf("### performance")).toBeLessThan(body.indexOf("### possible bug"));
    expect(body).toContain(
      "| 6 | [src/cache.ts:10-11](https://github.com/o/r/blob/0123456789abcdef0123/src/cache.ts#L10-L11) | Avoid N+1 | score below 7 |\n| 5 |",
    );
    expect(body).toContain("Check \\| pipes");
    expect(body).toContain("**Not reviewed (1 file):**\n- `big.json` — over the token budget");
    expect(body).toContain("<!-- steward:improve-state last_sha=0123456789abcdef0123 -->");
    expect(
      body.endsWith(
        "<sub>Steward improve · model `gpt-4o-mini` · 2 calls · 1000 prompt tokens · 200 output tokens</sub>",
      ),
    ).toBe(true);
  });
});
