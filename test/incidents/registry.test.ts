import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { applyBatch, getCheckpoint, IncidentBuffer, LeaseLostError } from "../../src/incidents/batch.ts";
import { acquireLease, leaseOwner, releaseLease } from "../../src/incidents/lease.ts";
import { nextStatus, regressesOn, resolutionDue } from "../../src/incidents/lifecycle.ts";
import {
  findIncidentByIssue,
  getIncident,
  listIncidents,
  markStatsPosted,
  markStatusSynced,
  pendingGitHubEffects,
  resolveDueIncidents,
  setIncidentIssue,
  transitionIncident,
} from "../../src/incidents/registry.ts";
import type { Db } from "../../src/store/types.ts";
import { backends, type TestDb } from "../helpers/db.ts";

const H = 3_600_000;
const sample = {
  message: "m",
  stack: null,
  path: "/p",
  method: "GET",
  status: 500,
  traceId: "t",
  release: null,
  level: "error",
  time: 0,
};

function batch(
  entries: Array<{ fp: string; time: number; release?: string | null; n?: number; service?: string }>,
): IncidentBuffer {
  const b = new IncidentBuffer();
  for (const e of entries)
    for (let i = 0; i < (e.n ?? 1); i++)
      b.add(
        { fingerprint: e.fp, version: "v1", service: e.service ?? "api", exceptionType: "E" },
        e.time,
        e.release ?? null,
        () => ({ title: `E: ${e.fp}`, sample }),
      );
  return b;
}

describe("lifecycle (pure)", () => {
  it("transitions", () => {
    expect(nextStatus("open", "propose-fix")).toBe("fix-proposed");
    expect(nextStatus("fix-proposed", "merge-fix")).toBe("fix-merged");
    expect(nextStatus("ignored", "regress")).toBeNull();
    expect(nextStatus("resolved", "propose-fix")).toBeNull();
    expect(nextStatus("ignored", "reopen")).toBe("open");
  });
  it("regression and resolution rules", () => {
    const merged = { status: "fix-merged" as const, fixMergedAt: 100 * H, resolvedAt: null };
    expect(regressesOn(merged, [{ release: "1.0", lastTime: 101 * H, releaseFirstSeen: 50 * H }])).toBe(
      false,
    ); // old release during window
    expect(regressesOn(merged, [{ release: "1.1", lastTime: 102 * H, releaseFirstSeen: 101 * H }])).toBe(
      true,
    ); // newer release
    expect(regressesOn(merged, [{ release: null, lastTime: 125 * H, releaseFirstSeen: null }])).toBe(true); // after the window
    const resolved = { status: "resolved" as const, fixMergedAt: 100 * H, resolvedAt: 124 * H };
    expect(regressesOn(resolved, [{ release: null, lastTime: 130 * H, releaseFirstSeen: null }])).toBe(true);
    expect(regressesOn(resolved, [{ release: null, lastTime: 90 * H, releaseFirstSeen: null }])).toBe(false); // back-fill of old logs
    expect(
      regressesOn({ ...resolved, status: "ignored" }, [
        { release: null, lastTime: 200 * H, releaseFirstSeen: null },
      ]),
    ).toBe(false);
    expect(resolutionDue(merged, 123 * H, null)).toBe(false);
    expect(resolutionDue(merged, 124 * H, null)).toBe(true);
    expect(resolutionDue(merged, 102 * H, 101 * H)).toBe(true); // newer release quiet for 1 h
  });
});

