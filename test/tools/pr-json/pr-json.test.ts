import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { parseDiff } from "../../../src/diff/parse.ts";
import { buildPrJson } from "../../../src/tools/pr-json/build.ts";
import { mergeIssueRefs, parseClosingReferences } from "../../../src/tools/pr-json/links.ts";
import { PrJson } from "../../../src/tools/pr-json/schema.ts";
import { computeFacts } from "../../../src/tools/pr-facts/facts.ts";

const repo = { owner: "acme", repo: "svc" };

describe("parseClosingReferences", () => {
  it("reads every GitHub form, one reference per keyword", () => {
    const text = [
      "Fixes #12, #13",
      "closes: acme/other#4",
      "Resolved https://github.com/acme/svc/issues/77",
      "fix #12 again",
      "prefix#5 and fixes#6 are not references",
      "`closes #99` in code",
      "```\nresolves #98\n```",
      "RESOLVES #7.",
    ].join("\n");
    expect(parseClosingReferences(text, repo)).toEqual([
      { number: 12, url: "https://github.com/acme/svc/issues/12", source: "closing-keyword" },
      { number: 4, url: "https://github.com/acme/other/issues/4", source: "closing-keyword" },
      { number: 77, url: "https://github.com/acme/svc/issues/77", source: "closing-keyword" },
      { number: 7, url: "https://github.com/acme/svc/issues/7", source: "closing-keyword" },
    ]);
    expect(parseClosingReferences("closes #3")).toEqual([{ number: 3, source: "closing-keyword" }]);
  });

  it("merges GraphQL links without duplicates", () => {
    const a = parseClosingReferences("fixes #1", repo);
    expect(
      mergeIssueRefs(a, [
        { number: 1, url: "https://github.com/acme/svc/issues/1", source: "graphql" },
        { number: 2, source: "graphql" },
      ]),
    ).toEqual([
      { number: 1, url: "https://github.com/acme/svc/issues/1", source: "closing-keyword" },
      { number: 2, source: "graphql" },
    ]);
  });

  it("never throws, returns positive numbers, and finds an inserted reference (fuzz)", () => {
    const kw = fc.constantFrom(
      "close",
      "closes",
      "closed",
      "fix",
      "fixes",
      "fixed",
      "resolve",
      "resolves",
      "resolved",
      "FIXES",
    );
    const safe = fc.string().map((s) => s.replace(/[`~#\w]/g, " "));
    fc.assert(
      fc.property(fc.string(), (s) => {
        for (const r of parseClosingReferences(s, repo))
          expect(Number.isSafeInteger(r.number) && r.number > 0).toBe(true);
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(safe, kw, fc.integer({ min: 1, max: 999_999_999 }), safe, (a, k, n, b) => {
        const refs = parseClosingReferences(`${a} ${k} #${n} ${b}`, repo);
        expect(refs.map((r) => r.number)).toContain(n);
      }),
      { numRuns: 1000 },
    );
  });
});

describe("buildPrJson", () => {
  const diff = `diff --git a/src/a.ts b/src/b.ts
similarity index 90%
rename from src/a.ts
rename to src/b.ts
--- a/src/a.ts
+++ b/src/b.ts
@@ -3,2 +3,3 @@ function f() {
   one();
+  two();
   three();
`;
  const files = parseDiff(diff).files;

  it("assembles a valid, versioned document", () => {
    const json = buildPrJson({
      repo,
      number: 9,
      headSha: "abc1234",
      title: "Rename a to b",
      body: "Fixes #3",
      files,
      facts: computeFacts(files),
      describe: {
        types: ["refactor"],
        title: "Rename a to b",
        summary: ["Renames a"],
        walkthrough: [{ file: "src/b.ts", summary: "renamed, adds two()" }],
      },
      findings: [
        { file: "src/b.ts", startLine: 4, endLine: 4, severity: "minor", title: "t", explanation: "e" },
      ],
      suggestions: [
        {
          file: "src/b.ts",
          startLine: 4,
          endLine: 4,
          existingCode: "two();",
          improvedCode: "await two();",
          label: "possible bug",
          score: 8,
          summary: "await",
          fingerprint: "v1:abc",
        },
      ],
      notReviewed: [],
    });
    expect(json.schemaVersion).toBe(1);
    expect(json.repository).toBe("acme/svc");
    expect(json.linkedIssues).toEqual([
      { number: 3, url: "https://github.com/acme/svc/issues/3", source: "closing-keyword" },
    ]);
    expect(json.files).toEqual([
      {
        path: "src/b.ts",
        oldPath: "src/a.ts",
        status: "renamed",
        additions: 1,
        deletions: 0,
        reviewed: true,
        summary: "renamed, adds two()",
        hunks: [{ oldStart: 3, oldLines: 2, newStart: 3, newLines: 3 }],
      },
    ]);
    expect(json.suggestions[0]).toEqual({
      file: "src/b.ts",
      startLine: 4,
      endLine: 4,
      label: "possible bug",
      score: 8,
      summary: "await",
      improvedCode: "await two();",
      fingerprint: "v1:abc",
    });
    expect(PrJson.parse(JSON.parse(JSON.stringify(json)))).toEqual(json);
  });

  it("marks files that were not reviewed and converts to JSON Schema", () => {
    const json = buildPrJson({
      title: "t",
      body: "",
      files,
      facts: computeFacts(files),
      notReviewed: [{ path: "src/b.ts", reason: "over budget" }],
    });
    expect(json.files[0]!.reviewed).toBe(false);
    expect(json.type).toEqual([]);
    const schema = z.toJSONSchema(PrJson) as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties)).toContain("linkedIssues");
  });
});

describe("docs/pr-json.md", () => {
  it("embeds the current JSON Schema", async () => {
    const { readFile } = await import("node:fs/promises");
    const doc = await readFile(new URL("../../../docs/pr-json.md", import.meta.url), "utf8");
    const block = /## JSON Schema[\s\S]*?```json\n([\s\S]*?)\n```/.exec(doc)?.[1];
    expect(JSON.parse(block ?? "null")).toEqual(z.toJSONSchema(PrJson));
  });
});
