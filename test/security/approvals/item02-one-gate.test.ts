import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readAudit } from "../../../src/agents/audit.ts";
import { getProposal, type Proposal } from "../../../src/agents/proposals.ts";
import type { Req } from "../../agents/github.ts";
import { backends } from "../../helpers/db.ts";
import { HEAD, Harness, PR, PUSHED, WES } from "./harness.ts";

// Issue 9 A2: a worker that polls `GET /runs/:id/approved` continuously must never receive a command
// before every final check passed, and never one whose checks stopped holding. The fake GitHub lets the
// worker poll DURING each GitHub round trip of the approval (while the approval job waits on GitHub),
// and a "spoiler" changes one fact at round trip k: the box is unticked, the approver loses access, the
// comment is hidden, the ticket is closed or locked, or the PR head moves. For every k and every spoiler,
// the worker gets nothing, ever. Without a spoiler it gets the command exactly once, and only after the
// approval recorded that all final checks passed.

type Spoiler = "untick" | "revoke" | "hide" | "close" | "lock" | "push";
const SPOILERS: Spoiler[] = ["untick", "revoke", "hide", "close", "lock", "push"];

describe.each(backends)("A2 one gate: a polling worker never wins a race ($name)", ({ open }) => {
  let h: Harness;
  beforeEach(async () => {
    h = await new Harness(await open()).start();
  });
  afterEach(async () => h.stop());

  interface Flow {
    /** GitHub round trips the approval made (polls excluded). */
    trips: Req[];
    /**
     * Every command a poll received: during which round trip (null: the poll after the approval), and
     * whether the approval had already audited that all final checks passed.
     */
    received: Array<{ proposalId: string; trip: number | null; releasedBefore: boolean }>;
    p: Proposal;
  }

  async function flow(spoil: { what: Spoiler; at: number } | null): Promise<Flow> {
    // A fresh run and proposal on the PR ticket, every fact back to "all is well".
    h.gh.perms.set("wes", "write");
    h.gh.minimized.clear();
    h.gh.issues.set(PR, { title: "Fix the parser", body: "Parser fix." });
    h.gh.pulls.set(PR, { sha: HEAD, ref: "fix/parser" });
    await h.agent("run the tests", { login: "maya", id: 11 });
    const { runId, token } = await h.claim();
    const p = await h.propose(runId, token, { type: "shell", argv: ["npm", "test"] });

    const out: Flow = { trips: [], received: [], p };
    const poll = async (trip: number | null) => {
      const r = await h.approvedFor(runId, token);
      expect(r.status).toBe(200);
      for (const c of r.body.commands as Array<{ proposalId: string }>) {
        const released = (await readAudit(h.t.db, { proposalId: c.proposalId })).some(
          (a) => a.decision === "execute" && a.reason === "worker-side command released to its run",
        );
        out.received.push({ proposalId: c.proposalId, trip, releasedBefore: released });
      }
    };
    let polling = false;
    h.gh.onRequest = async (req) => {
      if (polling) return; // the hand-out's own GitHub reads
      out.trips.push(req);
      if (spoil && out.trips.length - 1 === spoil.at) apply(spoil.what, p);
      polling = true;
      try {
        await poll(out.trips.length - 1);
      } finally {
        polling = false;
      }
    };
    await h.tick(p, WES);
    h.gh.onRequest = null;
    await poll(null);
    await h.call(`/runs/${runId}/result`, token, { status: "completed", summary: "done" });
    return out;
  }

  function apply(what: Spoiler, p: Proposal): void {
    const c = h.gh.comments.get(p.commentId!)!;
    if (what === "untick") c.body = c.body.replace("- [x] approve", "- [ ] approve");
    if (what === "revoke") h.gh.perms.set("wes", "read");
    if (what === "hide") h.gh.minimized.set(p.commentId!, "SPAM");
    if (what === "close") h.gh.issues.get(PR)!.state = "closed";
    if (what === "lock") h.gh.issues.get(PR)!.locked = true;
    if (what === "push") h.gh.pulls.set(PR, { sha: PUSHED, ref: "fix/parser" });
  }

  it("without a spoiler: polled during every round trip, the command arrives exactly once, only after the gate passed", async () => {
    const f = await flow(null);
    expect(f.trips.length).toBeGreaterThanOrEqual(8);
    // Every fact is read live during the approval.
    const paths = f.trips.map((r) => `${r.method} ${r.path}`);
    expect(paths).toContain(`GET /repos/${h.gh.owner}/${h.gh.repo}/collaborators/wes/permission`);
    expect(paths).toContain(`GET /repos/${h.gh.owner}/${h.gh.repo}/issues/${PR}`);
    expect(paths).toContain(`GET /repos/${h.gh.owner}/${h.gh.repo}/issues/comments/${f.p.commentId}`);
    expect(paths).toContain("POST /graphql");
    expect(f.received).toEqual([{ proposalId: f.p.id, trip: expect.any(Number), releasedBefore: true }]);
    // Handed out during the approval's last writes (its reply), never before the release was audited.
    const trip = f.received[0]!.trip!;
    expect(f.trips[trip]!.path).toMatch(/\/issues\/(2\/)?comments/);
    expect((await getProposal(h.t.db, f.p.id))!.status).toBe("executing");
  });

  it.each(SPOILERS)(
    "spoiler %s at every round trip: the worker never receives the command",
    async (what) => {
      const clean = await flow(null);
      const n = clean.trips.length;
      let spoiledBeforeRelease = 0;
      for (let at = 0; at < n; at++) {
        const f = await flow({ what, at });
        const where = `${what} at round trip ${at} (${f.trips[at]?.method} ${f.trips[at]?.path})`;
        // A command the worker got before the fact changed had passed every check at that moment; after
        // the change (that round trip included: the spoiler runs before its poll) it never gets it.
        for (const r of f.received) {
          expect(r.releasedBefore, where).toBe(true);
          expect(r.trip !== null && r.trip < at, `${where}: received during round trip ${r.trip}`).toBe(true);
        }
        const status = (await getProposal(h.t.db, f.p.id))!.status;
        if (f.received.length === 0) {
          spoiledBeforeRelease++;
          // Retired; or, when the very first check already failed, refused and left for a valid approver.
          expect(["invalidated", "pending"], `${where}: ${status}`).toContain(status);
        } else expect(status, where).toBe("executing");
      }
      // Nearly every round trip comes before the release: there, the spoiler always wins.
      expect(spoiledBeforeRelease).toBeGreaterThanOrEqual(n - 4);
    },
    600_000,
  );
});
