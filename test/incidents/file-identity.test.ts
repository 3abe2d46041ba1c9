// Log file identity (issue 10, defect 4): device + inode, with a fingerprint of the first KiB, on
// both stores. Before this, a file was its first line's hash: a second file with the same first line
// resumed at the first one's offset and its errors were never recorded.
import {
  copyFileSync,
  rmSync,
  statSync,
  mkdtempSync,
  renameSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
  appendFileSync,
} from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { getCheckpoint, purgeRetiredCheckpoints, RETIRED_CHECKPOINT_MS } from "../../src/incidents/batch.ts";
import { identify, legacyFirstLineKey } from "../../src/incidents/cursor.ts";
import { listIncidents } from "../../src/incidents/registry.ts";
import { parseIncidentOptions } from "../../src/incidents/options.ts";
import { Tailer } from "../../src/incidents/tail.ts";
import { silentLogger } from "../../src/logger.ts";
import { backends, type TestDb } from "../helpers/db.ts";

const err = (i: number, type = "TypeError") =>
  `${JSON.stringify({ level: 50, time: 1_700_000_000_000 + i, name: "api", msg: "failed", err: { type, message: `boom ${i}`, stack: `${type}: boom ${i}\n    at handler (/srv/app/src/h.js:${i}:1)` } })}\n`;
const HEADER = `${JSON.stringify({ level: 30, time: 1_700_000_000_000, name: "api", msg: "server started on port 8080" })}\n`;

