import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chunkDiff } from "../../src/diff/chunk.ts";
import { packDiff, reviewBudget } from "../../src/diff/pack.ts";
import { parseDiff } from "../../src/diff/parse.ts";
import { countTokens } from "../../src/llm/tokens.ts";
import { fixture } from "./helpers.ts";

const ky = parseDiff(fixture("real/ky-v1.14.3..v2.0.0.diff.gz")).files;
const express = parseDiff(fixture("express-query-revalidation.diff")).files;

describe("reviewBudget", () => {
  it("is the context window minus prompt and output reserve, never negative", () => {
    expect(reviewBudget({ contextWindow: 200_000, promptTokens: 1_500, outputReserve: 8_000 })).toBe(190_500);
    expect(reviewBudget({ contextWindow: 1_000, promptTokens: 900, outputReserve: 500 })).toBe(0);
  });
});

describe("packDiff", () => {
  it("includes a small diff whole, with new-file line numbers", () => {
    const p = packDiff(express, { budget: 10_000 });
    expect(p.files.map((f) => [f.path, f.status])).toEqual([
      ["History.md", "included"],
      ["lib/request.js", "included"],
      ["test/req.fresh.js", "included"],
    ]);
    expect(p.notReviewed).toEqual([]);
    expect(p.promptTokens).toBe(countTokens(p.text));
    expect(p.text.startsWith("## File: lib/request.js (modified)\n@@ -")).toBe(true);
    expect(p.text).toContain("## File: test/req.fresh.js (modified)");
  });

  it("names every file and lists the omitted ones, in the text when it fits", () => {
    const p = packDiff(ky, { budget: 8_000 });
    expect(p.files.map((f) => f.path)).toEqual(ky.map((f) => f.path));
    expect(p.promptTokens).toBeLessThanOrEqual(8_000);
    expect(p.promptTokens).toBe(countTokens(p.text));
    const omitted = p.files.filter((f) => f.status === "omitted");
    expect(omitted.length).toBeGreaterThan(0);
    expect(p.notReviewed.map((n) => n.path).sort()).toEqual(omitted.map((f) => f.path).sort());
    expect(p.text).toContain(`## Not reviewed (${omitted.length} files`);
    // The prompt's list is capped; the rest are counted.
    const listed = p.text
      .slice(p.text.indexOf("## Not reviewed"))
      .split("\n")
      .filter((l) => l.startsWith("- "));
    expect(listed.length).toBeLessThanOrEqual(26);
    expect(listed.at(-1)).toMatch(/^- …and \d+ more files$/);
  });

  it("cuts context before leaving anything out", () => {
    const p = packDiff(express, { budget: 1_000 });
    expect(p.files.map((f) => [f.path, f.status, f.reason])).toEqual([
      ["History.md", "compressed", "context cut to 1 line"],
      ["lib/request.js", "compressed", "context cut to 1 line"],
      ["test/req.fresh.js", "compressed", "context cut to 1 line"],
    ]);
    expect(p.promptTokens).toBe(countTokens(p.text));
    expect(p.text).toContain("## File: lib/request.js (modified; context cut to 1 line)\n@@ -");
    expect(p.text).not.toContain("## Not reviewed");
  });

  it("includes the hunks of a file too big to fit whole and names the hunks left out", () => {
    const hooks = ky.filter((f) => f.path === "test/hooks.ts");
    const p = packDiff(hooks, { budget: 3_000 });
    const [f] = p.files;
    expect(f).toMatchObject({ path: "test/hooks.ts", status: "compressed" });
    expect(f!.reason).toMatch(/^partial: (\d+) of (\d+) hunks; left out: lines \d+–\d+, /);
    const [, kept, total] = /^partial: (\d+) of (\d+)/.exec(f!.reason!)!;
    expect(f!.leftOut).toHaveLength(Number(total) - Number(kept));
    expect(p.text.match(/^@@ /gm)).toHaveLength(Number(kept));
    expect(p.promptTokens).toBe(countTokens(p.text));
    expect(p.promptTokens).toBeLessThanOrEqual(3_000);
    expect(p.notReviewed).toEqual([]);
    expect(p.text).toContain(`## Not reviewed (0 files; 1 more in part)\n- test/hooks.ts: ${f!.reason}\n`);
    // A left-out range is not in the text; a kept line is.
    const out = f!.leftOut![0]!;
    expect(p.text).not.toMatch(new RegExp(`^ *${out.start} [+ ]`, "m"));
    expect(p.text).toMatch(/^ {4}1 \+import \{setTimeout as delay\}/m);
  });

  it("marks ignored and binary files omitted with their reason", () => {
    const files = [
      ...parseDiff(fixture("cobra-bump-pflag.diff")).files,
      ...parseDiff(fixture("scratch-binary-patch.diff")).files,
    ];
    const p = packDiff(files, { budget: 5_000 });
    expect(p.files.map((f) => [f.path, f.status, f.reason])).toEqual([
      ["go.mod", "included", undefined],
      ["go.sum", "omitted", "ignored: lockfile"],
      ["logo.bin", "omitted", "binary"],
      ["sp ace é.txt", "included", undefined],
    ]);
    expect(p.text).toContain("## Not reviewed (2 files)\n- go.sum: ignored: lockfile\n- logo.bin: binary\n");
  });

  it("counts the prompt overhead and returns an empty prompt for budget 0", () => {
    const p = packDiff(express, { budget: 1_000, promptOverhead: 900 });
    expect(p.promptTokens).toBeLessThanOrEqual(1_000);
    const z = packDiff(express, { budget: 0 });
    expect(z).toMatchObject({ budget: 0, promptTokens: 0, text: "" });
    expect(z.files.every((f) => f.status === "omitted" && f.reason === "over budget")).toBe(true);
  });

  it("never exceeds the budget (property, exact counts)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 20_000 }),
        fc.integer({ min: 0, max: 600 }),
        fc.subarray(ky, { minLength: 0 }),
        (budget, overhead, files) => {
          const p = packDiff(files, { budget, promptOverhead: overhead });
          expect(p.files).toHaveLength(files.length);
          if (p.text) {
            expect(p.promptTokens).toBe(overhead + countTokens(p.text));
            expect(p.promptTokens).toBeLessThanOrEqual(budget);
          }
          const tokenSum = p.files.reduce((a, f) => a + f.tokens, 0);
          expect(p.files.filter((f) => f.status !== "omitted").every((f) => f.tokens > 0)).toBe(true);
          expect(tokenSum).toBeLessThanOrEqual(budget + 50 * files.length);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("chunkDiff", () => {
  it("splits an over-budget diff into chunks that each fit, in priority order", () => {
    const r = chunkDiff(ky, { budget: 12_000, maxChunks: 4 });
    expect(r.chunks.length).toBe(4);
    for (const c of r.chunks) {
      expect(c.promptTokens).toBeLessThanOrEqual(12_000);
      expect(c.text).not.toContain("## Not reviewed");
    }
    const seen = r.chunks.flatMap((c) => c.files.map((f) => f.path));
    expect(new Set(seen).size).toBe(seen.length);
    const all = new Set([...seen, ...r.omitted.map((f) => f.path)]);
    expect([...all].sort()).toEqual(ky.map((f) => f.path).sort());
    // ky's range is ~140k tokens: 4 × 12k cannot hold it, and the rest is named with why.
    expect(r.omitted.length).toBeGreaterThan(0);
    expect(r.omitted.every((f) => f.reason === "over budget (more than 4 chunks)")).toBe(true);
  });

  it("uses one chunk when everything fits", () => {
    const r = chunkDiff(express, { budget: 50_000, maxChunks: 3 });
    expect(r.chunks).toHaveLength(1);
    expect(r.omitted).toEqual([]);
  });
});
