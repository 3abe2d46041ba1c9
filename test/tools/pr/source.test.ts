import { describe, expect, it } from "vitest";
import { parsePullFiles } from "../../../src/tools/pr/source.ts";

describe("parsePullFiles", () => {
  it("flags a patch GitHub decoded with U+FFFD as not valid UTF-8, with a warning", () => {
    const { files, warnings } = parsePullFiles([
      {
        filename: "lib/greet.js",
        status: "modified",
        patch: "@@ -1,2 +1,2 @@\n // caf\uFFFD\n-var a = 1;\n+var a = 2;",
        additions: 1,
        deletions: 1,
      },
      { filename: "lib/ok.js", status: "modified", patch: "@@ -1 +1 @@\n-é\n+è", additions: 1, deletions: 1 },
    ]);
    expect(files.map((f) => [f.path, f.invalidUtf8 === true])).toEqual([
      ["lib/greet.js", true],
      ["lib/ok.js", false],
    ]);
    expect(files[0]!.hunks[0]!.lines.map((l) => l.text)).toEqual([
      "// caf\uFFFD",
      "var a = 1;",
      "var a = 2;",
    ]);
    expect(warnings).toEqual(["lib/greet.js: not valid UTF-8; invalid bytes replaced with U+FFFD"]);
  });
});
