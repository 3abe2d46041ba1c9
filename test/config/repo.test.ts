import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { validateConfigText } from "../../src/config/repo.ts";
import { DEFAULT_CONFIG } from "../../src/config/schema.ts";
import { main } from "../../src/cli/main.ts";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: {
      stdout: (t: string) => out.push(t),
      stderr: (t: string) => err.push(t),
      env: {},
      cwd: process.cwd(),
      isTTY: false,
    },
  };
}

describe(".github/steward.yml", () => {
  it("an empty file is the defaults", () => {
    expect(validateConfigText("")).toEqual({ ok: true, config: DEFAULT_CONFIG });
  });

  it("merges a partial file over the defaults", () => {
    const r = validateConfigText("pr:\n  auto: [review, improve]\n  improve:\n    score_threshold: 8\n");
    expect(r.ok).toBe(true);
    expect(r.config.pr.auto).toEqual(["review", "improve"]);
    expect(r.config.pr.improve).toEqual({ score_threshold: 8, max_chunks: 4, commitable: true });
    expect(r.config.issues).toEqual(DEFAULT_CONFIG.issues);
  });

  it.each([
    ["pr:\n  auto: [reviw]\n", "pr.auto[0]: expected a PR tool: describe, review, improve"],
    [
      "pr:\n  min_permission: god\n",
      "pr.min_permission: expected one of read, triage, write, maintain, admin",
    ],
    ["pr:\n  ignore:\n    title: ['(']\n", "pr.ignore.title[0]: expected a valid regular expression"],
    ["issues:\n  score:\n    treshold: 5\n", "issues.score: unknown key treshold"],
    ["- a\n- b\n", "(root): expected a mapping of sections (pr, issues, incidents, notify, agents)"],
    ["pr: [\n", "YAML: "],
  ])("reports %j by key", (text, message) => {
    const r = validateConfigText(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.join("\n")).toContain(message);
    expect(r.config).toEqual(DEFAULT_CONFIG);
  });

  it("never throws on arbitrary text (fuzz)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (text) => {
        const r = validateConfigText(text);
        expect(typeof r.ok).toBe("boolean");
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const r = validateConfigText(JSON.stringify(value));
        if (!r.ok) expect(r.config).toEqual(DEFAULT_CONFIG);
      }),
      { numRuns: 500 },
    );
  });

  it("`steward config check` prints ok or one line per problem", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cfg-"));
    writeFileSync(join(dir, "good.yml"), "pr:\n  drafts: true\n");
    writeFileSync(join(dir, "bad.yml"), "pr:\n  drafts: maybe\nagents:\n  risk:\n    merge_pr: root\n");
    const good = io();
    expect(await main(["config", "check", join(dir, "good.yml")], good.io)).toBe(0);
    expect(good.out.join("")).toBe(`ok: ${join(dir, "good.yml")}\n`);
    const bad = io();
    expect(await main(["config", "check", join(dir, "bad.yml")], bad.io)).toBe(1);
    expect(bad.err.join("")).toBe(
      `${join(dir, "bad.yml")} is invalid; Steward would use the defaults:\n` +
        "  pr.drafts: Invalid input: expected boolean, received string\n" +
        "  agents.risk.merge_pr: expected one of read, triage, write, maintain, admin\n",
    );
  });
});
