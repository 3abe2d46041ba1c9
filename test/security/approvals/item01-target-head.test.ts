import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readAudit } from "../../../src/agents/audit.ts";
import { commandHash } from "../../../src/agents/commands.ts";
import { proposalHash } from "../../../src/agents/pin.ts";
import { getProposal } from "../../../src/agents/proposals.ts";
import { backends } from "../../helpers/db.ts";
import { examplePayload } from "../../helpers/webhooks.ts";
import { HEAD, Harness, ISSUE, MAYA, PR, PUSHED, WES } from "./harness.ts";

// Issue 9 A1: `/agent` on an ISSUE, the worker proposes acting on ANOTHER ticket, PR #2; #2's author
// force-pushes; a maintainer ticks. The approval must be bound to the head the maintainer saw.

describe.each(backends)("A1 a proposal on another PR is bound to that PR's head ($name)", ({ open }) => {
  let h: Harness;
  beforeEach(async () => {
    h = await new Harness(await open()).start();
  });
  afterEach(async () => h.stop());

  async function proposed(command: Record<string, unknown>) {
    await h.agent("fix the crash, then merge the parser PR", MAYA, ISSUE);
    const { runId, token } = await h.claim();
    const p = await h.propose(runId, token, command);
    return { runId, token, p };
  }

  it("records #2's head when proposed, shows it, hashes it; a force-push before the tick is refused with a reply", async () => {
    const merge = { type: "merge_pr", number: PR, method: "squash" } as const;
    const { p } = await proposed(merge);
    expect(p).toMatchObject({ ticketNumber: ISSUE, targetNumber: PR, headSha: HEAD, status: "pending" });
    expect(p.sha256).toBe(proposalHash(merge, { number: PR, sha: HEAD }));
    expect(p.sha256).not.toBe(commandHash(merge));
    const { unticked } = h.bodies(p);
    expect(unticked).toContain(
      `- **Target:** \`Codertocat/Hello-World\` PR #2 at head \`${HEAD}\` (refused if #2's head moves before it runs)`,
    );

    h.gh.pulls.set(PR, { sha: PUSHED, ref: "fix/parser" }); // the PR author force-pushes
    await h.tick(p, MAYA);

    expect(h.merges()).toEqual([]);
    expect((await getProposal(h.t.db, p.id))!.status).toBe("invalidated");
    expect(h.replies()).toEqual([
      `⛔ Steward refused proposal \`${p.id}\` from @maya: the head moved from ${HEAD.slice(0, 12)} to ${PUSHED.slice(0, 12)} since the proposal. Nothing was executed.`,
    ]);
    expect((await readAudit(h.t.db, { proposalId: p.id })).map((a) => [a.decision, a.reason])).toEqual([
      ["refuse", `the head moved from ${HEAD.slice(0, 12)} to ${PUSHED.slice(0, 12)} since the proposal`],
    ]);
  });

  it("an unmoved head merges with `sha` = the head shown", async () => {
    const { p } = await proposed({ type: "merge_pr", number: PR, method: "squash" });
    await h.tick(p, MAYA);
    expect(h.merges()).toEqual([
      {
        method: "PUT",
        path: `/repos/${h.gh.owner}/${h.gh.repo}/pulls/${PR}/merge`,
        body: { sha: HEAD, merge_method: "squash" },
      },
    ]);
    expect((await getProposal(h.t.db, p.id))!.status).toBe("executed");
  });

  it("the head moving while the merge call is in flight: GitHub refuses (409) because Steward sent the sha", async () => {
    const { p } = await proposed({ type: "merge_pr", number: PR, method: "merge" });
    h.gh.onRequest = async (req) => {
      if (req.method === "PUT" && req.path.endsWith(`/pulls/${PR}/merge`))
        h.gh.pulls.set(PR, { sha: PUSHED, ref: "fix/parser" });
    };
    await h.tick(p, MAYA);
    expect(h.merges()).toHaveLength(1);
    expect(h.merges()[0]!.body).toEqual({ sha: HEAD, merge_method: "merge" });
    expect((await getProposal(h.t.db, p.id))!.status).toBe("failed");
    expect(h.replies().at(-1)).toMatch(
      /^❌ Approved by @maya \(maintain\) for sha256:[0-9a-f]{12}\. `merge_pr`: failed: .*409/s,
    );
  });

  it("label and close of another PR, and push to its branch, are pinned the same way", async () => {
    await h.agent("tidy up", MAYA, ISSUE);
    const { runId, token } = await h.claim();
    const label = await h.propose(runId, token, { type: "label", number: PR, labels: ["ready"] });
    const close = await h.propose(runId, token, { type: "close_issue", number: PR });
    const push = await h.propose(runId, token, { type: "push", branch: "fix/parser" });
    for (const p of [label, close, push]) expect(p).toMatchObject({ targetNumber: PR, headSha: HEAD });

    h.gh.pulls.set(PR, { sha: PUSHED, ref: "fix/parser" });
    await h.tick(label, MAYA);
    await h.tick(close, MAYA);
    await h.tick(push, WES);
    expect(
      h.gh.requests.filter(
        (r) =>
          r.path.endsWith(`/issues/${PR}/labels`) ||
          (r.method === "PATCH" && r.path.endsWith(`/issues/${PR}`)),
      ),
    ).toEqual([]);
    for (const p of [label, close, push])
      expect((await getProposal(h.t.db, p.id))!.status).toBe("invalidated");
    expect((await h.approvedFor(runId, token)).body).toEqual({ commands: [] });
  });

  it("a push approved against the head, then the head moves before the worker polls: not handed out, reply posted", async () => {
    await h.agent("push the fix", MAYA, ISSUE);
    const { runId, token } = await h.claim();
    const push = await h.propose(runId, token, { type: "push", branch: "fix/parser" });
    await h.tick(push, WES);
    expect((await getProposal(h.t.db, push.id))!.status).toBe("approved");
    h.gh.pulls.set(PR, { sha: PUSHED, ref: "fix/parser" });
    expect((await h.approvedFor(runId, token)).body).toEqual({ commands: [] });
    expect((await getProposal(h.t.db, push.id))!.status).toBe("invalidated");
    expect(h.replies().at(-1)).toBe(
      `⛔ Steward did not release proposal \`${push.id}\` (approved by @wes) to its worker: the head of #2 moved from ${HEAD.slice(0, 12)} to ${PUSHED.slice(0, 12)} since the proposal. Nothing was executed.`,
    );
  });

  it("an unmoved push is handed out once, with the head to lease against", async () => {
    await h.agent("push the fix", MAYA, ISSUE);
    const { runId, token } = await h.claim();
    const push = await h.propose(runId, token, { type: "push", branch: "fix/parser" });
    await h.tick(push, WES);
    expect((await h.approvedFor(runId, token)).body).toEqual({
      commands: [
        {
          proposalId: push.id,
          sha256: push.sha256,
          command: { type: "push", branch: "fix/parser" },
          argv: null,
          expectedHeadSha: HEAD,
        },
      ],
    });
    expect((await h.approvedFor(runId, token)).body).toEqual({ commands: [] });
  });

  it("the push event itself retires proposals bound to the old head, visibly, before anyone ticks", async () => {
    const { p } = await proposed({ type: "merge_pr", number: PR, method: "squash" });
    h.gh.pulls.set(PR, { sha: PUSHED, ref: "fix/parser" });
    const sync = examplePayload("pull_request", "synchronize");
    sync.installation = { id: 42 };
    sync.number = PR;
    sync.pull_request.number = PR;
    sync.before = HEAD;
    sync.after = PUSHED;
    sync.pull_request.head.sha = PUSHED;
    sync.sender = { ...sync.sender, login: "pr-author", id: 77, type: "User" };
    await h.send("pull_request", sync);
    await h.drain();
    expect((await getProposal(h.t.db, p.id))!.status).toBe("invalidated");
    const body = h.gh.comments.get(p.commentId!)!.body;
    expect(body).not.toContain("- [ ] approve");
    expect(body).toContain(
      `can no longer be approved: the head of #2 moved from ${HEAD.slice(0, 12)} to ${PUSHED.slice(0, 12)} (pushed by @pr-author).`,
    );
    expect(
      (await readAudit(h.t.db, { proposalId: p.id })).map((a) => [a.senderLogin, a.decision, a.result]),
    ).toEqual([["pr-author", "refuse", "invalidated"]]);
    await h.tick(p, MAYA);
    expect(h.merges()).toEqual([]);
  });
});
