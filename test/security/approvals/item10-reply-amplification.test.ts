import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readAudit } from "../../../src/agents/audit.ts";
import { getProposal } from "../../../src/agents/proposals.ts";
import { REPLIES_PER_USER_PER_WINDOW } from "../../../src/agents/replies.ts";
import { backends } from "../../helpers/db.ts";
import { Harness, MALLORY, MAYA, PR } from "./harness.ts";

// Issue 9 A10: each toggle of a box by an outsider made Steward post a NEW refusal comment: a megaphone
// (notifications to everyone watching) for anyone who can edit. Now: at most one refusal reply per
// comment, edited in place, and at most REPLIES_PER_USER_PER_WINDOW reply writes per user per hour.
// Every refusal is still decided and audited.

describe.each(backends)("A10 refusal replies cannot be amplified ($name)", ({ open }) => {
  let h: Harness;
  beforeEach(async () => {
    h = await new Harness(await open()).start();
  });
  afterEach(async () => h.stop());

  /** Every write of a Steward reply comment: [method, comment id or "new"]. */
  const replyWrites = () =>
    h.gh.requests
      .filter(
        (r) =>
          (r.method === "POST" || r.method === "PATCH") &&
          String(r.body?.body ?? "").startsWith("<!-- steward:agent-reply"),
      )
      .map((r) => r.method);

  async function pending() {
    await h.agent("merge when green", MAYA);
    const { runId, token } = await h.claim();
    return h.propose(runId, token, { type: "merge_pr", number: PR, method: "squash" });
  }

  it("an outsider toggling the box 12 times: one reply comment, written once (the same text is not rewritten); 12 audited refusals", async () => {
    const p = await pending();
    for (let i = 0; i < 12; i++) await h.tick(p, MALLORY); // Steward re-renders it unticked after each
    expect(h.merges()).toEqual([]);
    expect((await getProposal(h.t.db, p.id))!.status).toBe("pending");
    expect(h.gh.own("agent-reply")).toHaveLength(1);
    expect(replyWrites()).toEqual(["POST"]);
    const refusals = (await readAudit(h.t.db, { proposalId: p.id })).filter((a) => a.decision === "refuse");
    expect(refusals).toHaveLength(12);
    expect(h.replies()).toEqual([
      `⛔ Steward refused proposal \`${p.id}\` from @mallory: @mallory has read permission; this maintain-risk proposal needs maintain or admin. Nothing was executed.`,
    ]);
    // A different refusal on the same comment edits that one reply in place.
    await h.tick(p, { login: "wes", id: 12 });
    expect(replyWrites()).toEqual(["POST", "PATCH"]);
    expect(h.replies()).toEqual([
      `⛔ Steward refused proposal \`${p.id}\` from @wes: @wes has write permission; this maintain-risk proposal needs maintain or admin. Nothing was executed.`,
    ]);
  });

  it("one refusal reply per comment, and the per-user budget spans comments: 10 /approve comments → 6 replies", async () => {
    const p = await pending();
    for (let i = 0; i < 10; i++) {
      const c = h.commentCreated(`/approve ${p.id} ${p.sha256.slice(0, 12)}`, MALLORY);
      h.gh.userComment(PR, "mallory", c.comment.body, c.comment.id);
      await h.send("issue_comment", c);
      await h.drain();
    }
    expect(h.merges()).toEqual([]);
    expect(h.gh.own("agent-reply")).toHaveLength(REPLIES_PER_USER_PER_WINDOW);
    expect(replyWrites()).toHaveLength(REPLIES_PER_USER_PER_WINDOW);
    // Another user's budget is their own: the maintainer's approval still gets its reply.
    const c = h.commentCreated(`/approve ${p.id} ${p.sha256.slice(0, 12)}`, MAYA);
    h.gh.userComment(PR, "maya", c.comment.body, c.comment.id);
    await h.send("issue_comment", c);
    await h.drain();
    expect(h.merges()).toHaveLength(1);
    expect(h.replies().at(-1)).toMatch(/^✅ Approved by @maya \(maintain\)/);
  });

  it("an outsider toggling a box in their OWN comment: one reply, edited in place, within the budget", async () => {
    const p = await pending();
    const line = `- [ ] approve ${p.id} (sha256:${p.sha256.slice(0, 12)})`;
    const own = h.gh.userComment(PR, "mallory", line);
    let from = line;
    for (let i = 0; i < 10; i++) {
      const to = from === line ? line.replace("[ ]", "[x]") : line;
      const ev = h.commentEdited(own.id, from, to, MALLORY);
      ev.comment.user = { ...ev.comment.user, login: "mallory", id: 66, type: "User" };
      ev.comment.performed_via_github_app = null;
      own.body = to;
      await h.send("issue_comment", ev);
      await h.drain();
      from = to;
    }
    expect(h.merges()).toEqual([]);
    expect(h.gh.own("agent-reply")).toHaveLength(1);
    expect(replyWrites()).toEqual(["POST"]);
    expect(h.replies()).toEqual([
      "⛔ Steward refused this approval from @mallory: approval boxes count only in Steward's own proposal comments. Nothing was executed.",
    ]);
    const refusals = (await readAudit(h.t.db)).filter((a) => a.senderLogin === "mallory");
    expect(refusals).toHaveLength(5); // one per tick (the un-ticks are not approvals)
  });
});
