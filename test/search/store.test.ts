import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  getDoc,
  getMeta,
  loadRepoIndex,
  removeDoc,
  setBackfilled,
  setBackfillProgress,
  upsertDoc,
} from "../../src/search/store.ts";
import { backends, type TestDb } from "../helpers/db.ts";
import { docs, T0 } from "./fixtures.ts";

const REPO = "octo/widgets";

for (const backend of backends) {
  describe(`search store (${backend.name})`, () => {
    let t: TestDb;
    beforeEach(async () => {
      t = await backend.open();
    });
    afterEach(async () => {
      await t.cleanup();
    });

    it("stores documents as rows and reads them back", async () => {
      for (const d of docs()) await upsertDoc(t.db, REPO, d);
      const row = await t.db.one("SELECT * FROM repo_index WHERE repo = $1 AND number = 1", [REPO]);
      expect({ ...row, created_at: Number(row?.created_at) }).toEqual({
        repo: REPO,
        number: 1,
        kind: "issue",
        title: "NullPointerException in FileSystem.get when path is empty",
        body: "at org.apache.hadoop.fs.FileSystem.get(FileSystem.java:123)",
        comments: "",
        state: "closed",
        created_at: T0,
        updated_at: null,
        closed_by: "[7]",
      });
      expect(await getDoc(t.db, REPO, 5)).toEqual({
        ...docs()[4],
        closedBy: [],
        createdAt: undefined,
        updatedAt: undefined,
      });
    });

    it("upserts in place and removes", async () => {
      await upsertDoc(t.db, REPO, docs()[0]);
      await upsertDoc(t.db, REPO, { ...docs()[0], title: "renamed", closedBy: [7, 9] });
      await upsertDoc(t.db, "other/repo", docs()[1]);
      const rows = await t.db.query("SELECT number, title, closed_by FROM repo_index WHERE repo = $1", [
        REPO,
      ]);
      expect(rows).toEqual([{ number: 1, title: "renamed", closed_by: "[7,9]" }]);
      expect(await removeDoc(t.db, REPO, 1)).toBe(true);
      expect(await removeDoc(t.db, REPO, 1)).toBe(false);
      expect(await t.db.query("SELECT number FROM repo_index")).toEqual([{ number: 2 }]);
    });

    it("rebuilds a searchable index per repository", async () => {
      for (const d of docs()) await upsertDoc(t.db, REPO, d);
      await upsertDoc(t.db, "other/repo", { ...docs()[0], number: 99 });
      const idx = await loadRepoIndex(t.db, REPO);
      expect(idx.size).toBe(5);
      const got = idx.search({
        number: 4,
        title: "NullPointerException FileSystem.get empty path again",
        body: "",
        createdAt: T0 + 3 * 86_400_000,
      });
      expect(got.map((c) => c.number).sort()).toEqual([1, 3]);
      expect(idx.get(1)?.closedBy).toEqual([7]);
    });

    it("records back-fill progress and completion with the document count", async () => {
      expect(await getMeta(t.db, REPO)).toBeUndefined();
      await upsertDoc(t.db, REPO, docs()[0]);
      await setBackfillProgress(t.db, REPO, { cursor: "page=2" });
      expect(await getMeta(t.db, REPO)).toEqual({
        repo: REPO,
        backfilledAt: null,
        cursor: "page=2",
        docCount: 1,
      });
      await upsertDoc(t.db, REPO, docs()[1]);
      await setBackfilled(t.db, REPO, T0);
      expect(await getMeta(t.db, REPO)).toEqual({ repo: REPO, backfilledAt: T0, cursor: null, docCount: 2 });
    });
  });
}
