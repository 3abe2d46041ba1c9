// Regexes that src/ assembles at load time from constants cannot be checked by `npm run check:redos`
// (it reads the source); each one's `redos-ok` comment points here, where the assembled pattern is
// checked with the same settings (scripts/redos-verdict.mjs).
import { describe, expect, it } from "vitest";
import { RARE_RE } from "../../src/incidents/prefilter.ts";
import { PATH_RE } from "../../src/tools/issue-map/extract.ts";
import { COND_ACTION, IMPERATIVE } from "../../src/tools/issue-score/detect.ts";
import { closingFor } from "../../src/tools/pr-json/links.ts";

// The same verdict as `npm run check:redos`: recheck, with fuzz verdicts confirmed in V8.
const { verdict } = await import("../../scripts/redos-verdict.mjs");

describe("regexes assembled at load time are linear", () => {
  it.each([
    ["prefilter RARE_RE", RARE_RE],
    ["issue-map PATH_RE", PATH_RE],
    ["issue-score COND_ACTION", COND_ACTION],
    ["issue-score IMPERATIVE", IMPERATIVE],
    ["closing keywords on github.com", closingFor("https://github.com")],
    ["closing keywords on a GHES host", closingFor("https://ghe.example.com")],
  ])(
    "%s",
    async (_name, re) => {
      const v = await verdict(re.source, re.flags);
      expect(["safe", "not reproduced"], JSON.stringify(v)).toContain(v.status);
    },
    60_000,
  );
});