for (const backend of backends) {
  describe(`file identity (${backend.name})`, () => {
    let t: TestDb;
    let dir: string;
    beforeEach(async () => {
      t = await backend.open();
      dir = mkdtempSync(join(tmpdir(), "steward-ident-"));
    });
    afterEach(async () => {
      await t.cleanup();
      rmSync(dir, { recursive: true, force: true });
    });

    const counts = async () =>
      Object.fromEntries((await listIncidents(t.db)).map((i) => [i.exceptionType, i.count]));
    /** One `ingest --once`-like pass over `patterns`, to the end of every file. */
    const pass = async (...patterns: string[]) => {
      const tl = new Tailer({
        db: t.db,
        patterns,
        options: parseIncidentOptions({}),
        log: silentLogger(),
        rotateWaitMs: 0,
        parallel: false,
      });
      await tl.poll();
      await tl.closeAll();
      return tl.totals;
    };
    const checkpointOf = async (f: string) => {
      const fh = await open(f);
      try {
        return await getCheckpoint(t.db, (await identify(fh)).key);
      } finally {
        await fh.close();
      }
    };

    it("two files that share a first line are two files", async () => {
      const a = join(dir, "a.log");
      const b = join(dir, "b.log");
      writeFileSync(a, HEADER + err(1) + err(2));
      writeFileSync(b, HEADER + err(3, "RangeError") + err(4, "RangeError") + err(5, "RangeError"));
      await pass(a);
      const totals = await pass(b);
      expect(totals.errorLines).toBe(3);
      expect(await counts()).toEqual({ TypeError: 2, RangeError: 3 });
      expect((await checkpointOf(a))!.path).toBe(a);
      expect((await checkpointOf(b))!.path).toBe(b);
    });

    it("a renamed file keeps its checkpoint: only the new lines are read", async () => {
      const a = join(dir, "app.log");
      writeFileSync(a, HEADER + err(1));
      await pass(a);
      const moved = join(dir, "app-renamed.log");
      renameSync(a, moved);
      appendFileSync(moved, err(2, "RangeError"));
      const totals = await pass(moved);
      expect(totals.lines).toBe(1);
      expect(await counts()).toEqual({ TypeError: 1, RangeError: 1 });
      expect((await checkpointOf(moved))!.path).toBe(moved);
    });

    it("copytruncate: the copy is not read again, the truncated file starts at 0", async () => {
      const a = join(dir, "app.log");
      // Over 1 KiB, so the copy carries a full fingerprint.
      const body = HEADER + Array.from({ length: 8 }, (_, i) => err(i + 1)).join("");
      expect(body.length).toBeGreaterThan(1024);
      writeFileSync(a, body);
      await pass(join(dir, "app.log*"));
      copyFileSync(a, `${a}.1`);
      truncateSync(a, 0);
      writeFileSync(a, err(20, "RangeError"));
      const totals = await pass(join(dir, "app.log*"));
      expect(totals.errorLines).toBe(1);
      expect(await counts()).toEqual({ TypeError: 8, RangeError: 1 });
      expect((await checkpointOf(a))!.offset).toBe(err(20, "RangeError").length);
    });

    it("an inode that holds another file now (deleted and reused, or rewritten) is read from 0", async () => {
      const a = join(dir, "app.log");
      writeFileSync(a, HEADER + err(1) + err(2));
      await pass(a);
      const oldIno = statSync(a).ino;
      // The same first line, then other content, longer than the old checkpoint.
      const next = HEADER + err(3, "RangeError") + err(4, "RangeError") + err(5, "RangeError");
      unlinkSync(a);
      let reused = false;
      for (let i = 0; i < 64 && !reused; i++) {
        const p = join(dir, `new-${i}.log`);
        writeFileSync(p, next);
        if (statSync(p).ino === oldIno) {
          renameSync(p, a);
          reused = true;
        } else unlinkSync(p);
      }
      // ext4 usually hands the freed inode out again; where it does not, rewriting the file in
      // place puts other bytes under the same inode, which is the same situation for the tailer.
      if (!reused) writeFileSync(a, next);
      expect(statSync(a).ino === oldIno || !reused).toBe(true);
      const totals = await pass(a);
      expect(totals.errorLines).toBe(3);
      expect(await counts()).toEqual({ TypeError: 2, RangeError: 3 });
      const cp = await checkpointOf(a);
      expect(cp).toMatchObject({ offset: next.length, lines: 4, errorLines: 3 });
    });

    it("a retired checkpoint is kept a week for a late copy, then purged", async () => {
      const a = join(dir, "app.log");
      writeFileSync(a, HEADER + err(1));
      await pass(a);
      writeFileSync(a, err(2, "RangeError") + err(3, "RangeError"));
      await pass(a);
      const retired = await t.db.query<{ file_key: string; updated_at: number }>(
        "SELECT file_key, updated_at FROM log_checkpoints WHERE file_key LIKE 'retired:%'",
      );
      expect(retired).toHaveLength(1);
      const at = Number(retired[0]!.updated_at);
      expect(await purgeRetiredCheckpoints(t.db, at + RETIRED_CHECKPOINT_MS - 1)).toBe(0);
      expect(await purgeRetiredCheckpoints(t.db, at + RETIRED_CHECKPOINT_MS + 1)).toBe(1);
      expect((await checkpointOf(a))!.offset).toBe((err(2, "RangeError") + err(3, "RangeError")).length);
    });

    it("two live files with the same first KiB are never merged", async () => {
      const a = join(dir, "a.log");
      const b = join(dir, "b.log");
      const shared = HEADER + Array.from({ length: 8 }, (_, i) => err(i + 1)).join("");
      writeFileSync(a, shared);
      await pass(a);
      writeFileSync(b, shared + err(30, "RangeError"));
      const totals = await pass(b);
      expect(totals.errorLines).toBe(9);
      expect(await counts()).toEqual({ TypeError: 16, RangeError: 1 });
    });

    it("a checkpoint from before (first-line key) is adopted once for its path: nothing is read twice", async () => {
      const a = join(dir, "app.log");
      writeFileSync(a, HEADER + err(1) + err(2));
      const fh = await open(a);
      const legacy = (await legacyFirstLineKey(fh))!;
      await fh.close();
      await t.db.exec(
        `INSERT INTO log_checkpoints (file_key, identity, path, "offset", lines, error_lines, non_json, too_long, updated_at)
         VALUES ($1, $2, $3, $4, 3, 2, 0, 0, 1)`,
        [legacy, `sha256:first-line-1k:${legacy}`, a, (HEADER + err(1) + err(2)).length],
      );
      appendFileSync(a, err(3, "RangeError"));
      const totals = await pass(a);
      expect(totals.lines).toBe(1);
      expect(await counts()).toEqual({ RangeError: 1 });
    });
  });
}
