import { describe, expect, it } from "vitest";
import type { Fingerprinted } from "../../../src/tools/pr/improve-core.ts";
import { headLines, placeSuggestions } from "../../../src/tools/pr/improve-job.ts";
import { parsePullFiles } from "../../../src/tools/pr/source.ts";
import { fixtureFiles } from "./helpers.ts";

const { files } = parsePullFiles(fixtureFiles("express-query-revalidation"));
const ON = { threshold: 7, commitable: true };

function s(over: Partial<Fingerprinted>): Fingerprinted {
  return {
    file: "lib/request.js",
    startLine: 475,
    endLine: 475,
    existingCode: "if ('GET' !== method && 'HEAD' !== method && 'QUERY' !== method) return false;",
    improvedCode: "if (!SAFE_METHODS.has(method)) return false;",
    label: "maintainability",
    score: 8,
    summary: "Keep the safe methods in one set",
    fingerprint: "v1:00000000000000000001",
    ...over,
  };
}

describe("headLines", () => {
  it("returns the new-file lines of the range, skipping deleted lines", () => {
    expect(headLines(files, "lib/request.js", 473, 475)).toEqual([
      "",
      "  // GET, HEAD, or QUERY for weak freshness validation only",
      "  if ('GET' !== method && 'HEAD' !== method && 'QUERY' !== method) return false;",
    ]);
    expect(headLines(files, "lib/missing.js", 1, 3)).toEqual([]);
  });
});

describe("placeSuggestions", () => {
  it("a valid single line: one committable comment, re-indented, without start_line", () => {
    const p = placeSuggestions([s({})], files, ON);
    expect(p.rest).toEqual([]);
    expect(p.posted).toEqual([s({})]);
    expect(p.comments).toEqual([
      {
        path: "lib/request.js",
        side: "RIGHT",
        line: 475,
        fingerprint: "v1:00000000000000000001",
        body: [
          "**maintainability** · score 8/10 — Keep the safe methods in one set",
          "",
          "```suggestion",
          "  if (!SAFE_METHODS.has(method)) return false;",
          "```",
          "",
          "<!-- steward:suggestion fp=v1:00000000000000000001 -->",
        ].join("\n"),
      },
    ]);
  });

  it("a valid range: start_line and start_side on the new side", () => {
    const multi = s({
      startLine: 474,
      endLine: 475,
      existingCode:
        "// GET, HEAD, or QUERY for weak freshness validation only\nif ('GET' !== method && 'HEAD' !== method && 'QUERY' !== method) return false;",
      improvedCode: "// safe methods only\nif (!SAFE.has(method)) return false;",
    });
    const p = placeSuggestions([multi], files, ON);
    expect(p.rest).toEqual([]);
    expect(p.comments[0]).toMatchObject({
      path: "lib/request.js",
      side: "RIGHT",
      line: 475,
      start_line: 474,
      start_side: "RIGHT",
    });
    expect(p.comments[0]!.body).toContain(
      "```suggestion\n  // safe methods only\n  if (!SAFE.has(method)) return false;\n```",
    );
  });

  it("every other case goes to the table with why, and never to the review API", () => {
    const cases: Array<[Fingerprinted, string]> = [
      [s({ score: 6, fingerprint: "low" }), "score 6 is below the threshold 7"],
      [
        s({ startLine: 12, endLine: 12, fingerprint: "outside" }),
        "lib/request.js:12 (RIGHT) is not an added or unchanged line of the new file inside a hunk of the diff",
      ],
      [s({ file: "lib/router.js", fingerprint: "nofile" }), "not a file this PR changes"],
      [
        s({ startLine: 5, endLine: 50, file: "test/req.fresh.js", fingerprint: "twohunks" }),
        "lines 5–50 span two hunks; a range must stay inside one hunk",
      ],
      [
        s({ existingCode: "return true;", fingerprint: "misquoted" }),
        "the existing code the model quoted is not what those lines contain",
      ],
    ];
    const p = placeSuggestions(
      cases.map(([c]) => c),
      files,
      ON,
    );
    expect(p.comments).toEqual([]);
    expect(p.posted).toEqual([]);
    // The whole suggestion goes to the table row, in order.
    // A file the PR does not change is also marked, so the table does not link it.
    expect(p.rest).toEqual(
      cases.map(([c, why]) => (c.fingerprint === "nofile" ? { ...c, why, inDiff: false } : { ...c, why })),
    );
  });

  it("the score threshold is inclusive, and commitable: false keeps even good ones in the table", () => {
    expect(placeSuggestions([s({ score: 7 })], files, ON).comments).toHaveLength(1);
    const off = placeSuggestions([s({})], files, { threshold: 7, commitable: false });
    expect(off.comments).toEqual([]);
    expect(off.rest.map((r) => r.why)).toEqual(["committable suggestions are off (pr.improve.commitable)"]);
  });
});
