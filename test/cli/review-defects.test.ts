// `steward review` as a newcomer meets it (issue 10, section 3): one budget for --dry-run and the real
// review, the facts without an LLM, --json honoured, wrong input refused, a 401 hint, a spinner on a
// terminal, and Enterprise Server PR URLs with links on that host.
import { readFileSync } from "node:fs";
import nock from "nock";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import type { CliIO } from "../../src/cli/types.ts";
import { REVIEW } from "../tools/pr/answers.ts";
import { fixtureFiles, LLM, mockLlm, pullRequest } from "../tools/pr/helpers.ts";

const FIX = new URL("../../fixtures/diffs/", import.meta.url).pathname;
const REPO_ROOT = new URL("../../", import.meta.url).pathname;
const LLM_ENV = { LLM_API_KEY: "sk-test", LLM_BASE_URL: `${LLM}/v1`, LLM_MAX_RETRIES: "0" };

function io(env: Record<string, string> = {}, cwd = FIX, stderrIsTTY = false) {
  const out: string[] = [];
  const err: string[] = [];
  const fake: CliIO = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    env,
    cwd,
    isTTY: false,
    stderrIsTTY,
  };
  return { fake, out: () => out.join(""), err: () => err.join("") };
}

async function dry(env: Record<string, string>, file = "express-query-revalidation.diff") {
  const t = io(env);
  expect(await main(["review", "--diff-file", file, "--dry-run", "--json"], t.fake)).toBe(0);
  return JSON.parse(t.out()) as {
    budget: number;
    promptTokens: number;
    files: Array<{ path: string; status: string }>;
  };
}

describe("review budget: one function for --dry-run and the real review", () => {
  it("takes the window of LLM_MODEL and its output tokens, not a separate reserve", async () => {
    expect((await dry({ LLM_MODEL: "gpt-4" })).budget).toBe(8_192 - 4_096);
    expect((await dry({ LLM_MODEL: "gpt-4", LLM_MAX_OUTPUT_TOKENS: "1000" })).budget).toBe(7_192);
    expect((await dry({ LLM_MODEL: "gpt-4o-mini", LLM_OUTPUT_RESERVE: "100000" })).budget).toBe(
      128_000 - 4_096,
    );
  });

  it("counts the prompt around the diff (instructions, schema, facts), as the real call does", async () => {
    const r = await dry({ LLM_CONTEXT_WINDOW: "20000", LLM_MAX_OUTPUT_TOKENS: "1000" });
    expect(r.budget).toBe(19_000);
    const diffTokens = r.files.reduce((n, f) => n + (f as unknown as { tokens: number }).tokens, 0);
    expect(r.promptTokens).toBeGreaterThan(diffTokens + 500);
  });

  it("leaves out exactly the files the dry run said it would", async () => {
    const env = { ...LLM_ENV, LLM_CONTEXT_WINDOW: "2400", LLM_MAX_OUTPUT_TOKENS: "600" };
    const plan = await dry(env);
    const omitted = plan.files.filter((f) => f.status === "omitted").map((f) => f.path);
    expect(omitted.length).toBeGreaterThan(0);
    expect(omitted.length).toBeLessThan(plan.files.length);
    const calls = mockLlm([{ ...REVIEW, findings: [] }]);
    const t = io(env);
    expect(await main(["review", "--diff-file", "express-query-revalidation.diff", "--json"], t.fake)).toBe(
      0,
    );
    expect(calls).toHaveLength(1);
    const r = JSON.parse(t.out());
    expect(r.notReviewed.map((n: { path: string }) => n.path).sort()).toEqual([...omitted].sort());
    for (const p of omitted) expect(calls[0]!.messages[1]!.content).not.toContain(`+++ b/${p}`);
  });
});

describe("review without an LLM prints the facts", () => {
  it("Markdown: the deterministic facts and a note, exit 0", async () => {
    const t = io({});
    expect(await main(["review", "--diff-file", "cobra-bump-pflag.diff"], t.fake)).toBe(0);
    expect(t.err()).toBe(
      "steward review: no LLM configured (set LLM_API_KEY): printing the deterministic facts only\n",
    );
    const md = t.out();
    expect(md).toContain("## Steward review");
    expect(md).toContain("No LLM is configured, so there is no model review: set `LLM_API_KEY`");
    expect(md).toContain("Facts (computed without a model)");
    expect(md).toContain("github.com/spf13/pflag");
  });

  it("--json without --dry-run prints the review as JSON", async () => {
    const t = io({});
    expect(await main(["review", "--diff-file", "cobra-bump-pflag.diff", "--json"], t.fake)).toBe(0);
    const r = JSON.parse(t.out());
    expect(r.review).toBeNull();
    expect(r.findings).toEqual([]);
    expect(r.llmNote).toContain("No LLM is configured");
    expect(r.facts.totals.files).toBe(2);
  });

  it("--json with an LLM carries the model's findings and where they landed", async () => {
    mockLlm([REVIEW]);
    const t = io(LLM_ENV);
    expect(await main(["review", "--diff-file", "express-query-revalidation.diff", "--json"], t.fake)).toBe(
      0,
    );
    const r = JSON.parse(t.out());
    expect(r.review.effort).toBe(2);
    expect(r.findings.map((f: { title: string; inline: boolean }) => [f.title, f.inline])).toEqual([
      ["Comment and condition must stay in sync", true],
      ["Unrelated line outside the diff", false],
    ]);
  });
});

