import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_FIELD_CHARS, isSpecialTerm, stem, tokenize } from "../../src/search/tokenize.ts";

describe("tokenize", () => {
  it("keeps a Java stack frame's class, method and file, whole and split", () => {
    expect(
      tokenize("java.lang.NullPointerException: at org.apache.hadoop.fs.FileSystem.get(FileSystem.java:123)"),
    ).toEqual([
      "java",
      "lang",
      "nullpointerexception",
      "null",
      "pointer",
      "exception",
      "filesystem.get",
      "fs",
      "filesystem",
      "file",
      "system",
      "filesystem.java",
      "filesystem",
      "file",
      "system",
    ]);
  });

  it("splits snake_case and keeps the whole identifier", () => {
    expect(tokenize("the dfs_client_socket_timeout is ignored")).toEqual([
      "dfs_client_socket_timeout",
      "dfs",
      "client",
      "socket",
      "timeout",
      "ignor",
    ]);
  });

  it("keeps a JS error type and the file of its frame", () => {
    expect(tokenize("TypeError: x at renderList (src/components/List.tsx:42:13)")).toEqual([
      "typeerror",
      "type",
      "error",
      "renderlist",
      "render",
      "list",
      "list.tsx",
      "list",
    ]);
  });

  it("keeps versions whole and as major.minor, drops bare numbers", () => {
    expect(tokenize("Upgrade to Hadoop 3.3.0 (build 12345) and v2.9.2-rc1")).toEqual([
      "upgrade",
      "hadoop",
      "3.3.0",
      "3.3",
      "build",
      "2.9.2-rc1",
      "2.9",
    ]);
  });

  it("drops stop words and bug-template words", () => {
    expect(tokenize("Steps to reproduce: open the settings page. Expected results: it works")).toEqual([
      "open",
      "setting",
      "page",
      "work",
    ]);
  });

  it("ignores HTML tags, entities, comments and URLs", () => {
    expect(tokenize("<div><br/>&nbsp;</div><!-- hidden --> https://example.com/a/b")).toEqual([]);
    expect(tokenize("<p>Editor <b>crashes</b></p>")).toEqual(["editor", "crash"]);
  });

  it("reads at most MAX_FIELD_CHARS of a 1 MB body", () => {
    const body = "overflow ".repeat(120_000);
    const tokens = tokenize(body);
    expect(body.length).toBeGreaterThan(1_000_000);
    expect(tokens.length).toBe(Math.ceil(MAX_FIELD_CHARS / 9));
  });

  it("returns no tokens for empty text", () => {
    expect(tokenize("")).toEqual([]);
  });

  it("never yields empty tokens or tokens with whitespace (fuzz)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (s) => {
        for (const t of tokenize(s)) expect(t).toMatch(/^\S+$/);
      }),
      { numRuns: 300 },
    );
  });

  it("stems prose but leaves short words", () => {
    expect([stem("crashes"), stem("loading"), stem("properties"), stem("class"), stem("bus")]).toEqual([
      "crash",
      "load",
      "property",
      "class",
      "bus",
    ]);
  });

  it("marks identifier-like terms as special", () => {
    expect(
      ["filesystem.get", "dfs_client", "3.3.0", "nullpointerexception", "typeerror", "editor"].map(
        isSpecialTerm,
      ),
    ).toEqual([true, true, true, true, true, false]);
  });
});
