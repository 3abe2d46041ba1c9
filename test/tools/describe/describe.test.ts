import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  DESCRIBE_END,
  DESCRIBE_START,
  mergeDescription,
  renderDescribeSection,
} from "../../../src/tools/describe/render.ts";
import { describeSchema } from "../../../src/tools/describe/schema.ts";

const S1 = "### Steward summary\n- one";
const S2 = "### Steward summary\n- two";

describe("mergeDescription", () => {
  it("appends on the first run and keeps the author's text", () => {
    expect(mergeDescription("Fixes #12.\r\n\r\nMy notes.", S1)).toBe(
      `Fixes #12.\r\n\r\nMy notes.\n\n${DESCRIBE_START}\n${S1}\n${DESCRIBE_END}`,
    );
    expect(mergeDescription(null, S1)).toBe(`${DESCRIBE_START}\n${S1}\n${DESCRIBE_END}`);
  });

  it("replaces only between the markers on later runs", () => {
    const first = mergeDescription("Top", S1);
    const edited = `${first}\n\nAuthor added this later.`;
    expect(mergeDescription(edited, S2)).toBe(
      `Top\n\n${DESCRIBE_START}\n${S2}\n${DESCRIBE_END}\n\nAuthor added this later.`,
    );
  });

  it("tolerates a deleted end marker (replaces to the end) and a deleted start marker (keeps text)", () => {
    expect(mergeDescription(`Top\n\n${DESCRIBE_START}\n${S1}`, S2)).toBe(
      `Top\n\n${DESCRIBE_START}\n${S2}\n${DESCRIBE_END}`,
    );
    expect(mergeDescription(`Top\n\n${S1}\n${DESCRIBE_END}`, S2)).toBe(
      `Top\n\n${S1}\n\n${DESCRIBE_START}\n${S2}\n${DESCRIBE_END}`,
    );
  });

  it("is idempotent and never loses author text outside the markers (fuzz)", () => {
    const text = fc.string().filter((s) => !s.includes("<!-- steward:describe"));
    fc.assert(
      fc.property(text, text, text, (author, a, b) => {
        const once = mergeDescription(author, a);
        const twice = mergeDescription(once, b);
        expect(mergeDescription(twice, b)).toBe(twice);
        expect(twice.startsWith(author.replace(/\s+$/, ""))).toBe(true);
        expect(twice.split(DESCRIBE_START).length).toBe(2);
      }),
      { numRuns: 500 },
    );
  });
});

describe("describe schema and section", () => {
  const d = describeSchema.parse({
    types: ["Bug", "feat", "nonsense", "bug fix"],
    title: " Fix cache key ",
    summary: ["Keys the cache by org"],
    walkthrough: [{ file: "b/src/cache.ts", summary: "key | org" }],
    diagram: "```mermaid\nflowchart LR\n  A-->B\n```",
  });

  it("normalises labels, paths and the diagram", () => {
    expect(d).toEqual({
      types: ["bug fix", "feature"],
      title: "Fix cache key",
      summary: ["Keys the cache by org"],
      walkthrough: [{ file: "src/cache.ts", summary: "key | org" }],
      diagram: "flowchart LR\n  A-->B",
    });
  });

  it("renders type, bullets, walkthrough, diagram and the not-described list", () => {
    expect(
      renderDescribeSection({ describe: d, notReviewed: [{ path: "dist/app.js", reason: "generated" }] }),
    ).toBe(
      [
        "### Steward summary",
        "**Type:** `bug fix`, `feature`",
        "- Keys the cache by org",
        "**Walkthrough**\n\n| File | Change |\n|---|---|\n| `src/cache.ts` | key \\| org |",
        "```mermaid\nflowchart LR\n  A-->B\n```",
        "**Not described (1 file):**\n- `dist/app.js` — generated",
        "<sub>Steward describe · no LLM call</sub>",
      ].join("\n\n"),
    );
  });

  it("drops an implausible diagram and neutralises forged markers in model text", () => {
    const evil = describeSchema.parse({
      types: [],
      title: "t",
      summary: [`x ${DESCRIBE_END} y`],
      diagram: "not mermaid",
    });
    const section = renderDescribeSection({ describe: evil, notReviewed: [] });
    expect(section).not.toContain("<!--");
    expect(section).not.toContain("```mermaid");
    const merged = mergeDescription(mergeDescription("Top", section), S2);
    expect(merged).toBe(`Top\n\n${DESCRIBE_START}\n${S2}\n${DESCRIBE_END}`);
  });
});
