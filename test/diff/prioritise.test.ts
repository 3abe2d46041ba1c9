import { describe, expect, it } from "vitest";
import { classify, mainExtensions, prioritise } from "../../src/diff/prioritise.ts";
import type { DiffFile } from "../../src/diff/types.ts";

const f = (path: string, size: number): DiffFile => ({
  oldPath: path,
  newPath: path,
  path,
  status: "modified",
  binary: false,
  hunks: [],
  additions: size,
  deletions: 0,
});

describe("prioritise", () => {
  it("orders main-language source, then tests, then the rest, largest first", () => {
    const files = [
      f("README.md", 500),
      f("test/a.test.ts", 50),
      f("src/small.ts", 5),
      f("src/big.ts", 90),
      f("tools/x.py", 300),
      f("src/b_test.go", 7),
    ];
    const order = prioritise(files, { languages: { TypeScript: 90_000, Python: 2_000 } }).map((x) => x.path);
    expect(order).toEqual([
      "src/big.ts",
      "src/small.ts",
      "test/a.test.ts",
      "src/b_test.go",
      "README.md",
      "tools/x.py",
    ]);
  });

  it("treats every known language as main without language data", () => {
    expect(prioritise([f("a.md", 9), f("b.py", 1)]).map((x) => x.path)).toEqual(["b.py", "a.md"]);
    expect(classify("tests/test_app.py", mainExtensions())).toBe("test");
    expect([...mainExtensions({ Go: 10, Shell: 1 })]).toEqual(["go"]);
  });
});
