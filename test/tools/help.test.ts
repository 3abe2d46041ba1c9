import { describe, expect, it } from "vitest";
import { renderConfig, renderHelp } from "../../src/tools/help.ts";
import { improvePrompt, scoringPrompt } from "../../src/tools/improve/prompt.ts";
import { describePrompt } from "../../src/tools/describe/prompt.ts";

describe("help and config", () => {
  it("lists every command and the safe options", () => {
    const h = renderHelp();
    for (const c of [
      "/review",
      "/describe",
      "/improve",
      "/ask <question>",
      "/help",
      "/config",
      "/triage",
      "/similar",
      "/agent <instructions>",
      "/approve <id> <prefix>",
      "/deny <id>",
      "/incident <ignore|resolve|reopen|dispatch>",
    ]) {
      expect(h).toContain(`| \`${c}\` |`);
    }
    expect(h).toContain("`--num_findings`, `--max_suggestions`");
  });

  it("shows config as YAML and redacts secret-looking keys", () => {
    expect(
      renderConfig(
        { review: { auto: true, num_findings: 5 }, slack: { webhook_url: "https://hooks", token: "" } },
        "`.github/steward.yml`",
      ),
    ).toBe(
      '## Steward configuration\n\nEffective configuration (defaults merged with `.github/steward.yml`):\n\n```yaml\nreview:\n  auto: true\n  num_findings: 5\nslack:\n  webhook_url: "[redacted]"\n  token: ""\n```\n\n_Server settings (LLM endpoint, keys, budgets) are not shown._',
    );
  });
});

describe("improve and describe prompts", () => {
  const ctx = { title: "t", body: "b", commits: [], packedDiff: "d", notReviewed: [] };
  it("names chunking and the scoring scale", () => {
    expect(
      improvePrompt(ctx, { chunk: { index: 2, of: 3 }, maxSuggestions: 4 }).user.startsWith(
        "This is part 2 of 3 of the diff",
      ),
    ).toBe(true);
    const s = scoringPrompt([
      {
        file: "a.ts",
        startLine: 1,
        endLine: 2,
        existingCode: "x",
        improvedCode: "y",
        label: "typo",
        score: 3,
        summary: "s",
      },
    ]);
    expect(s.user).toContain("#0 a.ts:1-2 [typo] s\n--- existing\nx\n+++ improved\ny");
    expect(describePrompt(ctx).system).toContain("types[] (from: bug fix, feature,");
  });
});
