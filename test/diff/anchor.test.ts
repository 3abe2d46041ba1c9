import { describe, expect, it } from "vitest";
import { anchorableRanges, canAnchor } from "../../src/diff/anchor.ts";
import { parseDiff } from "../../src/diff/parse.ts";

// Hunk 1: old 10-13 / new 10-14 (ctx 10, del old 11, add new 11-12, ctx 12/13, ctx 13/14)
// Hunk 2: old 30-31 / new 31-33 (ctx 30/31, add 32, add 33? no: ctx 31/32, add 33)
const diff = parseDiff(
  [
    "diff --git a/src/a.ts b/src/a.ts",
    "--- a/src/a.ts",
    "+++ b/src/a.ts",
    "@@ -10,4 +10,5 @@ function f() {",
    " ten",
    "-eleven",
    "+eleven!",
    "+eleven and a half",
    " twelve",
    " thirteen",
    "@@ -30,2 +31,3 @@",
    " thirty",
    " thirty-one",
    "+new",
    "diff --git a/gone.ts b/gone.ts",
    "deleted file mode 100644",
    "--- a/gone.ts",
    "+++ /dev/null",
    "@@ -1,2 +0,0 @@",
    "-x",
    "-y",
    "diff --git a/img.png b/img.png",
    "Binary files a/img.png and b/img.png differ",
    "diff --git a/old.ts b/new.ts",
    "similarity index 100%",
    "rename from old.ts",
    "rename to new.ts",
    "",
  ].join("\n"),
).files;

const ok = { ok: true };
const A = (o: Partial<Parameters<typeof canAnchor>[1]>) =>
  canAnchor(diff, { path: "src/a.ts", side: "RIGHT", line: 11, ...o });

describe("canAnchor", () => {
  it("accepts added and context lines on RIGHT, deleted and context lines on LEFT", () => {
    for (const line of [10, 11, 12, 13, 14, 31, 32, 33]) expect(A({ line })).toEqual(ok);
    for (const line of [10, 11, 12, 13, 30, 31]) expect(A({ side: "LEFT", line })).toEqual(ok);
  });

  it("rejects lines outside the hunks with a reason naming the line", () => {
    expect(A({ line: 15 })).toEqual({
      ok: false,
      reason:
        "src/a.ts:15 (RIGHT) is not an added or unchanged line of the new file inside a hunk of the diff",
    });
    expect(A({ line: 9 }).ok).toBe(false);
    expect(A({ side: "LEFT", line: 14 })).toEqual({
      ok: false,
      reason:
        "src/a.ts:14 (LEFT) is not a deleted or unchanged line of the old file inside a hunk of the diff",
    });
    expect(A({ line: 0 })).toEqual({ ok: false, reason: "line 0 is not a line number" });
  });

  it("checks ranges: order, same hunk, start_side", () => {
    expect(A({ start_line: 10, line: 14 })).toEqual(ok);
    expect(A({ start_line: 13, line: 11 })).toEqual({ ok: false, reason: "start_line 13 is after line 11" });
    expect(A({ start_line: 12, line: 32 })).toEqual({
      ok: false,
      reason: "lines 12–32 span two hunks; a range must stay inside one hunk",
    });
    expect(A({ start_line: 11, line: 11 }).ok).toBe(false);
    expect(A({ start_line: 11, start_side: "LEFT", line: 12 })).toEqual(ok);
    expect(A({ start_line: 13, start_side: "LEFT", line: 11 })).toEqual({
      ok: false,
      reason: "start (LEFT 13) comes after the end (RIGHT 11) in the hunk",
    });
    expect(A({ start_side: "LEFT" })).toEqual({ ok: false, reason: "start_side given without start_line" });
    expect(A({ start_line: 5, line: 12 })).toEqual({
      ok: false,
      reason:
        "src/a.ts:5 (RIGHT) is not an added or unchanged line of the new file inside a hunk of the diff",
    });
  });

  it("rejects unknown, binary, rename-only and deleted-RIGHT anchors", () => {
    expect(canAnchor(diff, { path: "nope.ts", side: "RIGHT", line: 1 })).toEqual({
      ok: false,
      reason: "nope.ts is not part of this diff",
    });
    expect(canAnchor(diff, { path: "img.png", side: "RIGHT", line: 1 })).toEqual({
      ok: false,
      reason: "img.png is binary; GitHub cannot take line comments on it",
    });
    expect(canAnchor(diff, { path: "new.ts", side: "RIGHT", line: 1 })).toEqual({
      ok: false,
      reason: "new.ts has no changed lines to comment on",
    });
    expect(canAnchor(diff, { path: "gone.ts", side: "RIGHT", line: 1 })).toEqual({
      ok: false,
      reason: "gone.ts was deleted; only LEFT (old) lines can be commented on",
    });
    expect(canAnchor(diff, { path: "gone.ts", side: "LEFT", line: 2, start_line: 1 })).toEqual(ok);
  });
});

describe("anchorableRanges", () => {
  it("lists per-hunk ranges per side", () => {
    expect(anchorableRanges(diff[0]!)).toEqual([
      { side: "RIGHT", hunk: 0, start: 10, end: 14 },
      { side: "LEFT", hunk: 0, start: 10, end: 13 },
      { side: "RIGHT", hunk: 1, start: 31, end: 33 },
      { side: "LEFT", hunk: 1, start: 30, end: 31 },
    ]);
    expect(anchorableRanges(diff[2]!)).toEqual([]);
  });
});
