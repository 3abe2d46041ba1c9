import { describe, expect, it } from "vitest";
import { countTokens, countTokensWithin, estimateTokens } from "../../src/llm/tokens.ts";

describe("tokens", () => {
  it("counts o200k_base tokens exactly and treats special tokens as text", () => {
    expect(countTokens("")).toBe(0);
    expect(countTokens("hello world")).toBe(2);
    expect(countTokens("a <|endoftext|> b")).toBe(9);
  });

  it("stops at a limit and bounds from above by bytes", () => {
    expect(countTokensWithin("hello world", 2)).toBe(2);
    expect(countTokensWithin("hello world foo", 2)).toBe(false);
    expect(countTokensWithin("x", -1)).toBe(false);
    for (const s of ["héllo wörld", "const x = 1;\n", "🙂🙂🙂", "  \n\t"]) {
      expect(estimateTokens(s)).toBeGreaterThanOrEqual(countTokens(s));
    }
  });
});
