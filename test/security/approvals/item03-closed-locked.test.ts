import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readAudit } from "../../../src/agents/audit.ts";
import { getProposal } from "../../../src/agents/proposals.ts";
import { backends } from "../../helpers/db.ts";
import { examplePayload } from "../../helpers/webhooks.ts";
import { Harness, INSTALLATION, MAYA, PR } from "./harness.ts";

// Issue 9 A3: closing retired only the proposals that existed then; a proposal made afterwards was
// posted on the closed ticket and ran. Creating AND approving a proposal now read the ticket's state live.

describe.each(backends)("A3 closed or locked tickets never execute ($name)", ({ open }) => {
  let h: Harness;
  beforeEach(async () => {
    h = await new Harness(await open()).start();
  });
  afterEach(async () => h.stop());

  it("the ticket is closed (webhook processed), then the worker proposes: 409, nothing posted, audited", async () => {
    await h.agent("merge when green", MAYA);
    const { runId, token } = await h.claim();
    h.gh.issues.get(PR)!.state = "closed";
    const closed = examplePayload("pull_request", "closed");
    closed.installation = { id: INSTALLATION };
    closed.number = PR;
    closed.pull_request.number = PR;
    await h.send("pull_request", closed);
    await h.drain();

    const r = await h.call(`/runs/${runId}/proposals`, token, {
      commands: [{ type: "merge_pr", number: PR, method: "squash" }],
    });
    expect(r).toEqual({
      status: 409,
      body: {
        error: { code: "ticket_closed", message: "#2 is closed: no new proposals are accepted on it" },
      },
    });
    expect(h.gh.own("proposal")).toEqual([]);
    expect(await h.t.db.query("SELECT id FROM proposals")).toEqual([]);
    expect((await readAudit(h.t.db)).map((a) => [a.decision, a.reason, a.result])).toEqual([
      [
        "refuse",
        `run #${runId} proposed 1 command(s) but #2 is closed; nothing was proposed`,
        "not proposed",
      ],
    ]);
  });

  it("a locked ticket gets no new proposals either", async () => {
    await h.agent("label it", MAYA);
    const { runId, token } = await h.claim();
    h.gh.issues.get(PR)!.locked = true;
    const r = await h.call(`/runs/${runId}/proposals`, token, {
      commands: [{ type: "label", number: PR, labels: ["x"] }],
    });
    expect(r.status).toBe(409);
    expect(r.body.error.message).toBe("#2 is locked: no new proposals are accepted on it");
    expect(h.gh.own("proposal")).toEqual([]);
  });

  it("closed on GitHub but no close event processed (lost, or still queued): the tick is refused, audited, retired", async () => {
    await h.agent("merge when green", MAYA);
    const { runId, token } = await h.claim();
    const p = await h.propose(runId, token, { type: "merge_pr", number: PR, method: "squash" });
    h.gh.issues.get(PR)!.state = "closed";
    await h.tick(p, MAYA);
    expect(h.merges()).toEqual([]);
    expect((await getProposal(h.t.db, p.id))!.status).toBe("invalidated");
    expect((await readAudit(h.t.db, { proposalId: p.id })).map((a) => [a.decision, a.reason])).toEqual([
      ["approve", "all approval checks passed"],
      ["refuse", "#2 is closed"],
    ]);
    expect(h.replies()).toEqual([
      `⛔ Steward refused proposal \`${p.id}\` from @maya: #2 is closed. Nothing was executed.`,
    ]);
  });

  it("locked, via /approve: refused, audited", async () => {
    await h.agent("merge when green", MAYA);
    const { runId, token } = await h.claim();
    const p = await h.propose(runId, token, { type: "merge_pr", number: PR, method: "squash" });
    h.gh.issues.get(PR)!.locked = true;
    const c = h.commentCreated(`/approve ${p.id} ${p.sha256.slice(0, 12)}`, MAYA);
    h.gh.userComment(PR, "maya", c.comment.body, c.comment.id);
    await h.send("issue_comment", c);
    await h.drain();
    expect(h.merges()).toEqual([]);
    expect((await getProposal(h.t.db, p.id))!.status).toBe("invalidated");
    expect((await readAudit(h.t.db, { proposalId: p.id })).at(-1)).toMatchObject({
      decision: "refuse",
      reason: "#2 is locked",
      senderLogin: "maya",
    });
  });
});
