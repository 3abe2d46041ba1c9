// "Were tests touched for the source that changed?" by naming conventions across JS/TS, Python,
// Go, Java/Kotlin, Rust and Ruby. A test change covers a source file when their normalised stems
// agree (foo.ts ↔ foo.test.ts, foo.py ↔ test_foo.py, Foo.java ↔ FooTest.java, foo.go ↔ foo_test.go).
import type { DiffFile } from "../../diff/types.ts";
import type { TestFacts, UntestedSource } from "./types.ts";
import { infixInFileName } from "./risky.ts";

const SOURCE_EXT =
  /\.(c|cc|cpp|cs|cts|go|h|hpp|java|js|jsx|kt|kts|mjs|cjs|mts|php|py|rb|rs|scala|swift|ts|tsx|vue|svelte)$/i;

const TEST_PATH: Array<{ test(path: string): boolean }> = [
  /(^|\/)(__tests__|__test__|tests?|spec|specs|testing|e2e)\//i,
  // `.test.` inside the file name (`\.(test|spec|e2e)\.[^/]+$` was quadratic on paths).
  { test: (path: string) => infixInFileName(path, /\.(?:test|spec|e2e)\./i) },
  /(^|\/)test_[^/]+\.py$/i,
  /_test\.(py|go|rs|exs?)$/i,
  /_spec\.rb$/i,
  /(^|\/)src\/test\//,
  // JVM/.NET `FooTest.java`: an upper-case letter before `Test` in the same word (the regex
  // `[A-Z][A-Za-z0-9]*Tests?\.(java|kt|scala|cs)$` was quadratic on long words).
  {
    test: (path: string) =>
      /[A-Z]/.test(/(?:^|[^A-Za-z0-9])([A-Za-z0-9]*)Tests?\.(?:java|kt|scala|cs)$/.exec(path)?.[1] ?? ""),
  },
];

const NOT_SOURCE = [
  /(^|\/)(docs?|examples?|fixtures?|__mocks__|__fixtures__|scripts|bench|benchmarks?)\//i,
  /\.d\.ts$/i,
  /(^|\/)(vite|vitest|jest|webpack|rollup|babel|eslint|prettier|tsup|next|nuxt|svelte)\.config\.[^/]+$/i,
  /(^|\/)(setup|conftest|manage|__init__)\.py$/i,
  /(^|\/)(build\.rs|main\.go|main\.rs|mod\.rs|lib\.rs|index\.[cm]?[jt]sx?)$/i,
];

export function isTestPath(path: string): boolean {
  return TEST_PATH.some((re) => re.test(path));
}

export function isSourcePath(path: string): boolean {
  return SOURCE_EXT.test(path) && !isTestPath(path) && !NOT_SOURCE.some((re) => re.test(path));
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

function dirname(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "" : path.slice(0, i);
}

/** Lower-cased file name without extension and without test affixes. */
export function testStem(path: string): string {
  let name = basename(path);
  name = name.replace(/\.[^.]+$/, "");
  name = name.replace(/\.(test|spec|e2e|unit|int|integration)$/i, "");
  name = name.replace(/^test_/i, "").replace(/_(test|spec)$/i, "");
  name = name.replace(/(?<=[a-z0-9])(Tests?|Spec|IT)$/, "");
  return name.toLowerCase();
}

function joinPath(...parts: string[]): string {
  return parts.filter((p) => p !== "").join("/");
}

/** Where a test for `path` would conventionally live. Shown to the reader, not used for matching. */
export function expectedTestPaths(path: string): string[] {
  const dir = dirname(path);
  const name = basename(path);
  const dot = name.lastIndexOf(".");
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const ext = dot > 0 ? name.slice(dot + 1).toLowerCase() : "";
  const mirrored = dir.replace(/^(src|lib|app|pkg)(\/|$)/, "");
  switch (ext) {
    case "ts":
    case "tsx":
    case "js":
    case "jsx":
    case "mjs":
    case "cjs":
    case "mts":
    case "cts":
    case "vue":
    case "svelte":
      return [
        joinPath(dir, `${stem}.test.${ext}`),
        joinPath(dir, "__tests__", `${stem}.test.${ext}`),
        joinPath("test", mirrored, `${stem}.test.${ext}`),
      ];
    case "py":
      return [joinPath(dir, `test_${stem}.py`), joinPath("tests", mirrored, `test_${stem}.py`)];
    case "go":
      return [joinPath(dir, `${stem}_test.go`)];
    case "java":
    case "kt":
    case "scala": {
      const testDir = dir.replace(/(^|\/)src\/main\//, "$1src/test/");
      return [joinPath(testDir, `${stem}Test.${ext}`)];
    }
    case "rs":
      return [`${path} (#[cfg(test)] module)`, joinPath("tests", `${stem}.rs`)];
    case "rb":
      return [joinPath("spec", mirrored, `${stem}_spec.rb`), joinPath("test", mirrored, `${stem}_test.rb`)];
    default:
      return [joinPath(dir, `test_${stem}.${ext}`)];
  }
}

/** Rust keeps unit tests in the file itself: added `#[test]`/`#[cfg(test)]` lines count. */
function hasInlineTests(f: DiffFile): boolean {
  if (!f.path.endsWith(".rs")) return false;
  return f.hunks.some((h) => h.lines.some((l) => l.kind === "add" && /#\[(cfg\()?test\)?\]/.test(l.text)));
}

export function testFacts(files: DiffFile[]): TestFacts {
  const live = files.filter((f) => f.status !== "deleted");
  const sourceFiles = live.filter((f) => isSourcePath(f.path));
  const testFiles = files.filter((f) => isTestPath(f.path)).map((f) => f.path);
  const testStems = new Set(testFiles.map(testStem));
  const untested: UntestedSource[] = [];
  for (const f of sourceFiles) {
    if (testStems.has(testStem(f.path)) || hasInlineTests(f)) continue;
    untested.push({ file: f.path, expected: expectedTestPaths(f.path) });
  }
  return { sourceFiles: sourceFiles.map((f) => f.path), testFiles, untested };
}
