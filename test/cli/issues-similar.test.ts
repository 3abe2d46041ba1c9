import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import type { CliIO } from "../../src/cli/types.ts";

let dir: string;
let out: string;
let err: string;
const io = (): CliIO => ({
  stdout: (t) => {
    out += t;
  },
  stderr: (t) => {
    err += t;
  },
  env: {},
  cwd: dir,
  isTTY: false,
});
const jsonl = (xs: unknown[]) => xs.map((x) => JSON.stringify(x)).join("\n") + "\n";

const corpus = [
  {
    number: 1,
    title: "NullPointerException in FileSystem.get when path is empty",
    body: "at org.apache.hadoop.fs.FileSystem.get(FileSystem.java:123)",
    created_at: "2024-01-01T00:00:00Z",
  },
  {
    number: 2,
    title: "Dark mode colours wrong in settings",
    body: "The settings page ignores the theme.",
    created_at: "2024-01-02T00:00:00Z",
  },
  {
    number: 3,
    title: "FileSystem.get throws NullPointerException for empty path",
    body: "FileSystem.java:123",
    created_at: "2024-01-03T00:00:00Z",
  },
  {
    number: 4,
    title: "NullPointerException FileSystem.get empty path again",
    body: null,
    created_at: "2024-01-04T00:00:00Z",
  },
];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "steward-similar-"));
  out = "";
  err = "";
  writeFileSync(join(dir, "corpus.jsonl"), jsonl(corpus));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("steward issues similar", () => {
  it("prints one JSON line per query with earlier corpus issues only, never the query itself", async () => {
    writeFileSync(
      join(dir, "queries.jsonl"),
      jsonl([corpus[2], { number: 9, title: "Settings theme ignored in dark mode", body: "" }]),
    );
    const code = await main(
      ["issues", "similar", "--corpus", "corpus.jsonl", "--queries", "queries.jsonl", "--top", "5", "--json"],
      io(),
    );
    expect(err).toBe("");
    expect(code).toBe(0);
    const lines = out
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    expect(lines[0].number).toBe(3);
    expect(lines[0].results.map((r: { number: number }) => r.number)).toEqual([1]);
    expect(Object.keys(lines[0].results[0]).sort()).toEqual(["number", "score", "title"]);
    expect(lines[0].title).toBe("FileSystem.get throws NullPointerException for empty path");
    expect(lines[0].results[0].title).toBe("NullPointerException in FileSystem.get when path is empty");
    expect(lines[0].results[0].score).toBeGreaterThan(0);
    expect(lines[0].results[0].score).toBeLessThanOrEqual(1);
    // No created_at on the query: every corpus issue is a candidate.
    expect(lines[1]).toEqual({
      number: 9,
      title: "Settings theme ignored in dark mode",
      results: [
        { number: 2, title: "Dark mode colours wrong in settings", score: lines[1].results[0].score },
      ],
    });
  });

  it("respects --top and prints titles without --json", async () => {
    writeFileSync(
      join(dir, "queries.jsonl"),
      jsonl([{ number: 5, title: "FileSystem.get NullPointerException empty path", body: "" }]),
    );
    const code = await main(
      ["issues", "similar", "--corpus", "corpus.jsonl", "--queries", "queries.jsonl", "--top", "1"],
      io(),
    );
    expect(code).toBe(0);
    expect(out).toMatch(
      /^#5 FileSystem\.get NullPointerException empty path\n {2}#[134] {2}\d\.\d\d {2}\S.*(FileSystem|NullPointer).*\n$/,
    );
  });

  it("names the file and line of a malformed input line", async () => {
    writeFileSync(
      join(dir, "queries.jsonl"),
      `${JSON.stringify(corpus[0])}\n\n{"number": "x", "title": "t", "body": ""}\n`,
    );
    const code = await main(
      ["issues", "similar", "--corpus", "corpus.jsonl", "--queries", "queries.jsonl", "--json"],
      io(),
    );
    expect(code).toBe(1);
    expect(out).toBe("");
    expect(err).toBe(
      "steward issues: queries.jsonl line 3: number: Invalid input: expected number, received string\n",
    );
  });

  it("rejects invalid JSON and bad dates with the line number", async () => {
    writeFileSync(join(dir, "bad.jsonl"), `{"number": 1, "title": "a", "body": ""}\n{oops\n`);
    expect(await main(["issues", "similar", "--corpus", "bad.jsonl", "--queries", "bad.jsonl"], io())).toBe(
      1,
    );
    expect(err).toBe("steward issues: bad.jsonl line 2: not valid JSON\n");
    err = "";
    writeFileSync(
      join(dir, "date.jsonl"),
      `{"number": 1, "title": "a", "body": "", "created_at": "yesterday"}\n`,
    );
    expect(await main(["issues", "similar", "--corpus", "date.jsonl", "--queries", "date.jsonl"], io())).toBe(
      1,
    );
    expect(err).toBe(
      "steward issues: date.jsonl line 1: created_at: expected an ISO 8601 date or epoch milliseconds\n",
    );
  });

  it("handles empty files, a 1 MB body and an HTML-only body", async () => {
    writeFileSync(join(dir, "empty.jsonl"), "");
    writeFileSync(
      join(dir, "odd.jsonl"),
      jsonl([
        { number: 20, title: "Socket timeout", body: "socket timeout retry ".repeat(55_000) },
        { number: 21, title: "<b></b>", body: "<div><img src=x></div>" },
      ]),
    );
    expect(
      await main(["issues", "similar", "--corpus", "empty.jsonl", "--queries", "odd.jsonl", "--json"], io()),
    ).toBe(0);
    expect(out).toBe(
      '{"number":20,"title":"Socket timeout","results":[]}\n{"number":21,"title":"<b></b>","results":[]}\n',
    );
    out = "";
    expect(
      await main(["issues", "similar", "--corpus", "odd.jsonl", "--queries", "odd.jsonl", "--json"], io()),
    ).toBe(0);
    expect(out).toBe(
      '{"number":20,"title":"Socket timeout","results":[]}\n{"number":21,"title":"<b></b>","results":[]}\n',
    );
  });

  it("reports missing options and unreadable files", async () => {
    expect(await main(["issues", "similar", "--queries", "q.jsonl"], io())).toBe(2);
    expect(err).toContain("steward issues: --corpus is required");
    err = "";
    expect(await main(["issues", "similar", "--corpus", "nope.jsonl", "--queries", "nope.jsonl"], io())).toBe(
      1,
    );
    expect(err).toBe("steward issues: cannot read --corpus nope.jsonl: ENOENT\n");
    err = "";
    expect(
      await main(
        ["issues", "similar", "--corpus", "corpus.jsonl", "--queries", "corpus.jsonl", "--top", "0"],
        io(),
      ),
    ).toBe(2);
    expect(err).toContain("--top must be an integer from 1 to 100, got '0'");
  });
});
