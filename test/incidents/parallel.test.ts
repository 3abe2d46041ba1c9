import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { getCheckpoint } from "../../src/incidents/batch.ts";
import { identify } from "../../src/incidents/cursor.ts";
import { listIncidents } from "../../src/incidents/registry.ts";
import { parseIncidentOptions } from "../../src/incidents/options.ts";
import { prestartedScanWorkers, prestartScanWorkers } from "../../src/incidents/parallel.ts";
import { Tailer, type TailOptions } from "../../src/incidents/tail.ts";
import { silentLogger } from "../../src/logger.ts";
import type { Db } from "../../src/store/types.ts";
import { sqliteTestDb, type TestDb } from "../helpers/db.ts";

// The parallel back-fill (worker prefilter, chunks in file order) must leave exactly the rows the
// sequential path leaves, and a failed batch must not lose or double anything.

const TYPES = ["TypeError", "RangeError", "DatabaseError"];
const err = (i: number) => {
  const type = TYPES[i % 3]!;
  return `${JSON.stringify({ level: 50, time: 1_700_000_000_000 + i, name: "api", release: `v${i % 4}`, msg: "failed", err: { type, message: `boom ${i}`, stack: `${type}: boom ${i}\n    at handler (/srv/app/src/h${i % 5}.js:${i % 7}:1)` } })}\n`;
};
const info = (i: number) =>
  `${JSON.stringify({ level: 30, time: 1_700_000_000_000 + i, name: "api", msg: "ok", res: { statusCode: 200 } })}\n`;

/** ~2,000 lines with errors, non-JSON, a 5xx status, an over-long line and blank lines mixed in. */
function body(from: number, n: number): string {
  let s = "";
  for (let i = from; i < from + n; i++) {
    if (i % 13 === 0) s += err(i);
    else if (i % 101 === 0) s += "not json\n";
    else if (i % 211 === 0)
      s += `{"level":30,"msg":"gateway","status":503,"time":${1_700_000_000_000 + i}}\n`;
    else if (i === from + n - 40) s += `{"level":50,"msg":"${"x".repeat(1024 * 1024 + 10)}"}\n`;
    else if (i % 97 === 0) s += "\n";
    else s += info(i);
  }
  return s;
}

