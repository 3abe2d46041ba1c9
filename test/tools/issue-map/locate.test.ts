import { describe, expect, it } from "vitest";
import { codeTokens, locateFiles } from "../../../src/tools/issue-map/locate.ts";

const TREE = [
  "README.md",
  "src/cli.ts",
  "src/config/load.ts",
  "src/config/schema.ts",
  "src/server/app.ts",
  "src/server/routes/users.ts",
  "test/config/load.test.ts",
];

describe("codeTokens", () => {
  it("splits paths and identifiers into lowercase words", () => {
    expect(codeTokens("src/userStore.ts HTTPServer max_connections")).toEqual([
      "src",
      "user",
      "store",
      "ts",
      "http",
      "server",
      "max",
      "connections",
    ]);
  });
});

describe("locateFiles", () => {
  it("ranks a named path first, then stack-frame files, then BM25 matches", () => {
    const ranked = locateFiles(
      {
        title: "Users route returns 500",
        body: "See src/server/app.ts.\n```\nError: boom\n    at handler (/srv/proj/src/server/routes/users.ts:12:3)\n```",
      },
      TREE,
    );
    expect(ranked.map((r) => r.path).slice(0, 2)).toEqual([
      "src/server/app.ts",
      "src/server/routes/users.ts",
    ]);
    expect(ranked[0]!.evidence).toContain("issue names src/server/app.ts");
    expect(ranked[1]!.evidence).toContain("stack frame in /srv/proj/src/server/routes/users.ts");
    expect(ranked.length).toBeLessThanOrEqual(10);
  });

  it("uses symbols when the issue names an identifier only", () => {
    const ranked = locateFiles(
      { title: "`ConfigLoader` ignores env vars", body: "" },
      TREE,
      new Map([["src/config/load.ts", ["ConfigLoader", "readEnv"]]]),
    );
    expect(ranked[0]!.path).toBe("src/config/load.ts");
    expect(ranked[0]!.evidence[0]).toMatch(/^matches /);
  });

  it("matches a bare file name as a path suffix, and a same-named file elsewhere by basename", () => {
    const ranked = locateFiles({ title: "schema.ts rejects valid input", body: "" }, TREE);
    expect(ranked[0]).toMatchObject({ path: "src/config/schema.ts" });
    expect(ranked[0]!.evidence).toContain("issue names schema.ts");
    const other = locateFiles({ title: "lib/schema.ts rejects valid input", body: "" }, TREE);
    expect(other[0]!.path).toBe("src/config/schema.ts");
    expect(other[0]!.evidence).toContain("issue names a file called schema.ts");
  });

  it("returns at most 10, deterministic, and nothing for an empty tree", () => {
    const tree = Array.from({ length: 30 }, (_, i) => `src/mod${i}/index.ts`);
    const a = locateFiles({ title: "index module", body: "" }, tree);
    expect(a.length).toBe(10);
    expect(locateFiles({ title: "index module", body: "" }, [...tree].reverse())).toEqual(a);
    expect(locateFiles({ title: "x", body: "y" }, [])).toEqual([]);
  });
});
