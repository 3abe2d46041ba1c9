// Each hand-written helper in src/linear-text.ts against the super-linear regex it replaced, on short
// random strings where the regex is still fast; and each at 100,000 hostile characters, where it was not.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  joinLines,
  removeBracketed,
  stripAsAlias,
  stripHtmlComments,
  trimEndChar,
  trimEndSpaceTab,
} from "../src/linear-text.ts";

const strings = (alphabet: string[], maxLength = 14) =>
  fc.array(fc.constantFrom(...alphabet), { maxLength }).map((a) => a.join(""));

const cases: Array<[string, (s: string) => string, (s: string) => string, string[], string]> = [
  ["trimEndSpaceTab", trimEndSpaceTab, (s) => s.replace(/[ \t]+$/, ""), [" ", "\t", "a", "\n"], "\t"],
  ["trimEndChar", (s) => trimEndChar(s, "/"), (s) => s.replace(/\/+$/, ""), ["/", "a", ":"], "/"],
  ["joinLines", joinLines, (s) => s.replace(/\s*\n\s*/g, " "), [" ", "\t", "\n", "a", "\r", "\u00a0"], "\t"],
  [
    "stripHtmlComments",
    stripHtmlComments,
    (s) => s.replace(/<!--[\s\S]*?-->/g, ""),
    ["<!--", "-->", "<", "!", "-", ">", "a", "\n"],
    "<!--",
  ],
  ["removeBracketed", removeBracketed, (s) => s.replace(/\[[^\]]*\]/g, ""), ["[", "]", "a", " "], "["],
  [
    "stripAsAlias any",
    (s) => stripAsAlias(s, "any"),
    (s) => s.replace(/\s*\[as [^\]]*\]$/, ""),
    ["[as ", "[", "]", " ", "a", "\t"],
    " [as ",
  ],
  [
    "stripAsAlias one",
    (s) => stripAsAlias(s, "one"),
    (s) => s.replace(/ \[as [^\]]*\]$/, ""),
    ["[as ", "[", "]", " ", "a"],
    " [as ",
  ],
];

describe("linear-text helpers", () => {
  for (const [name, fn, oracle, alphabet] of cases) {
    it(`${name} gives what its regex gave`, () => {
      fc.assert(
        fc.property(strings(alphabet), (s) => {
          expect(fn(s)).toBe(oracle(s));
        }),
        { numRuns: 3000 },
      );
    });
  }

  for (const [name, fn, , , unit] of cases) {
    it(`${name} takes linear time on 100,000 hostile characters`, () => {
      const hostile = unit.repeat(Math.ceil(100_000 / unit.length)) + "\u0000x";
      const t0 = performance.now();
      fn(hostile);
      // The regexes took seconds here; one pass takes about a millisecond.
      expect(performance.now() - t0).toBeLessThan(250);
    });
  }
});
