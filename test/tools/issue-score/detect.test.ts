import { describe, expect, it } from "vitest";
import { scoreIssue } from "../../../src/tools/issue-score/score.ts";

// Sentences below are from real bug reports in the NIMBUS gold set (fixtures/issues/README.md).
const element = (body: string, id: string) =>
  scoreIssue({ title: "t", body, labels: ["bug"] }).elements.find((e) => e.id === id)!;

describe("steps to reproduce", () => {
  it("accepts bare numbers when the next item is the next number (Bugzilla-style text)", () => {
    const body =
      "I can reproduce it with 3.0 M5.\n1 Create a simple java project\n2 Set a breakpoint in the main method.";
    expect(element(body, "steps_to_reproduce").evidence).toBe(
      'numbered steps: "1 Create a simple java project"',
    );
  });

  it("does not take a bare number followed by a non-consecutive one for steps", () => {
    expect(element("1 EULA doesn't show up.\n3 things broke", "steps_to_reproduce").present).toBe(false);
  });

  it("finds a conditional action (when I <verb> …) described in prose", () => {
    const body =
      "When I go to a new page inside of the frame then click the back button, the frame stays in the same location.";
    expect(element(body, "steps_to_reproduce").evidence).toBe(
      'actions described: "When I go to a new page inside of the frame then click the back button, the fra…"',
    );
  });

  it("finds two imperative lines in a row, but not 'configure: error' output", () => {
    const body = "Stop and restart eclipse, the bars appear on the left.\nTry dragging them around.";
    expect(element(body, "steps_to_reproduce").evidence).toBe(
      'action sequence: "Stop and restart eclipse, the bars appear on the left."',
    );
    expect(element("configure: error: libtool failed\nconfigure: exit 1", "steps_to_reproduce").present).toBe(
      false,
    );
  });

  it("accepts imperative lines after a cue such as 'as follows:'", () => {
    const body =
      "The view is stale; reproduce as follows:\nOpen the model browser.\nSelect EClass in the Types pane.";
    expect(element(body, "steps_to_reproduce").evidence).toBe(
      'steps listed after "The view is stale; reproduce as follows:"',
    );
  });
});

describe("expected behaviour", () => {
  it("does not count 'works as expected' or 'unexpected' as an expectation", () => {
    expect(element("The query is working as expected on 5.0.", "expected_behavior").present).toBe(false);
    expect(element("An unexpected error occurred.", "expected_behavior").present).toBe(false);
  });

  it("counts should/must/would-be-nice statements about the software", () => {
    expect(
      element("This should contain the targets found in the Makefile.", "expected_behavior").evidence,
    ).toBe("This should contain the targets found in the Makefile.");
    expect(element("It would be neat to have the log name in localtime.", "expected_behavior").present).toBe(
      true,
    );
    expect(element("These MUST be ignored (rfc2616#14.9.6).", "expected_behavior").present).toBe(true);
  });

  it("does not count a question addressed to the reader ('should I …')", () => {
    expect(element("Which version should I install?", "expected_behavior").present).toBe(false);
  });
});
