import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import type { CliIO } from "../../src/cli/types.ts";
import { countTokens } from "../../src/llm/tokens.ts";
import { fixture } from "../diff/helpers.ts";

const FIX = new URL("../../fixtures/diffs/", import.meta.url).pathname;

function io(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const fake: CliIO = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env, cwd: FIX, isTTY: false };
  return { fake, out: () => out.join(""), err: () => err.join("") };
}

async function dryJson(file: string, extra: string[] = [], env: Record<string, string> = {}) {
  const t = io(env);
  const code = await main(["review", "--diff-file", file, "--dry-run", "--json", ...extra], t.fake);
  expect(t.err()).toBe("");
  expect(code).toBe(0);
  return JSON.parse(t.out());
}

describe("steward review --dry-run --json", () => {
  it("prints exactly budget, promptTokens and files for a real diff", async () => {
    const r = await dryJson("express-query-revalidation.diff", ["--budget", "4000"]);
    expect(r).toEqual({
      budget: 4000,
      promptTokens: r.promptTokens,
      files: [
        { path: "History.md", status: "included", tokens: expect.any(Number) },
        { path: "lib/request.js", status: "included", tokens: expect.any(Number) },
        { path: "test/req.fresh.js", status: "included", tokens: expect.any(Number) },
      ],
    });
    expect(r.promptTokens).toBeGreaterThan(0);
    expect(r.promptTokens).toBeLessThanOrEqual(4000);
  });

  it("lists binary-only diffs as omitted", async () => {
    const r = await dryJson("flask-binary-only.diff");
    expect(r.files).toHaveLength(8);
    expect(
      r.files.every((f: { status: string; tokens: number }) => f.status === "omitted" && f.tokens === 0),
    ).toBe(true);
    expect(r.budget).toBe(128_000 - 4_096);
  });

  it("includes rename-only files under their new path", async () => {
    const r = await dryJson("express-rename-only.diff", ["--budget=3000"]);
    expect(r.files.map((f: { path: string; status: string }) => [f.path, f.status])).toEqual([
      ["examples/error-pages/app.js", "included"],
      ["examples/error-pages/views/404.jade", "included"],
      ["examples/error-pages/views/500.jade", "included"],
      ["examples/error-pages/views/index.jade", "included"],
      ["examples/error-pages/views/layout.jade", "included"],
    ]);
  });

  it("accepts invalid UTF-8 and takes the budget from LLM_CONTEXT_WINDOW", async () => {
    const r = await dryJson("invalid-utf8.diff", [], {
      LLM_CONTEXT_WINDOW: "32000",
      LLM_MAX_OUTPUT_TOKENS: "2000",
    });
    expect(r.budget).toBe(30_000);
    expect(r.files.map((f: { path: string }) => f.path)).toEqual([
      "History.md",
      "lib/request.js",
      "test/req.fresh.js",
    ]);
  });

  it("keeps a huge diff (3,000 files, 60,000 lines) within the budget and names every file", async () => {
    const base = fixture("express-query-revalidation.diff").toString();
    const parts: string[] = [];
    for (let i = 0; i < 1000; i++)
      parts.push(
        base
          .replaceAll(" b/", ` b/p${i}/`)
          .replaceAll(" a/", ` a/p${i}/`)
          .replaceAll("--- a/", `--- a/p${i}/`)
          .replaceAll("+++ b/", `+++ b/p${i}/`),
      );
    const dir = mkdtempSync(join(tmpdir(), "steward-review-"));
    const file = join(dir, "huge.diff");
    writeFileSync(file, parts.join(""));
    const r = await dryJson(file, ["--budget", "32000"]);
    expect(r.files).toHaveLength(3000);
    expect(new Set(r.files.map((f: { path: string }) => f.path)).size).toBe(3000);
    expect(r.promptTokens).toBeLessThanOrEqual(32_000);
    expect(r.files.filter((f: { status: string }) => f.status === "omitted").length).toBeGreaterThan(2000);
  });
});

describe("steward review errors", () => {
  it("rejects a bad budget and a missing file with clear messages", async () => {
    const t = io();
    expect(await main(["review", "--diff-file", "empty.diff", "--dry-run", "--budget", "lots"], t.fake)).toBe(
      2,
    );
    expect(t.err()).toContain('--budget must be a positive integer of tokens, got "lots"');
    const u = io();
    expect(await main(["review", "--diff-file", "nope.diff", "--dry-run"], u.fake)).toBe(1);
    expect(u.err()).toBe("steward review: cannot read nope.diff: ENOENT\n");
  });

  it("prints a readable table without --json", async () => {
    const t = io();
    expect(
      await main(["review", "--diff-file", "cobra-bump-pflag.diff", "--dry-run", "--budget", "3000"], t.fake),
    ).toBe(0);
    const text = t.out();
    expect(text).toContain("Diff: 2 file(s). Budget 3000 tokens");
    expect(text).toContain("omitted          0  go.sum  (ignored: lockfile)");
    expect(countTokens(text)).toBeGreaterThan(0);
  });
});
