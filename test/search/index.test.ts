import { describe, expect, it } from "vitest";
import { RepoIndex } from "../../src/search/index.ts";
import { deserializeIndex, serializeIndex } from "../../src/search/serialize.ts";
import { InvalidInputError } from "../../src/errors.ts";
import { docs, T0 } from "./fixtures.ts";

const DAY = 86_400_000;
const q = {
  number: 3,
  title: "FileSystem.get throws NullPointerException for empty path",
  body: "Stack: FileSystem.get(FileSystem.java:123)",
  createdAt: T0 + 2 * DAY,
};

describe("RepoIndex.search", () => {
  it("never returns the query issue nor issues created after it", () => {
    const idx = RepoIndex.fromDocs(docs());
    const got = idx.search(q).map((c) => c.number);
    expect(got).toEqual([1]);
  });

  it("counts an issue filed in the same second with a lower number as earlier (GitHub's timestamps have whole seconds)", () => {
    const same = docs().map((d) => (d.number === 1 ? { ...d, createdAt: q.createdAt } : d));
    const idx = RepoIndex.fromDocs(same);
    expect(idx.search(q).map((c) => c.number)).toEqual([1]);
    // A higher number in the same second was filed after the query: not a candidate.
    expect(idx.search({ ...q, number: 0 }).map((c) => c.number)).toEqual([]);
    // Without the query's number there is no order to go by.
    expect(idx.search({ ...q, number: undefined }).map((c) => c.number)).not.toContain(1);
  });

  it("treats documents without created_at as candidates, and all documents when the query has none", () => {
    const idx = RepoIndex.fromDocs(docs());
    expect(
      idx
        .search({ ...q, createdAt: undefined })
        .map((c) => c.number)
        .sort(),
    ).toEqual([1, 4]);
    const gradle = idx.search({ title: "Gradle 8 upgrade broke the build", body: "", createdAt: T0 });
    expect(gradle.map((c) => c.number)).toEqual([5]);
  });

  it("scores in [0, 1], highest first, with shared identifiers as evidence", () => {
    const idx = RepoIndex.fromDocs(docs());
    const got = idx.search({ ...q, number: undefined, createdAt: undefined });
    for (const c of got) expect(c.score).toBeGreaterThanOrEqual(0);
    for (const c of got) expect(c.score).toBeLessThanOrEqual(1);
    expect(got.map((c) => c.score)).toEqual([...got.map((c) => c.score)].sort((a, b) => b - a));
    expect(got[0].number).toBe(3);
    expect(got[0].score).toBe(1);
    expect(got[0].shared).toContain("filesystem.java");
  });

  it("returns nothing for an empty or stop-word-only query", () => {
    const idx = RepoIndex.fromDocs(docs());
    expect(idx.search({ title: "", body: "" })).toEqual([]);
    expect(idx.search({ title: "the and of", body: "<div></div>" })).toEqual([]);
  });

  it("updates and removes documents incrementally", () => {
    const idx = RepoIndex.fromDocs(docs());
    idx.upsert({ ...docs()[1], title: "FileSystem.get NullPointerException with empty path" });
    expect(idx.size).toBe(5);
    expect(
      idx
        .search({ ...q, createdAt: undefined, number: 3 })
        .map((c) => c.number)
        .sort(),
    ).toEqual([1, 2, 4]);
    expect(idx.remove(1)).toBe(true);
    expect(idx.remove(1)).toBe(false);
    expect(
      idx
        .search({ ...q, createdAt: undefined })
        .map((c) => c.number)
        .sort(),
    ).toEqual([2, 4]);
    expect(idx.get(1)).toBeUndefined();
  });

  it("indexes a 1 MB body and an HTML-only body without failing", () => {
    const idx = RepoIndex.fromDocs([
      {
        number: 10,
        kind: "issue",
        title: "Huge log attached",
        body: "socket timeout retry ".repeat(60_000),
        comments: "",
      },
      { number: 11, kind: "issue", title: "<b></b>", body: "<div><img src=x></div>", comments: "" },
    ]);
    expect(idx.search({ title: "socket timeout", body: "" }).map((c) => c.number)).toEqual([10]);
    expect(idx.search({ title: "<b></b>", body: "<p></p>" })).toEqual([]);
  });
});

describe("serialization", () => {
  it("round-trips documents and gives identical results", () => {
    const idx = RepoIndex.fromDocs(docs());
    const json = serializeIndex(idx);
    const back = deserializeIndex(json);
    expect(back.toJSON()).toEqual(idx.toJSON());
    expect(back.search({ ...q, createdAt: undefined })).toEqual(idx.search({ ...q, createdAt: undefined }));
  });

  it("rejects a malformed payload naming the key", () => {
    expect(() => deserializeIndex("{")).toThrow(InvalidInputError);
    expect(() =>
      deserializeIndex(JSON.stringify({ version: 1, docs: [{ number: 1, kind: "bug" }] })),
    ).toThrow(/docs\.0\.kind/);
  });
});
