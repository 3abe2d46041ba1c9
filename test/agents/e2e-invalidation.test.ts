import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readAudit } from "../../src/agents/audit.ts";
import { getProposal } from "../../src/agents/proposals.ts";
import { extraRoutes } from "../../src/server/extra-routes.ts";
import { type TestApp, testApp } from "../helpers/app.ts";
import { sqliteTestDb, type TestDb } from "../helpers/db.ts";
import { examplePayload } from "../helpers/webhooks.ts";
import { FakeGitHub } from "./github.ts";
import { commentCreated, commentEdited, HEAD, MAYA, PR, REPO, SECRET } from "./webhooks.ts";

// Hidden proposal comments and closed tickets through the real webhook path: app.receive → routes →
// jobs → the real GitHubGateway (REST + GraphQL) over the nock-backed fake GitHub.

describe("proposal invalidation through the webhook path", () => {
  let t: TestDb;
  let app: TestApp;
  let gh: FakeGitHub;
  let server: Server | undefined;

  beforeEach(async () => {
    t = await sqliteTestDb();
    app = testApp(t.db, { WORKER_SHARED_SECRET: SECRET });
    gh = new FakeGitHub(REPO, 42);
    gh.perms.set("maya", "maintain");
    gh.issues.set(PR, { title: "Flaky test", body: "It flakes." });
    gh.pulls.set(PR, { sha: HEAD, ref: "fix/parser" });
  });
  afterEach(async () => {
    if (server) await new Promise((r) => server!.close(r));
    server = undefined;
    await t.cleanup();
  });

  /** `/agent` on the PR, a worker claims the run over HTTP and proposes a merge. */
  async function proposeMerge() {
    const handlers = extraRoutes(app.services, { sweepEveryMs: null });
    server = createServer((req, res) => {
      void (async () => {
        for (const h of handlers) if (await h(req, res, new URL(req.url!, "http://x"))) return;
        res.writeHead(404).end();
      })();
    });
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
    const base = `http://127.0.0.1:${(server!.address() as AddressInfo).port}/api/workers`;
    const post = async (path: string, auth: string, body: unknown) =>
      (
        await fetch(`${base}${path}`, {
          method: "POST",
          headers: { authorization: `Bearer ${auth}`, "content-type": "application/json" },
          body: JSON.stringify(body),
        })
      ).json() as Promise<any>;
    await app.receive("issue_comment", commentCreated("/agent merge when green", MAYA));
    await app.drain();
    const claimed = await post("/claim", SECRET, { workerId: "w1", waitMs: 1000 });
    const proposed = await post(`/runs/${claimed.run.id}/proposals`, claimed.token, {
      commands: [{ type: "merge_pr", number: PR, method: "squash" }],
    });
    await new Promise((r) => setTimeout(r, 50)); // the API's fire-and-forget status update
    const p = (await getProposal(t.db, proposed.proposals[0].id))!;
    return { p, comment: gh.comments.get(p.commentId!)! };
  }

  it("a maintainer's tick on a hidden proposal comment is refused after a live GraphQL check", async () => {
    const { p, comment } = await proposeMerge();
    const unticked = comment.body;
    const ticked = unticked.replace("- [ ] approve", "- [x] approve");
    gh.minimized.set(comment.id, "OUTDATED");
    comment.body = ticked;
    await app.receive(
      "issue_comment",
      commentEdited({ id: comment.id, body: ticked }, unticked, MAYA),
      "d-h",
    );
    await app.drain();

    expect(gh.requests.filter((r) => r.path === "/graphql").map((r) => r.body.variables)).toEqual([
      { id: `IC_node${comment.id}` },
    ]);
    expect(gh.requests.filter((r) => r.method === "PUT")).toEqual([]);
    expect((await getProposal(t.db, p.id))!.status).toBe("invalidated");
    const reason = "the proposal comment is hidden (outdated); a hidden proposal cannot be approved";
    expect(gh.own("agent-reply").map((c) => c.body.split("\n")[1])).toEqual([
      `⛔ Steward refused proposal \`${p.id}\` from @maya: ${reason}. Nothing was executed.`,
    ]);
    expect(
      (await readAudit(t.db, { proposalId: p.id })).map((a) => [a.deliveryId, a.decision, a.reason]),
    ).toEqual([["d-h", "refuse", reason]]);
    expect(gh.unexpectedWrites()).toEqual([]);
  });

  it("/approve of a hidden proposal reads the comment's node_id over REST, asks GraphQL, and refuses", async () => {
    const { p, comment } = await proposeMerge();
    gh.minimized.set(comment.id, "SPAM");
    const approve = commentCreated(`/approve ${p.id} ${p.sha256.slice(0, 12)}`, MAYA);
    gh.userComment(PR, "maya", approve.comment.body, approve.comment.id);
    await app.receive("issue_comment", approve, "d-a");
    await app.drain();
    const gql = gh.requests.findIndex((r) => r.path === "/graphql");
    expect(gh.requests[gql - 1]).toMatchObject({
      method: "GET",
      path: `/repos/${REPO}/issues/comments/${comment.id}`,
    });
    expect(gh.requests[gql]!.body.variables).toEqual({ id: `IC_node${comment.id}` });
    expect(gh.requests.filter((r) => r.method === "PUT")).toEqual([]);
    expect((await getProposal(t.db, p.id))!.status).toBe("invalidated");
    expect(
      (await readAudit(t.db, { proposalId: p.id })).map((a) => [a.senderLogin, a.role, a.reason]),
    ).toEqual([
      ["maya", "maintain", "the proposal comment is hidden (spam); a hidden proposal cannot be approved"],
    ]);
  });

  it("closing the PR retires its pending proposal: comment and status edited, audited, no approval after", async () => {
    const { p, comment } = await proposeMerge();
    const unticked = comment.body;
    const closed = examplePayload("pull_request", "closed");
    closed.installation = { id: 42 };
    closed.number = PR;
    closed.pull_request.number = PR;
    closed.sender = { ...closed.sender, login: "maya", id: 11, type: "User" };
    await app.receive("pull_request", closed, "d-close");
    await app.drain();

    expect((await getProposal(t.db, p.id))!).toMatchObject({
      status: "invalidated",
      decidedDeliveryId: "d-close",
    });
    expect(gh.comments.get(comment.id)!.body.split("\n").slice(0, 5)).toEqual([
      `<!-- steward:proposal key=${p.id} -->`,
      `<!-- steward:proposal id=${p.id} sha=${p.sha256} -->`,
      `### Steward proposal \`${p.id}\` · \`merge_pr\` · invalidated`,
      "",
      `This proposal from worker run #${p.runId} can no longer be approved: the pull request was closed by @maya.`,
    ]);
    expect(gh.own("agent-run")[0]!.body).toContain(`| \`${p.id}\` | \`merge_pr\` | invalidated |`);
    expect(
      (await readAudit(t.db, { proposalId: p.id })).map((a) => [a.deliveryId, a.senderLogin, a.result]),
    ).toEqual([["d-close", "maya", "invalidated"]]);

    // A tick that arrives afterwards (on the old body) cannot approve it.
    const ticked = unticked.replace("- [ ] approve", "- [x] approve");
    await app.receive(
      "issue_comment",
      commentEdited({ id: comment.id, body: ticked }, unticked, MAYA),
      "d-late",
    );
    await app.drain();
    expect(gh.requests.filter((r) => r.method === "PUT")).toEqual([]);
    expect((await readAudit(t.db, { proposalId: p.id })).at(-1)).toMatchObject({
      deliveryId: "d-late",
      decision: "refuse",
      reason: `proposal ${p.id} is already invalidated`,
    });
    expect(gh.unexpectedWrites()).toEqual([]);
  });
});
