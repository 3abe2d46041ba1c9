import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import type { CliIO } from "../../src/cli/types.ts";

const ROOT = resolve(import.meta.dirname, "../..");

function fakeIO(cwd = ROOT) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env: {}, cwd, isTTY: false };
  return { io, out: () => out.join(""), err: () => err.join("") };
}

describe("steward issues score", () => {
  it("prints JSON for a real issue-form body, taking the title from the leading heading", async () => {
    const f = fakeIO();
    const code = await main(
      ["issues", "score", "--file", "fixtures/issues/axios-6282-form.md", "--json"],
      f.io,
    );
    expect(code).toBe(0);
    expect(JSON.parse(f.out())).toEqual({
      score: 6.8,
      type: "bug",
      elements: [
        { id: "steps_to_reproduce", label: "Steps to reproduce", present: true },
        { id: "stack_trace", label: "Stack trace or exact error message", present: false },
        { id: "expected_behavior", label: "Expected behaviour", present: true },
        { id: "actual_behavior", label: "Actual behaviour", present: true },
        { id: "environment", label: "Versions and environment", present: true },
        { id: "reproduction", label: "Minimal reproduction or test case", present: false },
        { id: "code_sample", label: "Code sample", present: true },
        { id: "logs_or_screenshots", label: "Logs or screenshots", present: false },
        { id: "description", label: "Description of the problem", present: true },
      ],
      missing: ["stack_trace", "reproduction", "logs_or_screenshots"],
    });
  });

  it("uses --labels for the type and reports --threshold", async () => {
    const f = fakeIO();
    await main(
      [
        "issues",
        "score",
        "--file",
        "fixtures/issues/got-stream-terse.md",
        "--title",
        "stream",
        "--labels",
        "question,x",
        "--threshold",
        "6",
        "--json",
      ],
      f.io,
    );
    expect(JSON.parse(f.out())).toMatchObject({
      score: 5.5,
      type: "question",
      missing: ["context", "question", "error_output"],
      threshold: 6,
      belowThreshold: true,
    });
  });

  it("prints a readable checklist without --json", async () => {
    const f = fakeIO();
    await main(
      [
        "issues",
        "score",
        "--file",
        "fixtures/issues/got-stream-terse.md",
        "--title",
        "got.stream creating different file",
      ],
      f.io,
    );
    const lines = f.out().split("\n");
    expect(lines[0]).toBe("Score: 1.5/10 (bug, from text:bug cues (1))");
    expect(lines).toContain("  [x] Code sample (1): ``` block (5 lines)");
    expect(lines).toContain("  [ ] Steps to reproduce (2.5)");
    expect(f.out()).toContain(
      "Missing, most valuable first: Steps to reproduce, Stack trace or exact error message,",
    );
  });

  it("reads a GitHub issue JSON and validates it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "steward-score-"));
    writeFileSync(
      join(dir, "ok.json"),
      JSON.stringify({
        title: "Add CSV export",
        body: "I'd like a csv option.",
        labels: [{ name: "enhancement" }],
      }),
    );
    writeFileSync(join(dir, "bad.json"), JSON.stringify({ title: "x", labels: "bug" }));
    const ok = fakeIO(dir);
    expect(await main(["issues", "score", "--file", "ok.json", "--json"], ok.io)).toBe(0);
    expect(JSON.parse(ok.out())).toMatchObject({ type: "feature", score: 3 });
    const bad = fakeIO(dir);
    expect(await main(["issues", "score", "--file", "bad.json"], bad.io)).toBe(1);
    expect(bad.err()).toContain("labels: expected an array of label names or {name} objects");
  });

  it("explains usage errors", async () => {
    const a = fakeIO();
    expect(await main(["issues", "score"], a.io)).toBe(2);
    expect(a.err()).toContain("--file is required");
    const b = fakeIO();
    expect(await main(["issues", "score", "--file", "x.md", "--threshold", "11"], b.io)).toBe(2);
    expect(b.err()).toContain("--threshold: expected a number from 0 to 10, got '11'");
    const c = fakeIO();
    expect(await main(["issues", "bogus"], c.io)).toBe(2);
    expect(c.err()).toContain("unknown subcommand 'bogus'");
    const d = fakeIO();
    expect(await main(["issues", "score", "--file", "missing.md"], d.io)).toBe(1);
    expect(d.err()).toContain("cannot read --file missing.md: ENOENT");
  });
});
