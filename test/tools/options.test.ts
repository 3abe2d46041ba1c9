import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseRunOptions, tokenize } from "../../src/tools/options.ts";

describe("parseRunOptions", () => {
  it("parses allowed keys with coercion, quotes and dashes", () => {
    expect(
      parseRunOptions(
        '--num_findings=3 --min-score=8 --include_improve --extra_instructions="be terse, please" rest of it',
      ),
    ).toEqual({
      ok: true,
      options: {
        num_findings: 3,
        min_score: 8,
        include_improve: true,
        extra_instructions: "be terse, please",
      },
      rest: "rest of it",
    });
  });

  it("accepts pr-agent style section prefixes", () => {
    expect(parseRunOptions("--pr_reviewer.num_findings=2")).toEqual({
      ok: true,
      options: { num_findings: 2 },
      rest: "",
    });
  });

  it.each([
    ["--openai.key=sk-123", "`--openai.key` cannot be set from a comment"],
    ["--llm_base_url=http://evil", "`--llm_base_url` cannot be set from a comment"],
    ["--model=gpt-4o", "`--model` cannot be set from a comment"],
    ["--daily-budget=999999", "`--daily-budget` cannot be set from a comment"],
    ["--github_token=x", "`--github_token` cannot be set from a comment"],
  ])("refuses %s", (input, start) => {
    const r = parseRunOptions(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]!.startsWith(start)).toBe(true);
  });

  it("names unknown keys and bad values", () => {
    expect(parseRunOptions("--colour=red --min_score=11 --format=xml")).toEqual({
      ok: false,
      errors: [
        "`--colour` is not a known option; allowed: --num_findings, --max_suggestions, --min_score, --context_lines, --include_improve, --incremental, --format, --language, --extra_instructions.",
        "`--min_score`: expected a whole number from 0 to 10.",
        '`--format`: expected "markdown" or "json".',
      ],
    });
  });

  it("tokenizes quotes", () => {
    expect(tokenize(`a "b c" 'd "e"' ""`)).toEqual(["a", "b c", 'd "e"', ""]);
  });

  it("never throws, and never accepts a forbidden key (fuzz)", () => {
    const key = fc.constantFrom(
      "api_key",
      "base_url",
      "model",
      "token",
      "budget",
      "num_findings",
      "format",
      "x",
    );
    const tok = fc.oneof(
      fc.tuple(key, fc.string()).map(([k, v]) => `--${k}=${v}`),
      fc.string(),
      fc.constantFrom('"', "'", "--", "=", " "),
    );
    fc.assert(
      fc.property(fc.array(tok, { maxLength: 8 }), (parts) => {
        const r = parseRunOptions(parts.join(" "));
        if (r.ok) {
          for (const k of Object.keys(r.options))
            expect(k).toMatch(
              /^(num_findings|max_suggestions|min_score|context_lines|include_improve|incremental|format|language|extra_instructions)$/,
            );
        } else {
          expect(r.errors.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