describe("review refuses input that is not a diff", () => {
  it.each([
    [
      "README.md",
      REPO_ROOT,
      'README.md is not a diff: it has no "diff --git" or "--- a/… / +++ b/…" file headers',
    ],
    ["package-lock.json", REPO_ROOT, "package-lock.json is not a diff"],
    ["empty.diff", FIX, "empty.diff is empty: there is nothing to review"],
  ])("%s → exit 1 with a clear message", async (file, cwd, message) => {
    for (const extra of [["--dry-run"], []]) {
      const t = io({}, cwd);
      expect(await main(["review", "--diff-file", file, ...extra], t.fake)).toBe(1);
      expect(t.err()).toContain(`steward review: ${message}`);
      expect(t.out()).toBe("");
    }
  });

  it("a binary file → exit 1", async () => {
    const t = io({}, REPO_ROOT);
    expect(readFileSync(new URL("../../node_modules/.bin/node", import.meta.url)).subarray(0, 4)).toEqual(
      Buffer.from("\x7fELF", "latin1"),
    );
    expect(await main(["review", "--diff-file", "node_modules/.bin/node", "--dry-run"], t.fake)).toBe(1);
    expect(t.err()).toContain("steward review: node_modules/.bin/node is a binary file, not a diff");
  });
});

describe("review talks like a CLI", () => {
  it("a 401 prints the documented LLM_API_KEY hint", async () => {
    nock(LLM)
      .post("/v1/chat/completions")
      .reply(401, { error: { message: "Incorrect API key provided: sk-te***" } });
    const t = io(LLM_ENV);
    expect(await main(["review", "--diff-file", "express-query-revalidation.diff"], t.fake)).toBe(1);
    expect(t.err()).toBe("steward review: LLM endpoint rejected the API key (401); check LLM_API_KEY.\n");
  });

  it("shows a spinner on a terminal while the model answers, then erases it", async () => {
    nock(LLM)
      .post("/v1/chat/completions")
      .delay(700)
      .reply(200, {
        id: "c",
        object: "chat.completion",
        created: 0,
        model: "gpt-4o-mini",
        choices: [
          {
            index: 0,
            finish_reason: "stop",
            message: { role: "assistant", content: JSON.stringify(REVIEW) },
          },
        ],
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
      });
    const t = io(LLM_ENV, FIX, true);
    expect(await main(["review", "--diff-file", "express-query-revalidation.diff"], t.fake)).toBe(0);
    expect(t.err()).toMatch(/^\r⠋ Waiting for gpt-4o-mini… 0s/);
    expect(t.err().endsWith("\r\x1b[2K")).toBe(true);
    expect(t.out()).toContain("## Steward review");
  });

  it("no spinner when stderr is not a terminal", async () => {
    mockLlm([REVIEW]);
    const t = io(LLM_ENV);
    expect(await main(["review", "--diff-file", "express-query-revalidation.diff"], t.fake)).toBe(0);
    expect(t.err()).toBe("");
  });
});

describe("review --pr on GitHub Enterprise Server", () => {
  it("reads the PR from the server's API and links findings on that host", async () => {
    const API = "https://ghe.example.com/api/v3";
    const R = "/repos/acme/shop";
    nock(API)
      .matchHeader("authorization", "token ghp_ghe")
      .get(`${R}/pulls/12`)
      .reply(200, pullRequest({ number: 12 }))
      .get(`${R}/pulls/12/files`)
      .query(true)
      .reply(200, fixtureFiles("express-query-revalidation"));
    mockLlm([REVIEW]);
    const t = io({ ...LLM_ENV, GITHUB_TOKEN: "ghp_ghe" });
    expect(await main(["review", "--pr", "https://ghe.example.com/acme/shop/pull/12"], t.fake)).toBe(0);
    expect(t.out()).toContain(
      "(https://ghe.example.com/acme/shop/blob/ec26c3e57ca3a959ca5aad62de7213c562f8c821/lib/request.js#L475-L476)",
    );
    expect(t.out()).not.toContain("https://github.com/");
  });
});
