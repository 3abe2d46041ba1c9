// Paths the model names are checked against the PR's diff (issue 10, defect 3): an /improve
// suggestion on a file the PR does not change is listed as such, never posted or linked, and a
// review's "could be split" keeps only real files.
import { describe, expect, it } from "vitest";
import { main } from "../../../src/cli/main.ts";
import type { CliIO } from "../../../src/cli/types.ts";
import { parseDiff } from "../../../src/diff/index.ts";
import { renderImproveComment } from "../../../src/tools/improve/render.ts";
import { placeSuggestions } from "../../../src/tools/pr/improve-job.ts";
import { fixture } from "../../diff/helpers.ts";
import { REVIEW } from "./answers.ts";
import { LLM, mockLlm } from "./helpers.ts";

const FIX = new URL("../../../fixtures/diffs/", import.meta.url).pathname;

describe("model paths against the diff", () => {
  const files = parseDiff(fixture("express-query-revalidation.diff")).files;
  const suggestion = {
    file: "lib/router/route.js",
    startLine: 3,
    endLine: 3,
    existingCode: "a",
    improvedCode: "b",
    label: "possible bug" as const,
    score: 9,
    summary: "Invented",
    fingerprint: "f1",
  };

  it("/improve: a suggestion on a file the PR does not change is listed, not posted, not linked", () => {
    const placed = placeSuggestions([suggestion], files, { threshold: 7, commitable: true });
    expect(placed.comments).toEqual([]);
    expect(placed.rest).toEqual([{ ...suggestion, why: "not a file this PR changes", inDiff: false }]);
    const md = renderImproveComment({
      repo: { owner: "o", repo: "r" },
      headSha: "abcdef0123456789",
      posted: [],
      rest: placed.rest,
      duplicates: 0,
      threshold: 7,
      notReviewed: [],
    });
    expect(md).toContain("| 9 | lib/router/route.js:3 | Invented | not a file this PR changes |");
    expect(md).not.toContain("/blob/abcdef0123456789/lib/router/route.js");
  });

  it("review: could-be-split suggestions keep only files in the diff", async () => {
    mockLlm([
      {
        ...REVIEW,
        canBeSplit: {
          possible: true,
          suggestions: [
            { title: "Docs", files: ["History.md", "docs/invented.md"] },
            { title: "Invented only", files: ["nope.js"] },
          ],
        },
      },
    ]);
    const out: string[] = [];
    const io: CliIO = {
      stdout: (t) => out.push(t),
      stderr: () => {},
      env: { LLM_API_KEY: "sk-test", LLM_BASE_URL: `${LLM}/v1`, LLM_MAX_RETRIES: "0" },
      cwd: FIX,
      isTTY: false,
    };
    expect(await main(["review", "--diff-file", "express-query-revalidation.diff", "--json"], io)).toBe(0);
    expect(JSON.parse(out.join("")).review.canBeSplit).toEqual({
      possible: true,
      suggestions: [{ title: "Docs", files: ["History.md"] }],
    });
  });
});
