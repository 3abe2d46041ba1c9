import { describe, expect, it } from "vitest";
import { describeRanges, hunkRange, trimContext } from "../../src/diff/compact.ts";
import { parseDiff } from "../../src/diff/parse.ts";
import { renderHunk } from "../../src/diff/render.ts";
import { fixture } from "./helpers.ts";

const express = parseDiff(fixture("express-query-revalidation.diff")).files;

describe("trimContext", () => {
  it("keeps N context lines around changes with headers that match the lines", () => {
    const req = express.find((f) => f.path === "lib/request.js")!;
    const t = trimContext(req, 1);
    expect(t.hunks.map(renderHunk)).toEqual([
      [
        "@@ -473,4 +473,4 @@ defineGetter(req, 'fresh', function(){",
        "  473  ",
        "      -  // GET or HEAD for weak freshness validation only",
        "      -  if ('GET' !== method && 'HEAD' !== method) return false;",
        "  474 +  // GET, HEAD, or QUERY for weak freshness validation only",
        "  475 +  if ('GET' !== method && 'HEAD' !== method && 'QUERY' !== method) return false;",
        "  476  ",
      ].join("\n"),
    ]);
    expect(trimContext(req, 3)).toBe(req);
  });

  it("splits a hunk where the kept context no longer meets, and names ranges", () => {
    const hist = express.find((f) => f.path === "History.md")!;
    for (const f of parseDiff(fixture("real/cobra-v1.8.0..v1.10.0.diff.gz")).files) {
      for (const h of trimContext(f, 0).hunks) {
        expect(h.lines.filter((l) => l.kind !== "add")).toHaveLength(h.oldLines);
        expect(h.lines.filter((l) => l.kind !== "del")).toHaveLength(h.newLines);
        expect(h.lines.every((l) => l.kind !== "ctx")).toBe(true);
        const firstNew = h.lines.find((l) => l.newLine !== null);
        if (firstNew) expect(firstNew.newLine).toBe(h.newStart);
      }
    }
    expect(hunkRange(hist.hunks[0]!)).toEqual({ side: "new", start: 9, end: 24 });
    expect(
      describeRanges(
        [
          { side: "new", start: 3, end: 9 },
          { side: "old", start: 5, end: 5 },
          { side: "new", start: 20, end: 21 },
        ],
        2,
      ),
    ).toBe("lines 3–9, old line 5 (+1 more)");
  });
});
