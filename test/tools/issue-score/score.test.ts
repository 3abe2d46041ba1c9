import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { scoreIssue } from "../../../src/tools/issue-score/score.ts";

const fixture = (name: string) =>
  readFileSync(new URL(`../../../fixtures/issues/${name}`, import.meta.url), "utf8");
const present = (r: ReturnType<typeof scoreIssue>) => r.elements.filter((e) => e.present).map((e) => e.id);

describe("scoreIssue: bug rubric", () => {
  it("scores an empty body 0 and lists every element missing, most valuable first", () => {
    const r = scoreIssue({ title: "", body: "", labels: ["bug"] });
    expect(r.score).toBe(0);
    expect(r.type).toBe("bug");
    expect(r.typeSource).toBe("label:bug");
    expect(r.missing).toEqual([
      "steps_to_reproduce",
      "stack_trace",
      "environment",
      "reproduction",
      "code_sample",
      "expected_behavior",
      "actual_behavior",
      "logs_or_screenshots",
      "description",
    ]);
  });

  it("weights sum to 10 for every rubric: a complete bug report scores 10", () => {
    const body = [
      "When I call `load()` on a config with a trailing comma, the process crashes and nothing is written.",
      "",
      "### Steps to reproduce",
      '1. Create `a.json` with `{"a": 1,}`',
      "2. Run `node index.js`",
      "",
      "### Expected behavior",
      "A clear validation error.",
      "",
      "### Actual behavior",
      "It crashes instead.",
      "",
      "```",
      "TypeError: Cannot read properties of undefined (reading 'a')",
      "    at load (/app/src/load.js:10:5)",
      "    at main (/app/index.js:3:1)",
      "```",
      "",
      "```js",
      "const cfg = load('a.json');",
      "```",
      "",
      "Repro: https://stackblitz.com/edit/config-crash",
      "![screenshot](https://user-images.githubusercontent.com/1/shot.png)",
      "",
      "Node.js v20.11.1 on Ubuntu 22.04, mylib@3.2.1",
    ].join("\n");
    const r = scoreIssue({ title: "load() crashes", body, labels: ["bug"] });
    expect(r.missing).toEqual([]);
    expect(r.score).toBe(10);
  });

  it("counts a real issue form's `_No response_` answers as missing, with that as evidence", () => {
    const r = scoreIssue({
      title: "0.28 changes params in GET request",
      body: fixture("axios-6282-form.md"),
    });
    expect(r.type).toBe("bug");
    expect(r.typeSource).toBe("form:Describe the bug");
    const logs = r.elements.find((e) => e.id === "logs_or_screenshots")!;
    expect(logs).toEqual({
      id: "logs_or_screenshots",
      label: "Logs or screenshots",
      weight: 0.5,
      present: false,
      evidence: 'section "Additional context/Screenshots" left unanswered',
    });
    expect(r.elements.find((e) => e.id === "environment")!.evidence).toBe('section "Axios Version"');
    expect(r.score).toBe(6.8);
  });

  it("finds a Node stack trace, versions and the actual-behaviour section in a real got issue", () => {
    const r = scoreIssue({
      title: 'Unhandled promise rejection with "socket hang up"',
      body: fixture("got-socket-hang-up.md"),
    });
    expect(r.elements.find((e) => e.id === "stack_trace")!.evidence).toMatch(
      /^10 stack frames, e\.g\. "at onError/,
    );
    expect(present(r)).toEqual(
      expect.arrayContaining([
        "stack_trace",
        "actual_behavior",
        "environment",
        "steps_to_reproduce",
        "code_sample",
      ]),
    );
    expect(r.missing[0]).toBe("reproduction");
  });

  it("scores a terse real report low and asks for steps first", () => {
    const r = scoreIssue({
      title: "got.stream creating different file from same URL",
      body: fixture("got-stream-terse.md"),
    });
    expect(r.score).toBe(1.5);
    expect(r.missing.slice(0, 2)).toEqual(["steps_to_reproduce", "stack_trace"]);
  });

  it("ignores the untouched default GitHub template text", () => {
    const body = [
      "**Describe the bug**",
      "A clear and concise description of what the bug is.",
      "",
      "**To Reproduce**",
      "Steps to reproduce the behavior:",
      "1. Go to '...'",
      "2. Click on '....'",
      "3. Scroll down to '....'",
      "4. See error",
      "",
      "**Expected behavior**",
      "A clear and concise description of what you expected to happen.",
      "",
      "**Desktop (please complete the following information):**",
      " - OS: [e.g. iOS]",
      " - Browser [e.g. chrome, safari]",
    ].join("\n");
    const r = scoreIssue({ title: "Bug", body, labels: [] });
    expect(r.score).toBe(0);
    expect(r.elements.find((e) => e.id === "steps_to_reproduce")!.evidence).toBe(
      'section "To Reproduce" left unanswered',
    );
  });

  it("reads HTML-only bodies", () => {
    const body =
      '<h3>Steps to reproduce</h3><ol><li>Open the app</li><li>Click save</li></ol><p>Expected the file to be saved, but it fails.</p><img src="https://example.com/a.png">';
    const r = scoreIssue({ title: "Save fails", body, labels: ["bug"] });
    expect(present(r)).toEqual([
      "steps_to_reproduce",
      "expected_behavior",
      "actual_behavior",
      "logs_or_screenshots",
      "description",
    ]);
  });

  it("detects numbered steps and pkg@version in free text", () => {
    const r = scoreIssue({ title: "x", body: "1. install react@18.2.0\n2. run build\n", labels: ["bug"] });
    expect(r.elements.find((e) => e.id === "steps_to_reproduce")!.evidence).toBe(
      'numbered steps: "1. install react@18.2.0"',
    );
    expect(r.elements.find((e) => e.id === "environment")!.present).toBe(true);
  });

  it("recognises a failing test as a reproduction", () => {
    const r = scoreIssue({
      title: "x",
      body: "```js\nit('parses', () => { expect(parse('a')).toBe(1) })\n```",
      labels: ["bug"],
    });
    expect(r.elements.find((e) => e.id === "reproduction")!.evidence).toBe('test code: "it(\'"');
  });

  it("reports the threshold and whether the score is below it", () => {
    expect(scoreIssue({ title: "t", body: "", labels: ["bug"] }, { threshold: 4 })).toMatchObject({
      threshold: 4,
      belowThreshold: true,
    });
    expect(scoreIssue({ title: "t", body: "" }).threshold).toBeUndefined();
  });

  it("caps scanning of a 1 MB body and says so", () => {
    const body = "1. step one\n2. step two\n" + "x".repeat(1_000_000) + "\nTypeError: late error";
    const r = scoreIssue({ title: "t", body, labels: ["bug"] });
    expect(r.truncated).toBe(true);
    expect(r.elements.find((e) => e.id === "steps_to_reproduce")!.present).toBe(true);
    expect(r.elements.find((e) => e.id === "stack_trace")!.present).toBe(false);
  });

  it("accepts label objects and null bodies", () => {
    const r = scoreIssue({
      title: "Add dark mode",
      body: null,
      labels: [{ name: "enhancement" }, { name: null }],
    });
    expect(r.type).toBe("feature");
    expect(r.typeSource).toBe("label:enhancement");
    expect(r.score).toBe(0);
  });
});

