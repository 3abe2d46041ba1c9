// Workers from the outside: `/agent` on a PR → a worker claims the run over the worker API (as a real
// worker does, with fetch) → proposes commands → an outsider's tick is refused → a maintainer ticks the
// box in Steward's comment (the edit arrives as issue_comment.edited) → Steward merges exactly the
// approved head, once. Then `steward audit --json` shows every decision.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { spawnSteward } from "../helpers/server.ts";
import { startWorld, type World } from "./harness.ts";
import { issueCommentPayload, issuesPayload, prFiles, userComments, userEdits } from "./payloads.ts";
import type { SimComment, SimIssue, SimRepo } from "./sim/state.ts";

const SECRET = "e2e-worker-secret-0123456789abcdef";

describe("e2e: /agent → worker → proposal → approval → execution", { timeout: 240_000 }, () => {
  let w: World;
  let repo: SimRepo;
  const bot = (n: number) => w.sim.state.commentsOn(repo, n).filter((c) => c.user.login === w.sim.botLogin);
  const api = async (path: string, token: string, body: unknown = {}) => {
    const res = await fetch(`${w.url}/api/workers${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const tick = (c: SimComment) => c.body.replace(/- \[ \] approve/, "- [x] approve");

  beforeAll(async () => {
    // Config read fresh on every job: one test turns on the label trigger in .github/steward.yml.
    w = await startWorld({ env: { WORKER_SHARED_SECRET: SECRET, STEWARD_CONFIG_CACHE_MS: "0" } });
    repo = w.sim.state.addRepo("acme/shop");
    repo.permissions.set("alice", "write");
    repo.permissions.set("mike", "maintain");
    repo.permissions.set("rita", "read");
  });
  afterEach(() => w.assertClean());
  afterAll(async () => {
    await w?.stop();
  });

  it("runs the whole loop and merges exactly the approved head, once", async () => {
    const pr = w.sim.state.openPull(repo, {
      title: "Fix the cart total",
      author: "alice",
      head: "fix/cart",
      files: prFiles("express-query-revalidation"),
    });
    const { comment: cmd } = await userComments(w, repo, pr.number, "alice", "/agent make the tests pass");
    await w.idle();
    expect(
      repo.reactions
        .filter((r) => r.subject.kind === "comment" && r.subject.id === cmd.id)
        .map((r) => r.content),
    ).toEqual(["eyes"]);
    const status = bot(pr.number);
    expect(status).toHaveLength(1);

    // The worker claims the run: instructions from the authorised requester, the ticket fenced as data.
    const claim = await api("/claim", SECRET, { workerId: "e2e-worker", waitMs: 1000 });
    expect(claim.status).toBe(200);
    expect(claim.body.run).toMatchObject({ repo: "acme/shop", ticket: pr.number, requestedBy: "alice" });
    expect(claim.body.run.instructions).toContain("make the tests pass");
    expect(claim.body.contextText).toContain("UNTRUSTED");
    const { id: runId } = claim.body.run;
    const token = claim.body.token as string;
    expect((await api(`/runs/${runId}/progress`, token, { message: "tests pass locally" })).status).toBe(200);
    await w.idle();
    expect(bot(pr.number).find((c) => c.id === status[0]?.id)?.body).toContain("tests pass locally");

    // Two proposals: a label (triage risk) and a merge (maintain risk), each in its own comment.
    const proposed = await api(`/runs/${runId}/proposals`, token, {
      commands: [
        { type: "label", number: pr.number, labels: ["ready"] },
        { type: "merge_pr", number: pr.number, method: "squash" },
      ],
    });
    expect(proposed.status).toBe(201);
    const [label, merge] = proposed.body.proposals as Array<{ id: string; commentId: number; risk: string }>;
    expect(label?.risk).toBe("triage");
    expect(merge?.risk).toBe("maintain");
    await w.idle();
    const mergeComment = repo.comments.get(merge?.commentId as number) as SimComment;
    expect(mergeComment.user.login).toBe(w.sim.botLogin);
    expect(mergeComment.body).toContain(`- [ ] approve ${merge?.id}`);
    expect(mergeComment.body).not.toContain("- [x]");

    // An outsider ticks the merge box: refused with a reply, nothing merged.
    await userEdits(w, repo, mergeComment, "rita", tick(mergeComment));
    await w.idle();
    expect(pr.pull?.merged).toBe(false);
    expect(bot(pr.number).some((c) => /rita/.test(c.body) && /maintain/.test(c.body))).toBe(true);

    // alice (write) approves the label; mike (maintain) approves the merge.
    const labelComment = repo.comments.get(label?.commentId as number) as SimComment;
    await userEdits(w, repo, labelComment, "alice", tick(labelComment));
    await w.idle();
    expect(pr.labels).toEqual(["ready"]);
    const fresh = repo.comments.get(merge?.commentId as number) as SimComment;
    const head = pr.pull?.head.sha;
    const before = fresh.body;
    const approval = await userEdits(
      w,
      repo,
      fresh,
      "mike",
      tick(fresh.body.includes("- [ ] approve") ? fresh : { ...fresh, body: mergeComment.body }),
    );
    await w.idle();
    expect(pr.pull?.merged).toBe(true);
    // GitHub redelivers the approving edit (same delivery id): nothing runs twice.
    const again = issueCommentPayload(w, repo, fresh, "edited", { sender: "mike", previousBody: before });
    expect((await w.deliver("issue_comment", again, { id: approval.id })).status).toBeLessThan(300);
    await w.idle();
    expect(w.sim.calls("pulls/merge").map((r) => r.body)).toEqual([{ merge_method: "squash", sha: head }]);

    // The worker finishes; the status comment says so and the token is revoked.
    const result = await api(`/runs/${runId}/result`, token, { status: "completed", summary: "All green" });
    expect(result.status).toBe(200);
    await w.idle();
    expect(bot(pr.number).find((c) => c.id === status[0]?.id)?.body).toMatch(/completed/i);
    expect((await api(`/runs/${runId}/progress`, token, { message: "late" })).status).toBe(401);

    // Every decision is in the audit log.
    const audit = spawnSteward(["audit", "--json"], { DATABASE_URL: w.env.DATABASE_URL as string });
    expect(await audit.exited).toBe(0);
    const entries = JSON.parse(audit.output()) as Array<Record<string, unknown>>;
    const text = JSON.stringify(entries);
    expect(text).toContain(merge?.id as string);
    expect(text).toContain("rita");
    expect(text).toContain("mike");
  });

  it("the built-in `steward agent-runner` claims an issue's run, runs the coding-agent command, and reports", async () => {
    const issue = w.sim.state.openIssue(repo, {
      title: "Cart total ignores discounts",
      body: "Steps: add a coupon.",
      author: "rita",
    });
    await userComments(w, repo, issue.number, "alice", "/agent add a regression test for coupons");
    await w.idle();
    const status = bot(issue.number);
    expect(status).toHaveLength(1);
    // The agent CLI reads its instructions from the file the runner hands it, as a real one would.
    const command = `node -e "const fs=require('fs');console.log('agent read: '+fs.readFileSync(process.env.STEWARD_INSTRUCTIONS_FILE,'utf8').trim())"`;
    const runner = spawnSteward(
      ["agent-runner", "--once", "--wait-ms", "5000", "--worker-id", "e2e-runner", "--command", command],
      {
        STEWARD_URL: w.url,
        WORKER_SHARED_SECRET: SECRET,
      },
    );
    expect(await runner.exited, runner.output()).toBe(0);
    await w.idle();
    const final = bot(issue.number).find((c) => c.id === status[0]?.id)?.body ?? "";
    expect(final).toMatch(/completed/i);
    expect(final).toContain("agent read: ");
    expect(final).toContain("add a regression test for coupons");
    const run = await w.db.one<{ state: string }>(
      "SELECT state FROM runs WHERE ticket_number = $1 ORDER BY id DESC",
      [issue.number],
    );
    expect(run?.state).toBe("completed");
  });

  it("/approve <id> <prefix> and /deny <id> by comment; a worker's question answered with /answer", async () => {
    const issue = w.sim.state.openIssue(repo, {
      title: "Old coupons never expire",
      body: "Coupons from 2019 still apply.",
      author: "rita",
    });
    await userComments(w, repo, issue.number, "alice", "/agent expire old coupons");
    await w.idle();
    const claim = await api("/claim", SECRET, { workerId: "e2e-worker-2", waitMs: 1000 });
    expect(claim.status).toBe(200);
    const { id: runId } = claim.body.run;
    const token = claim.body.token as string;
    const proposed = await api(`/runs/${runId}/proposals`, token, {
      commands: [
        { type: "label", number: issue.number, labels: ["coupons"] },
        { type: "close_issue", number: issue.number },
      ],
    });
    expect(proposed.status).toBe(201);
    const [label, close] = proposed.body.proposals as Array<{ id: string; sha256: string }>;
    await w.idle();
    // A wrong hash prefix is refused; the right one approves and Steward labels the issue.
    await userComments(w, repo, issue.number, "alice", `/approve ${label?.id} 000000000000`);
    await w.idle();
    expect(issue.labels).toEqual([]);
    await userComments(w, repo, issue.number, "alice", `/approve ${label?.id} ${label?.sha256.slice(0, 12)}`);
    await w.idle();
    expect(issue.labels).toEqual(["coupons"]);
    // /deny: the close is never executed.
    await userComments(w, repo, issue.number, "alice", `/deny ${close?.id}`);
    await w.idle();
    expect(issue.state).toBe("open");
    const states = await w.db.query<{ id: string; status: string }>(
      "SELECT id, status FROM proposals WHERE id IN ($1, $2) ORDER BY id",
      [label?.id ?? "", close?.id ?? ""],
    );
    expect(Object.fromEntries(states.map((r) => [r.id, r.status]))).toEqual({
      [label?.id as string]: "executed",
      [close?.id as string]: "denied",
    });

    // The worker asks; an outsider's answer never reaches it; alice's does.
    const asked = await api(`/runs/${runId}/assistance`, token, { question: "Which date counts as old?" });
    expect(asked.status).toBe(201);
    await w.idle();
    expect(
      w.sim.state
        .commentsOn(repo, issue.number)
        .some((c) => c.user.login === w.sim.botLogin && c.body.includes("Which date counts as old?")),
    ).toBe(true);
    const poll = async () => {
      const res = await fetch(`${w.url}/api/workers/runs/${runId}/assistance/${asked.body.id}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      return (await res.json()) as { state: string; answer?: string; answeredBy?: string };
    };
    await userComments(w, repo, issue.number, "rita", `/answer ${asked.body.id} anything before 2020`);
    await w.idle();
    expect((await poll()).state).not.toBe("answered");
    await userComments(w, repo, issue.number, "alice", `/answer ${asked.body.id} older than 12 months`);
    await w.idle();
    expect(await poll()).toMatchObject({
      state: "answered",
      answer: "older than 12 months",
      answeredBy: "alice",
    });
    expect((await api(`/runs/${runId}/result`, token, { status: "completed", summary: "done" })).status).toBe(
      200,
    );
    await w.idle();
  });

  it("agents.label: a write user's label dispatches a run; a read user's label gets a reply and no run", async () => {
    repo.files.set(".github/steward.yml", "agents:\n  label: agent\n");
    const label = w.sim.state.ensureLabel(repo, "agent");
    const runs = async (n: number) =>
      (await w.db.query("SELECT id FROM runs WHERE repo = 'acme/shop' AND ticket_number = $1", [n])).length;
    const labelled = async (issue: SimIssue, sender: string) => {
      issue.labels.push(label.name);
      const p = issuesPayload(w, repo, issue, "labeled", sender, { label: w.sim.render.label(repo, label) });
      expect((await w.deliver("issues", p)).status).toBeLessThan(300);
      await w.idle();
    };
    const refused = w.sim.state.openIssue(repo, {
      title: "Search is slow",
      body: "Takes 10 s.",
      author: "rita",
    });
    await labelled(refused, "rita");
    expect(await runs(refused.number)).toBe(0);
    const reply = bot(refused.number);
    expect(reply).toHaveLength(1);
    expect(reply[0]?.body).toContain("rita");
    const issue = w.sim.state.openIssue(repo, {
      title: "Search ignores accents",
      body: "café ≠ cafe",
      author: "rita",
    });
    await labelled(issue, "alice");
    expect(await runs(issue.number)).toBe(1);
    expect(bot(issue.number)).toHaveLength(1);
    repo.files.delete(".github/steward.yml");
  });
});
