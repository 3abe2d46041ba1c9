import { liveConstructs } from "../../helpers/markdown-oracle.ts";
import { describe, expect, it } from "vitest";
import type { SimilarHit } from "../../../src/tools/similar/find.ts";
import { renderSimilarComment } from "../../../src/tools/similar/render.ts";

const hit = (number: number, score: number, extra: Partial<SimilarHit> = {}): SimilarHit => ({
  number,
  title: `Title ${number}`,
  kind: "issue",
  score,
  closedBy: [],
  shared: [],
  ...extra,
});

describe("renderSimilarComment", () => {
  it("renders duplicates and related separately with scores and fixing PRs", () => {
    const md = renderSimilarComment(
      {
        duplicates: [hit(12, 0.81, { closedBy: [40, 41] })],
        related: [hit(7, 0.456, { kind: "pr", title: "Fix *all* the `things`" })],
      },
      { duplicateLabel: "possible-duplicate" },
    );
    expect(md).toBe(
      [
        "<!-- steward:similar -->",
        "### Possible duplicates",
        "",
        "- #12 Title 12 (similarity 0.81)",
        "  - possibly fixed by #40, #41",
        "",
        "If one of these is the same problem, please add details there and close this issue. Steward never closes issues itself; it added the `possible-duplicate` label.",
        "",
        "### Related",
        "",
        "- PR #7 Fix \\*all\\* the \\`things\\` (similarity 0.46)",
        "",
        "<sub>Similarity is 0–1 from text overlap (titles, bodies, identifiers, error types).</sub>",
      ].join("\n"),
    );
  });

  it("shows at most 5 results in total", () => {
    const md =
      renderSimilarComment({
        duplicates: [1, 2, 3].map((n) => hit(n, 0.9)),
        related: [4, 5, 6, 7].map((n) => hit(n, 0.4)),
      }) ?? "";
    expect(md.match(/^- #/gm)?.length).toBe(5);
    expect(md).toContain("#5 Title 5");
    expect(md).not.toContain("#6");
  });

  it("omits the duplicates section when there are none and returns null when nothing qualifies", () => {
    const md = renderSimilarComment({ duplicates: [], related: [hit(3, 0.35)] }) ?? "";
    expect(md).not.toContain("Possible duplicates");
    expect(md).toContain("### Related\n\n- #3 Title 3 (similarity 0.35)");
    expect(renderSimilarComment({ duplicates: [], related: [] })).toBeNull();
  });
});

describe("mentions in titles", () => {
  it("never @-mentions anyone from Steward's comment", () => {
    const body = renderSimilarComment({
      duplicates: [],
      related: [
        {
          number: 4,
          title: "Ping @octocat and @org/team here",
          kind: "issue",
          state: "open",
          score: 0.4,
          closedBy: [],
          shared: [],
        },
      ],
    });
    // Shown in code spans, where GitHub notifies no one; the independent parser finds no mention.
    expect(body).toContain("Ping `@octocat` and `@org/team` here");
    expect(liveConstructs(body!).mentions).toEqual([]);
  });
});