describe("scoreIssue: type detection", () => {
  it.each([
    [{ title: "x", body: "", labels: ["type: bug"] }, "bug", "label:type: bug"],
    [{ title: "x", body: "", labels: ["✨ enhancement"] }, "feature", "label:✨ enhancement"],
    [{ title: "x", body: "", labels: ["question"] }, "question", "label:question"],
    [
      { title: "x", body: "### Is your feature request related to a problem?\nYes" },
      "feature",
      "form:Is your feature request related to a problem?",
    ],
    [{ title: "[Feature] export to CSV", body: "" }, "feature", "text:title tag"],
    [{ title: "How do I configure retries?", body: "" }, "question", "text:title asks a question"],
    [{ title: "Upload crashes with TypeError", body: "" }, "bug", "text:bug cues (4)"],
    [{ title: "hello", body: "" }, "bug", "default"],
  ])("%j → %s", (input, type, source) => {
    const r = scoreIssue(input);
    expect([r.type, r.typeSource]).toEqual([type, source]);
  });
});

describe("scoreIssue: feature and question rubrics", () => {
  it("scores a feature request on motivation, solution, use case, alternatives, context", () => {
    const body = [
      "Currently there is no way to export results, which makes reporting tedious.",
      "I'd like a `--format csv` option.",
      "For example, `tool run --format csv > out.csv`.",
      "As a workaround I pipe JSON through jq.",
      "Related: #123",
    ].join("\n");
    const r = scoreIssue({ title: "CSV export", body, labels: ["feature"] });
    expect(r.elements.map((e) => [e.id, e.present])).toEqual([
      ["motivation", true],
      ["proposed_solution", true],
      ["use_case", true],
      ["alternatives", true],
      ["context", true],
    ]);
    expect(r.score).toBe(10);
  });

  it("asks a question author for what they tried first", () => {
    const r = scoreIssue({ title: "How do I set a proxy?", body: "Is there a way?", labels: ["question"] });
    expect(r.missing).toEqual(["what_was_tried", "code_sample", "context", "error_output"]);
    expect(r.score).toBe(1.5);
  });
});
