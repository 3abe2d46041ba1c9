import { describe, expect, it } from "vitest";
import { renderScoreComment, renderScoreRecovered } from "../../../src/tools/issue-score/render.ts";
import { scoreIssue } from "../../../src/tools/issue-score/score.ts";

describe("renderScoreComment", () => {
  it("asks for the two most valuable missing items with a structure to paste", () => {
    const r = scoreIssue({ title: "Crash when saving", body: "It crashes.", labels: ["bug"] });
    expect(renderScoreComment(r, { threshold: 5 })).toBe(
      [
        "Thanks for the bug report! A couple of details would make it much easier to act on:",
        "",
        "1. **Steps to reproduce**: a numbered list of the exact actions that trigger the problem, starting from a clean state.",
        "2. **Stack trace or exact error message**: the full stack trace or the exact error message, copied as text rather than a screenshot.",
        "",
        "You can edit the issue description and fill in this structure:",
        "",
        "````markdown",
        "### Steps to reproduce",
        "1. ",
        "2. ",
        "3. ",
        "",
        "### Error output",
        "```text",
        "(paste the full error and stack trace here)",
        "```",
        "````",
        "",
        "<details>",
        "<summary>Documentation score: 0.8/10 (bug report; this repository asks for 5).</summary>",
        "",
        "| | Element | Points |",
        "|---|---|---|",
        "| ⬜ | Steps to reproduce | 2.5 |",
        "| ⬜ | Stack trace or exact error message | 1.5 |",
        "| ⬜ | Expected behaviour | 0.75 |",
        "| ✅ | Actual behaviour | 0.75 |",
        "| ⬜ | Versions and environment | 1.25 |",
        "| ⬜ | Minimal reproduction or test case | 1.25 |",
        "| ⬜ | Code sample | 1 |",
        "| ⬜ | Logs or screenshots | 0.5 |",
        "| ⬜ | Description of the problem | 0.5 |",
        "",
        "</details>",
        "",
        "<sub>This comment updates itself when the issue is edited. The score is computed without AI.</sub>",
      ].join("\n"),
    );
  });

  it("asks a feature requester about the problem and the proposal", () => {
    const text = renderScoreComment(scoreIssue({ title: "x", body: "", labels: ["enhancement"] }));
    expect(text).toContain("Thanks for the feature request!");
    expect(text).toContain("1. **Problem or motivation**: the problem this would solve for you");
    expect(text).toContain("2. **Proposed solution**: what you would like to happen");
    expect(text).toContain("### Problem / motivation\n\n\n### Proposed solution\n");
    expect(text).toContain("<summary>Documentation score: 0/10 (feature request).</summary>");
  });

  it("uses the threshold carried in the result when none is passed", () => {
    const r = scoreIssue({ title: "x", body: "", labels: ["question"] }, { threshold: 3 });
    expect(renderScoreComment(r)).toContain("(question; this repository asks for 3)");
  });
});

describe("renderScoreRecovered", () => {
  it("thanks the author and names what the edit added", () => {
    const before = scoreIssue({ title: "Crash", body: "It crashes.", labels: ["bug"] });
    const after = scoreIssue({
      title: "Crash",
      body: "It crashes.\n\n1. open\n2. save\n\nTypeError: x is not a function\n\nnode v20.1.0",
      labels: ["bug"],
    });
    expect(renderScoreRecovered(after, { previous: before })).toBe(
      [
        "Thanks for adding the details! This bug report now has steps to reproduce, stack trace or exact error message and versions and environment.",
        "",
        "Documentation score: **0.8 → 6/10**. Nothing more is needed from you for now.",
        "",
        "<details>",
        "<summary>What was checked</summary>",
        "",
        "| | Element | Points |",
        "|---|---|---|",
        "| ✅ | Steps to reproduce | 2.5 |",
        "| ✅ | Stack trace or exact error message | 1.5 |",
        "| ⬜ | Expected behaviour | 0.75 |",
        "| ✅ | Actual behaviour | 0.75 |",
        "| ✅ | Versions and environment | 1.25 |",
        "| ⬜ | Minimal reproduction or test case | 1.25 |",
        "| ⬜ | Code sample | 1 |",
        "| ⬜ | Logs or screenshots | 0.5 |",
        "| ⬜ | Description of the problem | 0.5 |",
        "",
        "</details>",
      ].join("\n"),
    );
  });

  it("lists everything present when there is no previous result", () => {
    const r = scoreIssue({ title: "t", body: "1. a\n2. b", labels: ["bug"] });
    expect(renderScoreRecovered(r).split("\n")[0]).toBe(
      "Thanks for adding the details! This bug report now has steps to reproduce.",
    );
  });
});
