import { describe, expect, it } from "vitest";
import { compressFile, extendFile } from "../../src/diff/extend.ts";
import { parseDiff } from "../../src/diff/parse.ts";
import { renderHunk } from "../../src/diff/render.ts";

const content = Array.from({ length: 40 }, (_, i) => `line ${i + 1}`);
content[19] = "function target() {"; // line 20
content[29] = "changed 30";
const newText = content.join("\n") + "\n";

const diff = parseDiff(
  [
    "diff --git a/src/x.ts b/src/x.ts",
    "--- a/src/x.ts",
    "+++ b/src/x.ts",
    "@@ -27,7 +27,7 @@",
    " line 27",
    " line 28",
    " line 29",
    "-old 30",
    "+changed 30",
    " line 31",
    " line 32",
    " line 33",
    "@@ -38,2 +37,0 @@",
    "-gone 38",
    "-gone 39",
    "",
  ].join("\n"),
).files[0]!;

describe("extendFile", () => {
  it("leaves files alone without content", () => {
    expect(extendFile(diff)).toBe(diff);
  });

  it("extends back to the enclosing function header and one line after, keeping numbering", () => {
    const ext = extendFile(diff, {
      getContent: (p, side) => (p === "src/x.ts" && side === "new" ? newText : null),
    });
    // The deletion-only hunk (after new line 37) gets 3 lines before and touches the first hunk's
    // extension, so the two merge into one hunk.
    expect(ext.hunks).toHaveLength(1);
    const h = ext.hunks[0]!;
    expect([h.oldStart, h.oldLines, h.newStart, h.newLines]).toEqual([20, 21, 20, 19]);
    expect(h.lines[0]).toEqual({ kind: "ctx", oldLine: 20, newLine: 20, text: "function target() {" });
    expect(h.lines.at(-1)).toEqual({ kind: "ctx", oldLine: 40, newLine: 38, text: "line 38" });
    expect(renderHunk(h).split("\n").slice(-6)).toEqual([
      "   35  line 35",
      "   36  line 36",
      "   37  line 37",
      "      -gone 38",
      "      -gone 39",
      "   38  line 38",
    ]);
  });

  it("uses 5 lines of context without a header nearby, and skips files whose content does not match", () => {
    const plain = newText.replace("function target() {", "line 20");
    const ext = extendFile(diff, { getContent: () => plain });
    expect(ext.hunks[0]!.newStart).toBe(22);
    expect(extendFile(diff, { getContent: () => "other\n" })).toBe(diff);
  });
});

describe("compressFile", () => {
  it("drops deletion-only hunks and the content of deleted files", () => {
    expect(compressFile(diff).hunks.map((h) => h.newStart)).toEqual([27]);
    const del = parseDiff(
      "diff --git a/a b/a\ndeleted file mode 100644\n--- a/a\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n",
    ).files[0]!;
    expect(compressFile(del).hunks).toEqual([]);
  });
});
