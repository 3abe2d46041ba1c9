import { appendFileSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { getCheckpoint } from "../../src/incidents/batch.ts";
import { identify } from "../../src/incidents/cursor.ts";
import { listIncidents } from "../../src/incidents/registry.ts";
import { parseIncidentOptions } from "../../src/incidents/options.ts";
import { Tailer } from "../../src/incidents/tail.ts";
import { silentLogger } from "../../src/logger.ts";
import { sqliteTestDb, type TestDb } from "../helpers/db.ts";
import { open } from "node:fs/promises";

const err = (i: number, type = "TypeError") =>
  `${JSON.stringify({ level: 50, time: 1_700_000_000_000 + i, name: "api", msg: "failed", err: { type, message: `boom ${i}`, stack: `${type}: boom ${i}\n    at handler (/srv/app/src/h.js:${i}:1)` } })}\n`;
const info = (i: number) =>
  `${JSON.stringify({ level: 30, time: 1_700_000_000_000 + i, name: "api", msg: "ok", res: { statusCode: 200 } })}\n`;

let t: TestDb;
let dir: string;
const counts = async () =>
  Object.fromEntries((await listIncidents(t.db)).map((i) => [i.exceptionType, i.count]));
const tailer = (patterns: string[], extra: Partial<ConstructorParameters<typeof Tailer>[0]> = {}) =>
  new Tailer({
    db: t.db,
    patterns,
    options: parseIncidentOptions({}),
    log: silentLogger(),
    rotateWaitMs: 0,
    ...extra,
  });

beforeEach(async () => {
  t = await sqliteTestDb();
  dir = mkdtempSync(join(tmpdir(), "steward-tail-"));
});
afterEach(async () => {
  await t.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe("Tailer", () => {
  it("holds a partial last line until its newline arrives, then reads it exactly once", async () => {
    const f = join(dir, "app.log");
    const line = err(1);
    writeFileSync(f, info(0) + line.slice(0, 40));
    const tl = tailer([f]);
    await tl.poll();
    expect(await counts()).toEqual({});
    appendFileSync(f, line.slice(40));
    await tl.poll();
    await tl.poll();
    expect(await counts()).toEqual({ TypeError: 1 });
    expect(tl.totals).toMatchObject({ lines: 2, errorLines: 1, newIncidents: 1 });
    await tl.closeAll();
  });

  it("rename rotation: drains the old file to its end, then reads the new one; nothing twice", async () => {
    const f = join(dir, "app.log");
    writeFileSync(f, err(1) + info(2));
    const tl = tailer([join(dir, "app.log*")]);
    await tl.poll();
    appendFileSync(f, err(3)); // written just before rotation
    renameSync(f, `${f}.1`);
    appendFileSync(`${f}.1`, err(4)); // writer still holds the old handle
    writeFileSync(f, err(5, "RangeError"));
    await tl.poll();
    await tl.poll();
    await tl.poll();
    expect(await counts()).toEqual({ TypeError: 3, RangeError: 1 });
    await tl.closeAll();
  });

  it("copytruncate: size below the checkpoint restarts at offset 0", async () => {
    const f = join(dir, "app.log");
    writeFileSync(f, err(1) + err(2) + info(3));
    const tl = tailer([f]);
    await tl.poll();
    truncateSync(f, 0);
    await tl.poll();
    writeFileSync(f, err(9, "RangeError"));
    await tl.poll();
    await tl.poll();
    expect(await counts()).toEqual({ TypeError: 2, RangeError: 1 });
    await tl.closeAll();
  });

  it("skips and counts non-JSON and over-long lines, and keeps going", async () => {
    const f = join(dir, "app.log");
    const long = `{"level":50,"msg":"${"x".repeat(1024 * 1024 + 10)}"}\n`;
    const huge = `${"y".repeat(3 * 1024 * 1024)}\n`;
    writeFileSync(f, `${err(1)}not json at all\n{"level":50,"msg":"broken"\n${long}${huge}${err(2)}\n`);
    const tl = tailer([f]);
    await tl.poll();
    expect(tl.totals).toMatchObject({ lines: 7, errorLines: 2, nonJson: 2, tooLong: 2 });
    expect(await counts()).toEqual({ TypeError: 2 });
    const id = await identify(await open(f));
    expect(await getCheckpoint(t.db, id!.key)).toMatchObject({
      lines: 7,
      errorLines: 2,
      nonJson: 2,
      tooLong: 2,
    });
    await tl.closeAll();
  });

  it("a second tailer on the same file is kept out by the lease, then continues from the checkpoint", async () => {
    const f = join(dir, "app.log");
    writeFileSync(f, err(1));
    const a = tailer([f], { owner: "A" });
    const b = tailer([f], { owner: "B" });
    await a.poll();
    appendFileSync(f, err(2));
    await b.poll();
    expect(b.blockedFiles).toBe(1);
    await a.poll();
    await a.closeAll(); // releases the lease
    const c = tailer([f], { owner: "C" });
    appendFileSync(f, err(3));
    await c.poll();
    expect(await counts()).toEqual({ TypeError: 3 });
    await c.closeAll();
  });
});
