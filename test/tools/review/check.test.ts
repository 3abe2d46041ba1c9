import { describe, expect, it } from "vitest";
import { parseDiff } from "../../../src/diff/index.ts";
import { checkConclusion, checkOutput, failedConclusion } from "../../../src/tools/review/check.ts";
import type { PlacedFinding } from "../../../src/tools/review/render.ts";
import type { Finding } from "../../../src/tools/review/schema.ts";

const DIFF = `diff --git a/src/a.ts b/src/a.ts
--- a/src/a.ts
+++ b/src/a.ts
@@ -10,3 +10,4 @@
 const a = 1;
+const b = 2;
+const c = 3;
 const d = 4;
`;
const files = parseDiff(DIFF).files;

function f(
  severity: Finding["severity"],
  startLine: number,
  endLine = startLine,
  title = `${severity} thing`,
): PlacedFinding {
  return {
    finding: { file: "src/a.ts", startLine, endLine, severity, title, explanation: `Why ${title}.` },
    anchorError: null,
  };
}

describe("checkConclusion", () => {
  it("is neutral without checks_fail_on, whatever the findings", () => {
    expect(checkConclusion([f("critical", 11).finding], undefined)).toBe("neutral");
  });
  it("fails at the configured severity or worse, and only then", () => {
    expect(checkConclusion([f("major", 11).finding], "major")).toBe("failure");
    expect(checkConclusion([f("critical", 11).finding], "major")).toBe("failure");
    expect(checkConclusion([f("minor", 11).finding, f("info", 11).finding], "major")).toBe("neutral");
    expect(checkConclusion([f("major", 11).finding], "critical")).toBe("neutral");
    expect(checkConclusion([f("critical", 11).finding], "critical")).toBe("failure");
    expect(checkConclusion([], "major")).toBe("neutral");
  });
  it("a review that could not run fails the gate only when a gate is configured", () => {
    expect(failedConclusion("major")).toBe("failure");
    expect(failedConclusion(undefined)).toBe("neutral");
  });
});

describe("checkOutput", () => {
  it("annotates findings on changed lines only, with the level of their severity", () => {
    const r = checkOutput({
      headSha: "b".repeat(40),
      effort: 2,
      findings: [f("major", 11, 12, "Two lines"), f("info", 12), f("minor", 40, 40, "Outside the diff")],
      notReviewed: [{ path: "big.lock", reason: "lockfile" }],
      files,
      failOn: "major",
    });
    expect(r.conclusion).toBe("failure");
    expect(r.annotations).toEqual([
      {
        path: "src/a.ts",
        start_line: 11,
        end_line: 12,
        annotation_level: "failure",
        title: "major: Two lines",
        message: "Why Two lines.",
      },
      {
        path: "src/a.ts",
        start_line: 12,
        end_line: 12,
        annotation_level: "notice",
        title: "info: info thing",
        message: "Why info thing.",
      },
    ]);
    expect(r.output.title).toBe("3 findings (1 major, 1 minor, 1 info)");
    expect(r.output.summary).toBe(
      [
        "Reviewed `bbbbbbbbbbbb`.",
        "**Review effort:** 2/5",
        "**Findings:** 1 major, 1 minor, 1 info",
        "1 finding not on a changed line: see the review comment.",
        "This check fails on a major finding or worse (`pr.checks_fail_on: major`).",
        "**Not reviewed (1 file):**",
        "- `big.lock` — lockfile",
      ].join("\n\n"),
    );
  });

  it("without a model review: neutral, no annotations, and the reason", () => {
    const r = checkOutput({
      headSha: "c".repeat(40),
      findings: [],
      notReviewed: [],
      files,
      note: "No LLM is configured.",
      failOn: "critical",
      incrementalFrom: "d".repeat(40),
    });
    expect(r).toEqual({
      conclusion: "neutral",
      annotations: [],
      output: {
        title: "No model review",
        summary:
          "Reviewed `cccccccccccc`: the commits after `dddddddddddd`.\n\nNo model review: No LLM is configured.\n\n**Not reviewed:** none",
      },
    });
  });

  it("no findings: neutral even with a gate, titled so", () => {
    const r = checkOutput({
      headSha: "e".repeat(40),
      effort: 1,
      findings: [],
      notReviewed: [],
      files,
      failOn: "major",
    });
    expect(r.conclusion).toBe("neutral");
    expect(r.output.title).toBe("No findings");
    expect(r.output.summary).toContain("**Findings:** none");
  });
});
