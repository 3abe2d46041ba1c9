import { describe, expect, it } from "vitest";
import { parseDiff } from "../../../src/diff/parse.ts";
import {
  expectedTestPaths,
  isSourcePath,
  isTestPath,
  testFacts,
  testStem,
} from "../../../src/tools/pr-facts/tests.ts";

function fileDiff(path: string, added: string[] = ["x"]): string {
  return `diff --git a/${path} b/${path}
--- a/${path}
+++ b/${path}
@@ -1,1 +1,${added.length + 1} @@
 first
${added.map((l) => `+${l}`).join("\n")}
`;
}

describe("test conventions", () => {
  it.each([
    ["src/a/foo.test.ts", true],
    ["src/a/__tests__/foo.ts", true],
    ["pkg/store/store_test.go", true],
    ["app/tests/test_views.py", true],
    ["app/views_test.py", true],
    ["src/test/java/com/acme/FooTest.java", true],
    ["spec/models/user_spec.rb", true],
    ["src/a/foo.ts", false],
    ["src/contest.py", false],
  ])("isTestPath(%s) = %s", (path, want) => {
    expect(isTestPath(path)).toBe(want);
  });

  it.each([
    ["src/a/foo.ts", true],
    ["README.md", false],
    ["src/types.d.ts", false],
    ["docs/example.py", false],
    ["vitest.config.ts", false],
    ["src/index.ts", false],
  ])("isSourcePath(%s) = %s", (path, want) => {
    expect(isSourcePath(path)).toBe(want);
  });

  it.each([
    ["src/a/foo.test.ts", "foo"],
    ["tests/test_views.py", "views"],
    ["pkg/store_test.go", "store"],
    ["src/test/java/FooServiceTest.java", "fooservice"],
    ["src/test/java/FooServiceTests.java", "fooservice"],
    ["spec/user_spec.rb", "user"],
    ["src/a/Foo.tsx", "foo"],
  ])("testStem(%s) = %s", (path, want) => {
    expect(testStem(path)).toBe(want);
  });

  it("proposes conventional test locations per language", () => {
    expect(expectedTestPaths("app/models/user.py")).toEqual([
      "app/models/test_user.py",
      "tests/models/test_user.py",
    ]);
    expect(expectedTestPaths("pkg/store/store.go")).toEqual(["pkg/store/store_test.go"]);
    expect(expectedTestPaths("src/main/java/com/acme/Foo.java")).toEqual([
      "src/test/java/com/acme/FooTest.java",
    ]);
    expect(expectedTestPaths("src/parser.rs")).toEqual([
      "src/parser.rs (#[cfg(test)] module)",
      "tests/parser.rs",
    ]);
    expect(expectedTestPaths("lib/acme/client.rb")).toEqual([
      "spec/acme/client_spec.rb",
      "test/acme/client_test.rb",
    ]);
  });
});

describe("testFacts", () => {
  it("pairs sources and tests across languages", () => {
    const diff = [
      fileDiff("pkg/store/store.go"),
      fileDiff("pkg/store/store_test.go"),
      fileDiff("app/views.py"),
      fileDiff("tests/test_views.py"),
      fileDiff("src/main/java/com/acme/Billing.java"),
      fileDiff("src/lexer.rs", ["#[cfg(test)]", "mod tests {}"]),
      fileDiff("src/parser.rs"),
    ].join("");
    const t = testFacts(parseDiff(diff).files);
    expect(t.testFiles).toEqual(["pkg/store/store_test.go", "tests/test_views.py"]);
    expect(t.untested.map((u) => u.file)).toEqual(["src/main/java/com/acme/Billing.java", "src/parser.rs"]);
  });
});
