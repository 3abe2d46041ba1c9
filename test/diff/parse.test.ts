import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseDiff, parsePatch } from "../../src/diff/parse.ts";
import type { DiffFile } from "../../src/diff/types.ts";
import { fixture } from "./helpers.ts";

function summary(files: DiffFile[]) {
  return files.map((f) => [
    f.status,
    f.oldPath,
    f.newPath,
    f.binary,
    f.additions,
    f.deletions,
    f.hunks.length,
  ]);
}

function consistent(f: DiffFile): void {
  for (const h of f.hunks) {
    const oldN = h.lines.filter((l) => l.kind !== "add").length;
    const newN = h.lines.filter((l) => l.kind !== "del").length;
    expect(oldN).toBe(h.oldLines);
    expect(newN).toBe(h.newLines);
    let o = h.oldStart;
    let n = h.newStart;
    for (const l of h.lines) {
      if (l.kind !== "add") expect(l.oldLine).toBe(o++);
      else expect(l.oldLine).toBeNull();
      if (l.kind !== "del") expect(l.newLine).toBe(n++);
      else expect(l.newLine).toBeNull();
    }
  }
}

describe("parseDiff on real git output", () => {
  it("reads a multi-file commit with hunks and line numbers", () => {
    const r = parseDiff(fixture("express-query-revalidation.diff"));
    expect(r.warnings).toEqual([]);
    expect(summary(r.files)).toEqual([
      ["modified", "History.md", "History.md", false, 10, 0, 1],
      ["modified", "lib/request.js", "lib/request.js", false, 2, 2, 1],
      ["modified", "test/req.fresh.js", "test/req.fresh.js", false, 38, 0, 2],
    ]);
    const h = r.files[1]!.hunks[0]!;
    expect(h.lines.find((l) => l.kind === "add")).toMatchObject({ kind: "add", oldLine: null });
    r.files.forEach(consistent);
  });

  it("reads renames without content changes", () => {
    const r = parseDiff(fixture("express-rename-only.diff"));
    expect(r.files.map((f) => [f.status, f.oldPath, f.path, f.similarity, f.hunks.length])).toEqual([
      ["renamed", "examples/pages/app.js", "examples/error-pages/app.js", 100, 0],
      ["renamed", "examples/pages/views/404.jade", "examples/error-pages/views/404.jade", 100, 0],
      ["renamed", "examples/pages/views/500.jade", "examples/error-pages/views/500.jade", 100, 0],
      ["renamed", "examples/pages/views/index.jade", "examples/error-pages/views/index.jade", 100, 0],
      ["renamed", "examples/pages/views/layout.jade", "examples/error-pages/views/layout.jade", 100, 0],
    ]);
    const one = parseDiff(fixture("flask-rename-one.diff")).files;
    expect(one.map((f) => [f.status, f.oldPath, f.newPath])).toEqual([
      ["renamed", "pre-commit.yaml", ".github/workflows/pre-commit.yaml"],
    ]);
  });

  it("marks 'Binary files differ' files binary", () => {
    const r = parseDiff(fixture("flask-binary-only.diff"));
    expect(r.files).toHaveLength(8);
    expect(r.files.every((f) => f.binary && f.hunks.length === 0 && f.status === "modified")).toBe(true);
    expect(r.files[0]!.path).toBe("docs/_static/debugger.png");
  });

  it("skips GIT binary patch data, reads quoted paths with octal escapes, modes and renames", () => {
    const r = parseDiff(fixture("scratch-binary-patch.diff"));
    expect(r.warnings).toEqual([]);
    const [bin, txt] = r.files;
    expect(bin).toMatchObject({ path: "logo.bin", binary: true, hunks: [] });
    expect(txt).toMatchObject({
      status: "renamed",
      oldPath: "a.txt",
      newPath: "sp ace é.txt",
      oldMode: "100644",
      newMode: "100755",
      similarity: 54,
      additions: 1,
      deletions: 0,
    });
    const last = txt!.hunks[0]!.lines.at(-1)!;
    expect(last).toMatchObject({ kind: "add", newLine: 2, text: "world", noNewlineAtEof: true });
  });

  it("reads a mode-only change", () => {
    const r = parseDiff(fixture("express-mode-change.diff"));
    expect(r.files).toEqual([
      expect.objectContaining({
        path: "bin/express",
        status: "modified",
        oldMode: "100644",
        newMode: "100755",
        hunks: [],
      }),
    ]);
  });

  it("flags only the file whose bytes are not UTF-8", () => {
    const r = parseDiff(fixture("invalid-utf8.diff"));
    expect(r.files.map((f) => [f.path, f.invalidUtf8 ?? false])).toEqual([
      ["History.md", false],
      ["lib/request.js", true],
      ["test/req.fresh.js", false],
    ]);
    expect(r.warnings).toEqual(["lib/request.js: not valid UTF-8; invalid bytes replaced with U+FFFD"]);
    const added = r.files[1]!.hunks[0]!.lines.find((l) => l.kind === "add")!;
    expect(added.text.endsWith("// caf\uFFFD")).toBe(true);
  });

  it("returns nothing for an empty diff", () => {
    expect(parseDiff(fixture("empty.diff"))).toEqual({ files: [], warnings: [] });
  });

  it("reads new and deleted files and /dev/null", () => {
    const text = [
      "diff --git a/new.txt b/new.txt",
      "new file mode 100644",
      "--- /dev/null",
      "+++ b/new.txt",
      "@@ -0,0 +1,2 @@",
      "+a",
      "+b",
      "diff --git a/old.txt b/old.txt",
      "deleted file mode 100644",
      "--- a/old.txt",
      "+++ /dev/null",
      "@@ -1 +0,0 @@",
      "-gone",
      "",
    ].join("\n");
    const r = parseDiff(text);
    expect(summary(r.files)).toEqual([
      ["added", null, "new.txt", false, 2, 0, 1],
      ["deleted", "old.txt", null, false, 0, 1, 1],
    ]);
    expect(r.files[1]!.path).toBe("old.txt");
  });

  it("reads plain unified diffs without a diff --git line, and repairs short hunks with a warning", () => {
    const text = "--- a/x.c\t2020-01-01\n+++ b/x.c\t2020-01-02\n@@ -1,3 +1,3 @@\n a\n-b\n+c\n";
    const r = parseDiff(text);
    expect(r.files[0]).toMatchObject({ path: "x.c", additions: 1, deletions: 1 });
    expect(r.files[0]!.hunks[0]).toMatchObject({ oldLines: 2, newLines: 2 });
    expect(r.warnings[0]).toContain("ends early");
  });

  it("never throws and keeps line numbers consistent on arbitrary input (fuzz)", () => {
    const line = fc.oneof(
      fc.constantFrom(
        "diff --git a/f b/f",
        "--- a/f",
        "+++ b/f",
        "@@ -1,2 +1,3 @@",
        "@@ -0,0 +1 @@ x",
        "\\ No newline at end of file",
        "Binary files a/f and b/f differ",
        "GIT binary patch",
        "rename from x",
        'rename to "y\\303"',
        "new file mode 100644",
        "",
        " ctx",
        "+add",
        "-del",
      ),
      fc.string({ maxLength: 20 }),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 60 }), fc.uint8Array({ maxLength: 40 }), (lines, junk) => {
        const text = lines.join("\n");
        for (const input of [text, Buffer.concat([Buffer.from(text), Buffer.from(junk)])]) {
          const r = parseDiff(input);
          r.files.forEach(consistent);
          for (const f of r.files) expect(f.path).toBe(f.newPath ?? f.oldPath);
        }
      }),
      { numRuns: 400 },
    );
  });
});

