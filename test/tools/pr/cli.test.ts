import nock from "nock";
import { describe, expect, it } from "vitest";
import { main } from "../../../src/cli/main.ts";
import type { CliIO } from "../../../src/cli/types.ts";
import { GH } from "../../helpers/app.ts";
import { fixtureFiles, LLM, mockLlm, pullRequest } from "./helpers.ts";
import { REVIEW } from "./answers.ts";

const FIX = new URL("../../../fixtures/diffs/", import.meta.url).pathname;
const ENV = {
  LLM_API_KEY: "sk-test",
  LLM_BASE_URL: `${LLM}/v1`,
  LLM_MODEL: "gpt-4o-mini",
  LLM_MAX_RETRIES: "0",
};

function io(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const fake: CliIO = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env, cwd: FIX, isTTY: false };
  return { fake, out: () => out.join(""), err: () => err.join("") };
}

describe("steward review (LLM)", () => {
  it("--diff-file without --dry-run prints the review as Markdown after exactly one call", async () => {
    const llm = mockLlm([REVIEW]);
    const t = io(ENV);
    const code = await main(["review", "--diff-file", "express-query-revalidation.diff"], t.fake);
    expect(t.err()).toBe("");
    expect(code).toBe(0);
    expect(llm).toHaveLength(1);
    const md = t.out();
    expect(md).toContain("## Steward review");
    expect(md).toContain("**Review effort:** 2/5");
    expect(md).toContain("Comment and condition must stay in sync");
    // Line 12 is not in a hunk of the diff: reported under "outside the diff".
    expect(md).toContain("**Unrelated line outside the diff** — `lib/request.js:12`");
  });

  it("--pr URL reads the live PR with GITHUB_TOKEN and prints the review", async () => {
    const R = "/repos/expressjs/express";
    nock(GH)
      .matchHeader("authorization", "token ghp_clitoken")
      .get(`${R}/pulls/7366`)
      .reply(200, pullRequest({ number: 7366 }))
      .get(`${R}/pulls/7366/files`)
      .query(true)
      .reply(200, fixtureFiles("express-query-revalidation"));
    const llm = mockLlm([REVIEW]);
    const t = io({ ...ENV, GITHUB_TOKEN: "ghp_clitoken" });
    const code = await main(["review", "--pr", "https://github.com/expressjs/express/pull/7366"], t.fake);
    expect(t.err()).toBe("");
    expect(code).toBe(0);
    expect(llm).toHaveLength(1);
    expect(t.out()).toContain(
      "https://github.com/expressjs/express/blob/ec26c3e57ca3a959ca5aad62de7213c562f8c821/lib/request.js#L475-L476",
    );
  });

  it("--pr --dry-run --json prints the packing without calling the model", async () => {
    const R = "/repos/expressjs/express";
    nock(GH)
      .get(`${R}/pulls/1`)
      .reply(200, pullRequest({ number: 1 }))
      .get(`${R}/pulls/1/files`)
      .query(true)
      .reply(200, fixtureFiles("express-query-revalidation"));
    const t = io({ GITHUB_TOKEN: "ghp_x" });
    const code = await main(
      [
        "review",
        "--pr",
        "https://github.com/expressjs/express/pull/1",
        "--dry-run",
        "--json",
        "--budget",
        "6000",
      ],
      t.fake,
    );
    expect(code).toBe(0);
    const r = JSON.parse(t.out());
    expect(r.budget).toBeLessThanOrEqual(6000);
    expect(r.promptTokens).toBeLessThanOrEqual(6000);
    expect(r.files.map((f: { path: string }) => f.path)).toEqual([
      "History.md",
      "lib/request.js",
      "test/req.fresh.js",
    ]);
  });

  it("refuses a URL that is not a GitHub PR", async () => {
    const t = io({ GITHUB_TOKEN: "ghp_x" });
    expect(await main(["review", "--pr", "https://example.com/pull/1"], t.fake)).toBe(2);
    expect(t.err()).toContain("--pr expects https://github.com/OWNER/REPO/pull/N");
  });
});
