import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { listIncidents } from "../../../src/incidents/registry.ts";
import { SYNC_EVERY_MS, startIncidentLoop } from "../../../src/tools/incidents/serve.ts";
import { testApp } from "../../helpers/app.ts";
import { sqliteTestDb, type TestDb } from "../../helpers/db.ts";
import { LogFile, pinoError } from "../../incidents/github/helpers.ts";

async function until<T>(fn: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error("condition not reached");
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("incident loop inside serve", () => {
  let t: TestDb;
  let log: LogFile;
  beforeEach(async () => {
    t = await sqliteTestDb();
    log = new LogFile();
  });
  afterEach(async () => {
    log.cleanup();
    await t.cleanup();
  });

  it("tails STEWARD_INGEST_PATHS, enqueues a sync for a new incident, and schedules the minute tick", async () => {
    log.append([pinoError(Date.now())]);
    const app = testApp(t.db, { STEWARD_INGEST_PATHS: log.path, STEWARD_INCIDENTS_REPO: "acme/shop" });
    const loop = startIncidentLoop(app.services);
    try {
      const [inc] = await until(async () => {
        const l = await listIncidents(t.db);
        return l.length ? l : undefined;
      });
      expect(inc).toMatchObject({ count: 1, service: "shop-api", status: "open" });
      const jobs = await until(async () => {
        const rows = await t.db.query<{ kind: string; dedupe_key: string; run_at: number }>(
          "SELECT kind, dedupe_key, run_at FROM jobs WHERE state = 'queued' ORDER BY dedupe_key",
        );
        return rows.length === 2 ? rows : undefined;
      });
      expect(jobs.map((j) => [j.kind, j.dedupe_key])).toEqual([
        ["incidents.sync", "incidents.sync"],
        ["incidents.sync", "incidents.sync:tick"],
      ]);
      expect(Number(jobs[1]!.run_at) % SYNC_EVERY_MS).toBe(0);
    } finally {
      await loop.stop();
    }
    expect(loop.ingest?.totals.errorLines).toBe(1);
  });

  it("stays out of the job table when nothing is configured", async () => {
    const app = testApp(t.db);
    const loop = startIncidentLoop(app.services);
    await loop.stop();
    expect(loop.ingest).toBeUndefined();
    expect(await t.db.query("SELECT kind FROM jobs")).toEqual([]);
  });
});