describe("parsePatch (GitHub pulls.listFiles)", () => {
  it("parses a patch and maps GitHub statuses", () => {
    const f = parsePatch({
      filename: "src/b.ts",
      previous_filename: "src/a.ts",
      status: "renamed",
      patch: "@@ -1,2 +1,2 @@\n keep\n-old\n+new",
    });
    expect(f).toMatchObject({
      oldPath: "src/a.ts",
      newPath: "src/b.ts",
      status: "renamed",
      additions: 1,
      deletions: 1,
      warnings: [],
    });
    expect(parsePatch({ filename: "x", status: "removed", patch: "@@ -1 +0,0 @@\n-x" })).toMatchObject({
      status: "deleted",
      newPath: null,
      path: "x",
    });
  });

  it("treats a missing patch as binary (no changes) or too large (changes)", () => {
    expect(parsePatch({ filename: "a.png", status: "added", additions: 0, deletions: 0 })).toMatchObject({
      binary: true,
      patchMissing: true,
    });
    expect(
      parsePatch({ filename: "big.sql", status: "modified", additions: 90000, deletions: 0 }),
    ).toMatchObject({ binary: false, patchMissing: true, additions: 90000 });
    expect(parsePatch({ filename: "b", previous_filename: "a", status: "renamed" })).toMatchObject({
      binary: false,
      status: "renamed",
      oldPath: "a",
    });
  });
});