let dir: string;
const dbs: TestDb[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "steward-par-"));
});
afterEach(async () => {
  for (const t of dbs.splice(0)) await t.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const tailer = (db: Db, f: string, extra: Partial<TailOptions> = {}) =>
  new Tailer({
    db,
    patterns: [f],
    options: parseIncidentOptions({}),
    log: silentLogger(),
    rotateWaitMs: 0,
    flushLines: 700,
    ...extra,
  });
const PAR = { workers: 2, minBytes: 0, chunkBytes: 16 * 1024 };

async function rows(db: Db, f: string) {
  const incidents = (await listIncidents(db)).map((i) => ({
    fingerprint: i.fingerprint,
    type: i.exceptionType,
    title: i.title,
    count: i.count,
    firstSeen: i.firstSeen,
    lastSeen: i.lastSeen,
    lastRelease: i.lastRelease,
    sample: i.sample,
    // The worker counts a key-ordered rewrite of each line (canonical.ts); the sample must still be
    // the line as logged, keys in their order (toEqual alone ignores key order).
    sampleKeys: JSON.stringify(i.sample.record),
  }));
  incidents.sort((a, b) => (a.fingerprint < b.fingerprint ? -1 : 1));
  const fh = await open(f);
  const id = await identify(fh);
  await fh.close();
  const cp = await getCheckpoint(db, id!.key);
  return { incidents, checkpoint: { ...cp, updatedAt: 0 } };
}

async function fresh(): Promise<Db> {
  const t = await sqliteTestDb();
  dbs.push(t);
  return t.db;
}

describe("parallel back-fill", () => {
  it.each([
    ["chunks smaller than the long line", 16 * 1024, undefined],
    ["one chunk holding the long line", 2 * 1024 * 1024, undefined],
    ["every other chunk prefiltered on the main thread", 16 * 1024, 2],
  ])(
    "leaves the same incidents, samples, checkpoint and totals as the sequential path (%s), also across appends",
    async (_, chunkBytes, localEvery) => {
      const f = join(dir, "app.log");
      const whole = body(0, 2500);
      const cut = whole.length - 30; // the file ends in a partial line
      writeFileSync(f, whole.slice(0, cut));
      const seq = await fresh();
      const par = await fresh();
      const a = tailer(seq, f, { parallel: false });
      const b = tailer(par, f, { parallel: { ...PAR, chunkBytes, localEvery } });
      await a.poll();
      await b.poll();
      const first = await rows(par, f);
      expect(first).toEqual(await rows(seq, f));
      expect(first.checkpoint.offset).toBe(whole.lastIndexOf("\n", cut - 1) + 1);
      expect(first.checkpoint).toMatchObject({ tooLong: 1, nonJson: 23 });
      expect(first.incidents.reduce((n, i) => n + i.count, 0)).toBe(first.checkpoint.errorLines);
      expect(b.totals).toEqual(a.totals);

      appendFileSync(f, whole.slice(cut) + body(2500, 2000));
      await a.poll();
      await b.poll();
      const second = await rows(par, f);
      expect(second).toEqual(await rows(seq, f));
      expect(second.checkpoint.lines).toBe(4500);
      expect(second.checkpoint.errorLines).toBe(Math.ceil(4500 / 13) + Math.floor(4500 / 211) - 1);
      await a.closeAll();
      await b.closeAll();
    },
  );

  it("a prestarted thread that died before the back-fill is replaced, not waited on forever", async () => {
    const f = join(dir, "app.log");
    writeFileSync(f, body(0, 3000));
    const ref = await fresh();
    const seq = tailer(ref, f, { parallel: false });
    await seq.poll();
    await seq.closeAll();

    prestartScanWorkers(1);
    const [dead] = prestartedScanWorkers();
    await dead!.terminate();
    const db = await fresh();
    const b = tailer(db, f, { parallel: { ...PAR, workers: 1 } });
    await b.poll();
    await b.closeAll();
    expect(prestartedScanWorkers()).toHaveLength(0);
    expect(await rows(db, f)).toEqual(await rows(ref, f));
  });

  it("a batch that fails mid-file loses and doubles nothing: the next run resumes at its checkpoint", async () => {
    const f = join(dir, "app.log");
    const text = body(0, 4000);
    writeFileSync(f, text);
    const ref = await fresh();
    const seq = tailer(ref, f, { parallel: false });
    await seq.poll();
    await seq.closeAll();

    const db = await fresh();
    let txs = 0;
    // The third batch's transaction fails (after the two before it committed).
    const failing: Db = {
      dialect: db.dialect,
      query: (sql, params) => db.query(sql, params),
      one: (sql, params) => db.one(sql, params),
      exec: (sql, params) => db.exec(sql, params),
      ping: () => db.ping(),
      close: () => Promise.resolve(),
      tx: (fn) => (++txs === 3 ? Promise.reject(new Error("disk full")) : db.tx(fn)),
    } as Db;
    const b = tailer(failing, f, { parallel: PAR, owner: "A" });
    await expect(b.poll()).rejects.toThrow("disk full");
    const partial = await rows(db, f);
    expect(partial.checkpoint.offset).toBeGreaterThan(0);
    // Two batches committed: the checkpoint's counters are those of exactly the bytes before it.
    const before = text.slice(0, partial.checkpoint.offset);
    expect(partial.checkpoint.lines).toBe(before.split("\n").length - 1);
    expect(partial.checkpoint.lines).toBeLessThan(4000);
    expect(partial.incidents.reduce((n, i) => n + i.count, 0)).toBe(partial.checkpoint.errorLines);
    expect(partial.checkpoint.errorLines).toBe(
      before.split("\n").filter((l) => l.includes('"level":50') || l.includes('"status":503')).length,
    );
    await b.closeAll().catch(() => {});
    await db.exec("DELETE FROM leases");

    const c = tailer(db, f, { parallel: PAR, owner: "B" });
    await c.poll();
    await c.closeAll();
    expect(await rows(db, f)).toEqual(await rows(ref, f));
  });
});
