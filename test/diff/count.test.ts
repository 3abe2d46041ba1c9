import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { makeCounter } from "../../src/diff/count.ts";
import { parseDiff } from "../../src/diff/parse.ts";
import { renderFile } from "../../src/diff/render.ts";
import { countTokens } from "../../src/llm/tokens.ts";
import { fixture } from "./helpers.ts";

// Characters where the o200k split pattern has edge cases: contractions, CR/LF, "/", other
// whitespace, digits, case changes, and non-ASCII letters, marks, symbols and lone surrogates.
const EDGY = [..." \t\n\r\v\f'sStTdDmMlLrReEvV/aZq09(){};:.,_-#@!\"\u0000é É…�ß\u00a0\u0301ж中😀", "\ud800"];

describe("makeCounter", () => {
  it("equals countTokens on every file section of the real diffs", () => {
    const count = makeCounter();
    for (const name of [
      "real/ky-v1.14.3..v2.0.0.diff.gz",
      "real/flask-2.3.0..3.0.0.diff.gz",
      "invalid-utf8.diff",
    ]) {
      for (const f of parseDiff(fixture(name)).files) {
        const text = renderFile(f);
        expect(count(text)).toBe(countTokens(text));
      }
    }
  });

  it("equals countTokens on arbitrary text (property)", () => {
    const count = makeCounter();
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...EDGY), { maxLength: 60 }), fc.string(), (chars, s) => {
        const text = chars.join("") + s;
        expect(count(text)).toBe(countTokens(text));
      }),
      { numRuns: 3_000 },
    );
  });

  it("adds up across file sections (the packer sums them)", () => {
    const count = makeCounter();
    const sections = parseDiff(fixture("real/cobra-v1.8.0..v1.10.0.diff.gz")).files.map((f) => renderFile(f));
    expect(sections.reduce((n, s) => n + count(s), 0)).toBe(countTokens(sections.join("")));
  });
});
