import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readAudit } from "../../../src/agents/audit.ts";
import { getProposal } from "../../../src/agents/proposals.ts";
import { listRuns } from "../../../src/agents/runs.ts";
import { backends } from "../../helpers/db.ts";
import { HEAD, Harness, MAYA, MO, PR } from "./harness.ts";

// Issue 9 A4: with `separate_approver: true`, a second maintainer's `/agent … merge` folded into the
// first maintainer's queued run, and that second maintainer could then approve the merge alone.

const WANDA = { login: "Wanda", id: 14 }; // maintain; logins are case-insensitive on GitHub

describe.each(backends)("A4 separate_approver counts every requester of a run ($name)", ({ open }) => {
  let h: Harness;
  beforeEach(async () => {
    h = await new Harness(await open()).start();
    h.gh.perms.set("Wanda", "maintain").set("wanda", "maintain");
    h.gh.config = "agents:\n  separate_approver: true\n";
  });
  afterEach(async () => h.stop());

  it("a user whose /agent folded into the run cannot approve its merge; a user outside the run can", async () => {
    await h.agent("fix the parser test", MAYA);
    await h.agent("and then merge it", WANDA);
    const [run] = await listRuns(h.t.db, "Codertocat/Hello-World", PR);
    expect(run).toMatchObject({ state: "queued", requestedBy: "maya", requesters: ["maya", "wanda"] });

    const { runId, token } = await h.claim();
    const p = await h.propose(runId, token, { type: "merge_pr", number: PR, method: "squash" });
    expect(p.requesters).toEqual(["maya", "wanda"]);

    await h.tick(p, { login: "wanda", id: 14 });
    expect(h.merges()).toEqual([]);
    expect((await getProposal(h.t.db, p.id))!.status).toBe("pending");
    expect((await readAudit(h.t.db, { proposalId: p.id })).at(-1)).toMatchObject({
      decision: "refuse",
      senderLogin: "wanda",
      reason: "the approver must not be a user whose instructions are in the run (separate_approver is on)",
    });

    await h.tick(p, MAYA);
    expect(h.merges()).toEqual([]);

    await h.tick(p, MO);
    expect(h.merges().map((r) => r.body)).toEqual([{ sha: HEAD, merge_method: "squash" }]);
  });

  it("an authorized commenter whose comment the worker got as an instruction counts too", async () => {
    // Wanda's plain comment is on the ticket before the run is dispatched: the worker sees it as a
    // maintainer's comment (an instruction), so Wanda is a requester.
    h.gh.userComment(PR, "Wanda", "Please also merge once green.");
    await h.agent("fix the parser test", MAYA);
    const { runId, token } = await h.claim();
    const p = await h.propose(runId, token, { type: "merge_pr", number: PR, method: "squash" });
    expect(p.requesters).toEqual(["maya", "wanda"]);
    await h.tick(p, { login: "Wanda", id: 14 });
    expect(h.merges()).toEqual([]);
  });
});
