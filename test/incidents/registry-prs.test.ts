import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { applyBatch, IncidentBuffer } from "../../src/incidents/batch.ts";
import { DEFAULT_LIFECYCLE, nextStatus } from "../../src/incidents/lifecycle.ts";
import { recordLinkedPr, withdrawFix } from "../../src/incidents/prs.ts";
import {
  getIncident,
  type Incident,
  listIncidents,
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

async function seed(db: Db, fps: string[]): Promise<Incident[]> {
  const b = new IncidentBuffer();
  for (const fp of fps)
    b.add({ fingerprint: fp, version: "v1", service: "api", exceptionType: "E" }, 1000, null, () => ({
      title: `E: ${fp}`,
      sample,
    }));
  await applyBatch(db, b, { now: 1000 });
  return (await listIncidents(db)).sort((x, y) => x.id - y.id);
}

const prs = (i: Incident | null | undefined) => i?.linkedPrs.map((p) => `${p.number}:${p.state}`);

describe("lifecycle: withdraw-fix (pure)", () => {
  it("goes from fix-proposed back to open, and from nothing else", () => {
    expect(nextStatus("fix-proposed", "withdraw-fix")).toBe("open");
    for (const s of ["open", "fix-merged", "resolved", "regressed", "ignored"] as const)
      expect(nextStatus(s, "withdraw-fix")).toBeNull();
  });
});

for (const backend of backends) {
  describe(`linked PRs on ${backend.name}`, () => {
    let t: TestDb;
    let db: Db;
    beforeEach(async () => {
      t = await backend.open();
      db = t.db;
    });
    afterEach(async () => t.cleanup());

    it("records every fix PR and reopens only when the last open one closes unmerged", async () => {
      const [inc] = await seed(db, ["a"]);
      const id = inc!.id;
      const pr = (number: number) => ({ repo: "o/r", number });
      await transitionIncident(db, id, "propose-fix", { now: 2000, pr: pr(12) });
      // A second PR does not move the status but is recorded.
      expect(await transitionIncident(db, id, "propose-fix", { now: 2100, pr: pr(13) })).toBeNull();
      expect(prs(await recordLinkedPr(db, id, pr(13), "open", 2100))).toEqual(["12:open", "13:open"]);

      const first = await withdrawFix(db, id, pr(12), 3000);
      expect(first?.reopened).toBe(false);
      expect(first?.incident.status).toBe("fix-proposed");
      expect(prs(first?.incident)).toEqual(["13:open", "12:closed"]);

      const last = await withdrawFix(db, id, pr(13), 4000);
      expect(last?.reopened).toBe(true);
      expect(last?.incident).toMatchObject({ status: "open", updatedAt: 4000 });
      expect(prs(last?.incident)).toEqual(["12:closed", "13:closed"]);
      // Redelivered: nothing changes.
      expect(await withdrawFix(db, id, pr(13), 5000)).toEqual({ incident: last!.incident, reopened: false });
    });

    it("a merged PR stays merged: a late open or close does not undo it", async () => {
      const [inc] = await seed(db, ["a"]);
      const id = inc!.id;
      await transitionIncident(db, id, "merge-fix", { now: 2000, pr: { repo: "o/r", number: 12 } });
      expect(prs(await recordLinkedPr(db, id, { repo: "o/r", number: 12 }, "open", 3000))).toEqual([
        "12:merged",
      ]);
      expect(await withdrawFix(db, id, { repo: "o/r", number: 12 }, 3000)).toBeNull();
      // Closing an unrelated PR while fix-merged records it and leaves the status.
      const r = await withdrawFix(db, id, { repo: "o/r", number: 14 }, 3000);
      expect(r).toMatchObject({ reopened: false, incident: { status: "fix-merged" } });
      expect(prs(r?.incident)).toEqual(["12:merged", "14:closed"]);
    });

    it("resolveDueIncidents judges each incident by the window its function returns", async () => {
      const [a, b] = await seed(db, ["a", "b"]);
      await setIncidentIssue(db, a!.id, "o/short", 1, 1000);
      await setIncidentIssue(db, b!.id, "o/long", 2, 1000);
      await transitionIncident(db, a!.id, "merge-fix", { now: 10 * H });
      await transitionIncident(db, b!.id, "merge-fix", { now: 10 * H });
      const windows: Record<string, number> = { "o/short": 2 * H, "o/long": 48 * H };
      const cfg = (i: Incident) => ({ ...DEFAULT_LIFECYCLE, verifyWindowMs: windows[i.repo!]! });
      expect((await resolveDueIncidents(db, 13 * H, cfg)).map((i) => i.id)).toEqual([a!.id]);
      expect((await getIncident(db, b!.id))!.status).toBe("fix-merged");
      expect((await resolveDueIncidents(db, 58 * H, cfg)).map((i) => i.id)).toEqual([b!.id]);
    });
  });
}