for (const backend of backends) {
  describe(`registry on ${backend.name}`, () => {
    let t: TestDb;
    let db: Db;
    beforeEach(async () => {
      t = await backend.open();
      db = t.db;
    });
    afterEach(async () => t.cleanup());

    it("buffers counts, writes them with the checkpoint, reports new incidents once", async () => {
      const ev1 = await applyBatch(
        db,
        batch([
          { fp: "a", time: 1000, n: 3 },
          { fp: "b", time: 2000 },
        ]),
        {
          now: 5000,
          checkpoint: {
            fileKey: "k",
            identity: "i",
            path: "/x.log",
            offset: 120,
            lines: 10,
            errorLines: 4,
            nonJson: 1,
            tooLong: 0,
          },
        },
      );
      expect(ev1.filter((e) => e.kind === "new")).toHaveLength(2);
      const ev2 = await applyBatch(
        db,
        batch([
          { fp: "a", time: 500, n: 2 },
          { fp: "a", time: 9000, release: "1.2.0" },
        ]),
        {
          now: 6000,
          checkpoint: {
            fileKey: "k",
            identity: "i",
            path: "/x.log",
            offset: 300,
            lines: 7,
            errorLines: 3,
            nonJson: 0,
            tooLong: 1,
          },
        },
      );
      expect(ev2).toEqual([{ kind: "recurred", incidentId: expect.any(Number), count: 6 }]);
      const [a] = await listIncidents(db, { service: "api", limit: 1 });
      expect(a).toMatchObject({
        fingerprint: "a",
        count: 6,
        firstSeen: 500,
        lastSeen: 9000,
        lastRelease: "1.2.0",
        status: "open",
        title: "E: a",
        service: "api",
      });
      expect(await getCheckpoint(db, "k")).toMatchObject({
        offset: 300,
        lines: 17,
        errorLines: 7,
        nonJson: 1,
        tooLong: 1,
        path: "/x.log",
      });
    });

    it("a lost lease rolls the whole batch back", async () => {
      expect(await acquireLease(db, "ingest:k", "p1", 1000, 0)).toBe(true);
      expect(await acquireLease(db, "ingest:k", "p2", 1000, 500)).toBe(false);
      expect(await leaseOwner(db, "ingest:k", 500)).toBe("p1");
      expect(await acquireLease(db, "ingest:k", "p2", 1000, 1500)).toBe(true); // expired → taken over
      await expect(
        applyBatch(db, batch([{ fp: "a", time: 1 }]), {
          now: 1600,
          lease: { name: "ingest:k", owner: "p1", ttlMs: 1000 },
          checkpoint: {
            fileKey: "k",
            identity: "i",
            path: "/x",
            offset: 10,
            lines: 1,
            errorLines: 1,
            nonJson: 0,
            tooLong: 0,
          },
        }),
      ).rejects.toBeInstanceOf(LeaseLostError);
      expect(await listIncidents(db)).toEqual([]);
      expect(await getCheckpoint(db, "k")).toBeNull();
      await releaseLease(db, "ingest:k", "p2");
      expect(await leaseOwner(db, "ingest:k", 1600)).toBeNull();
    });

    it("full lifecycle with CAS: issue, fix PR, merge, verification, regression, ignore", async () => {
      await applyBatch(db, batch([{ fp: "a", time: 1000, release: "1.0" }]), { now: 1000 });
      const [inc] = await listIncidents(db);
      const id = inc!.id;
      let p = await pendingGitHubEffects(db, { now: 2000 });
      expect(p.needIssue.map((i) => i.id)).toEqual([id]);
      expect(await setIncidentIssue(db, id, "o/r", 7, 2000)).toBe(true);
      expect(await setIncidentIssue(db, id, "o/r", 8, 2000)).toBe(false); // second writer loses
      expect((await findIncidentByIssue(db, "o/r", 7))?.id).toBe(id);

      await applyBatch(db, batch([{ fp: "a", time: 3000, release: "1.0", n: 4 }]), { now: 3000 });
      p = await pendingGitHubEffects(db, { now: 3000, statsIntervalMs: 60_000 });
      expect(p.needIssue).toEqual([]);
      expect(p.statsDue.map((i) => [i.id, i.count, i.statsCount])).toEqual([[id, 5, 1]]);
      expect(await markStatsPosted(db, id, null, 5, 3000)).toBe(true);
      expect(await markStatsPosted(db, id, null, 5, 3000)).toBe(false);
      expect((await pendingGitHubEffects(db, { now: 3000 })).statsDue).toEqual([]);

      const fp = await transitionIncident(db, id, "propose-fix", {
        now: 4000,
        pr: { repo: "o/r", number: 12 },
      });
      expect(fp).toMatchObject({
        status: "fix-proposed",
        linkedPrs: [{ repo: "o/r", number: 12, state: "open", at: 4000 }],
      });
      expect(await transitionIncident(db, id, "propose-fix", { now: 4001 })).toBeNull();
      const m = await transitionIncident(db, id, "merge-fix", {
        now: 10 * H,
        pr: { repo: "o/r", number: 12 },
      });
      expect(m).toMatchObject({
        status: "fix-merged",
        fixMergedAt: 10 * H,
        linkedPrs: [{ number: 12, state: "merged" }],
      });
      expect((await pendingGitHubEffects(db)).statusChanged.map((i) => i.status)).toEqual(["fix-merged"]);
      expect(await markStatusSynced(db, id, "fix-merged")).toBe(true);

      // straggler from the old release inside the window: counted, no regression
      await applyBatch(db, batch([{ fp: "a", time: 11 * H, release: "1.0" }]), { now: 11 * H });
      expect((await getIncident(db, id))!.status).toBe("fix-merged");
      expect(await resolveDueIncidents(db, 20 * H)).toEqual([]);
      const resolved = await resolveDueIncidents(db, 34 * H);
      expect(resolved.map((i) => [i.id, i.status, i.resolvedAt])).toEqual([[id, "resolved", 34 * H]]);

      // recurrence after resolution → regressed, regression_count + 1, once
      const ev = await applyBatch(db, batch([{ fp: "a", time: 40 * H, release: "1.1" }]), { now: 40 * H });
      expect(ev.filter((e) => e.kind === "regressed")).toEqual([
        { kind: "regressed", incidentId: id, from: "resolved" },
      ]);
      expect(await getIncident(db, id)).toMatchObject({ status: "regressed", regressionCount: 1, count: 7 });

      expect((await transitionIncident(db, id, "ignore", { now: 41 * H }))!.status).toBe("ignored");
      await applyBatch(db, batch([{ fp: "a", time: 50 * H, release: "1.2" }]), { now: 50 * H });
      expect(await getIncident(db, id)).toMatchObject({ status: "ignored", regressionCount: 1, count: 8 });
      expect((await pendingGitHubEffects(db)).needIssue).toEqual([]);
    });

    it("fix-merged + a newer release seen with the error → regressed; quiet newer release → resolved", async () => {
      await applyBatch(
        db,
        batch([
          { fp: "a", time: 1, release: "1.0" },
          { fp: "b", time: 1, release: "1.0" },
        ]),
        { now: 1 },
      );
      const [a, b] = (await listIncidents(db)).sort((x, y) => x.id - y.id);
      await transitionIncident(db, a!.id, "merge-fix", { now: 10 * H });
      await transitionIncident(db, b!.id, "merge-fix", { now: 10 * H });
      await applyBatch(db, batch([{ fp: "a", time: 12 * H, release: "2.0" }]), { now: 12 * H });
      expect((await getIncident(db, a!.id))!.status).toBe("regressed");
      expect((await getIncident(db, b!.id))!.status).toBe("fix-merged");
      const res = await resolveDueIncidents(db, 13 * H);
      expect(res.map((i) => [i.id, i.fixRelease])).toEqual([[b!.id, "2.0"]]);
    });
  });
}
