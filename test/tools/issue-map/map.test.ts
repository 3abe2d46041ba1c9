import { describe, expect, it } from "vitest";
import type { DiffFile, Hunk } from "../../../src/diff/types.ts";
import { extractIssueElements } from "../../../src/tools/issue-map/extract.ts";
import { mapIssueToChanges } from "../../../src/tools/issue-map/map.ts";
import type { IssueElement } from "../../../src/tools/issue-map/types.ts";

function hunk(newStart: number, texts: string[], heading = ""): Hunk {
  return {
    oldStart: newStart,
    oldLines: texts.length,
    newStart,
    newLines: texts.length,
    heading,
    lines: texts.map((text, i) => ({ kind: "add" as const, oldLine: null, newLine: newStart + i, text })),
  };
}

function file(path: string, hunks: Hunk[]): DiffFile {
  return {
    oldPath: path,
    newPath: path,
    path,
    status: "modified",
    binary: false,
    hunks,
    additions: 1,
    deletions: 0,
  };
}

const ISSUE = {
  title: "Crash in `parseConfig` when loading yaml",
  body: [
    "TypeError: Cannot read properties of undefined (reading 'name')",
    "    at parseConfig (/home/me/proj/src/config/load.ts:42:11)",
    "    at main (src/cli.ts:10:3)",
    "    at Module._compile (node:internal/modules/cjs/loader:1105:14)",
    "See src/config/schema.ts and the `ConfigLoader` class.",
    'It also logs "Invalid config key foo" sometimes.',
  ].join("\n"),
};

describe("extractIssueElements", () => {
  it("finds frames (skipping runtime frames), errors, paths and identifiers", () => {
    const els = extractIssueElements(ISSUE);
    expect(els.map((e) => [e.kind, e.value])).toEqual([
      ["frame", "parseConfig @ /home/me/proj/src/config/load.ts:42"],
      ["frame", "main @ src/cli.ts:10"],
      ["error", "Cannot read properties of undefined (reading 'name')"],
      ["identifier", "parseConfig"],
      ["path", "src/config/schema.ts"],
      ["identifier", "ConfigLoader"],
      ["error", "Invalid config key foo"],
    ]);
    expect(els[0]).toEqual({
      kind: "frame",
      value: "parseConfig @ /home/me/proj/src/config/load.ts:42",
      evidence: "at parseConfig (/home/me/proj/src/config/load.ts:42:11)",
      file: "/home/me/proj/src/config/load.ts",
      func: "parseConfig",
      line: 42,
    });
  });

  it("finds snake_case, CamelCase, file:line paths and ignores URLs and product names", () => {
    const els = extractIssueElements({
      title: "",
      body: "In lib/db/pool.py:88 the max_connections setting of ConnectionPool is ignored on Node.js; see https://x.io/a/b.js",
    });
    expect(els.map((e) => [e.kind, e.value, e.line])).toEqual([
      ["path", "lib/db/pool.py", 88],
      ["identifier", "ConnectionPool", undefined],
      ["identifier", "max_connections", undefined],
    ]);
  });

  it("returns nothing for empty or garbage input and caps a huge body", () => {
    expect(extractIssueElements({ title: "", body: null })).toEqual([]);
    const huge = extractIssueElements({
      title: "",
      body: Array.from({ length: 5000 }, (_, i) => `fooBar${i}`).join(" "),
    });
    expect(huge.length).toBe(50);
  });
});

describe("mapIssueToChanges", () => {
  const files = [
    file("src/config/load.ts", [
      hunk(40, [
        "export function parseConfig(raw: string) {",
        "  if (!raw) return {};",
        "  return YAML.parse(raw);",
      ]),
    ]),
    file("lib/config/schema.ts", [hunk(1, ['throw new Error("Invalid config key " + key);'])]),
    file("src/util/loader.ts", [hunk(5, ["class ConfigLoader {}"])]),
  ];

  it("scores path > basename > frame function > identifier > error, with hunks and evidence", () => {
    const m = mapIssueToChanges(extractIssueElements(ISSUE), files);
    expect(m.links.map((l) => [l.element.value, l.path, l.score, l.hunk, l.evidence])).toEqual([
      [
        "parseConfig @ /home/me/proj/src/config/load.ts:42",
        "src/config/load.ts",
        1,
        { newStart: 40, newLines: 3 },
        "frame file /home/me/proj/src/config/load.ts is changed",
      ],
      [
        "src/config/schema.ts",
        "lib/config/schema.ts",
        0.7,
        undefined,
        "file name schema.ts matches src/config/schema.ts",
      ],
      [
        "parseConfig",
        "src/config/load.ts",
        0.4,
        { newStart: 40, newLines: 3 },
        "identifier parseConfig appears in a changed hunk",
      ],
      [
        "ConfigLoader",
        "src/util/loader.ts",
        0.4,
        { newStart: 5, newLines: 1 },
        "identifier ConfigLoader appears in a changed hunk",
      ],
      [
        "Invalid config key foo",
        "lib/config/schema.ts",
        0.3,
        { newStart: 1, newLines: 1 },
        'error text "invalid config key" appears in a changed hunk',
      ],
    ]);
    expect(m.unaddressed.map((e) => e.value)).toEqual([
      "main @ src/cli.ts:10",
      "Cannot read properties of undefined (reading 'name')",
    ]);
    expect(m.coverage).toBe(0.714);
  });

  it("links a frame by its function when the file is not in the PR", () => {
    const el: IssueElement = {
      kind: "frame",
      value: "handle @ other.ts:1",
      evidence: "",
      file: "other.ts",
      func: "handle",
      line: 1,
    };
    const m = mapIssueToChanges([el], [file("src/h.ts", [hunk(9, ["function handle() {}"], "class H")])]);
    expect(m.links).toEqual([
      {
        element: el,
        path: "src/h.ts",
        hunk: { newStart: 9, newLines: 1 },
        score: 0.55,
        evidence: "function handle appears in a changed hunk",
      },
    ]);
    expect(m.coverage).toBe(1);
  });

  it("gives coverage 0 and no links when the issue names nothing", () => {
    expect(mapIssueToChanges([], files)).toEqual({ links: [], unaddressed: [], coverage: 0 });
  });

  it("flags everything unaddressed when the PR changes nothing relevant", () => {
    const els = extractIssueElements({ title: "`fooBar` broken", body: "" });
    const m = mapIssueToChanges(els, [file("README.md", [hunk(1, ["docs"])])]);
    expect(m).toEqual({ links: [], unaddressed: els, coverage: 0 });
  });

  it("is deterministic regardless of file order", () => {
    const els = extractIssueElements(ISSUE);
    expect(mapIssueToChanges(els, [...files].reverse())).toEqual(mapIssueToChanges(els, files));
  });
});
