// Pull-request flows from the outside: a PR opened and pushed to, and every PR command, against the
// GitHub simulator. Each test asserts what a user sees on the PR and that Steward made 0 invalid requests.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startWorld, type World } from "./harness.ts";
import {
  issueCommentPayload,
  prFiles,
  pullRequestPayload,
  reviewCommentPayload,
  userComments,
} from "./payloads.ts";
import type { SimIssue, SimRepo } from "./sim/state.ts";

describe("e2e: pull requests", { timeout: 240_000 }, () => {
  let w: World;
  let repo: SimRepo;
  const bot = (n: number) => w.sim.state.commentsOn(repo, n).filter((c) => c.user.login === w.sim.botLogin);
  const reactionsOn = (commentId: number) =>
    repo.reactions
      .filter((r) => r.subject.kind === "comment" && r.subject.id === commentId)
      .map((r) => r.content);
  const openPr = (title: string, fixture: string, body: string | null = null): SimIssue =>
    w.sim.state.openPull(repo, {
      title,
      body,
      author: "alice",
      head: `b/${title.replace(/\W+/g, "-")}`,
      files: prFiles(fixture),
    });

  beforeAll(async () => {
    w = await startWorld();
    repo = w.sim.state.addRepo("acme/widgets");
    repo.permissions.set("alice", "write");
    repo.permissions.set("rita", "read");
  });
  afterEach(() => w.assertClean());
  afterAll(async () => {
    await w?.stop();
  });

  it("opening a PR runs describe and review: Steward's section in the body, one review with the facts", async () => {
    const pr = openPr("Revalidate query", "express-query-revalidation", "Fixes the query cache.");
    const { status } = await w.deliver("pull_request", pullRequestPayload(w, repo, pr, "opened"));
    expect(status).toBeLessThan(300);
    await w.idle();
    // describe: Steward's section after the author's text, which is kept.
    expect(pr.body).toMatch(
      /^Fixes the query cache\.\n[\s\S]*<!-- steward:describe:start -->[\s\S]*<!-- steward:describe:end -->/,
    );
    expect(pr.body).toContain("PR JSON for AI agents");
    for (const f of ["History.md", "lib/request.js", "test/req.fresh.js"]) expect(pr.body).toContain(f);
    // review: one summary comment with the deterministic facts and the files not reviewed.
    const comments = bot(pr.number);
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).toContain("## Steward review");
    expect(comments[0]?.body).toContain("**Changed:** 3 files, +50 −2");
    expect(comments[0]?.body).toContain("**Not reviewed:**");
    // Inline findings, when the model cited lines in the diff, went in one review GitHub accepted.
    for (const c of repo.reviewComments.values())
      expect(pr.pull?.files.map((f) => f.filename)).toContain(c.path);
  });

  it("a draft PR is left alone (pr.drafts: false) until it is marked ready for review", async () => {
    const pr = w.sim.state.openPull(repo, {
      title: "WIP query",
      body: "Not yet.",
      author: "alice",
      head: "wip/q",
      files: prFiles("ky-query-method"),
      draft: true,
    });
    await w.deliver("pull_request", pullRequestPayload(w, repo, pr, "opened"));
    await w.idle();
    expect(bot(pr.number)).toEqual([]);
    expect(pr.body).toBe("Not yet.");
    if (pr.pull) pr.pull.draft = false;
    await w.deliver("pull_request", pullRequestPayload(w, repo, pr, "ready_for_review"));
    await w.idle();
    expect(pr.body).toContain("<!-- steward:describe:start -->");
    expect(bot(pr.number).filter((c) => c.body.includes("## Steward review"))).toHaveLength(1);
  });

  it("a push reviews only the new commits, and edits the same review comment", async () => {
    const pr = openPr("Query method", "ky-query-method");
    await w.deliver("pull_request", pullRequestPayload(w, repo, pr, "opened"));
    await w.idle();
    const before = bot(pr.number);
    expect(before).toHaveLength(1);
    const all = prFiles("ky-query-method");
    const delta = all.filter((f) => f.filename === "source/core/constants.ts");
    const push = w.sim.state.push(repo, pr.number, { files: all, delta, message: "constants" });
    const compares = w.sim.calls("repos/compare-commits-with-basehead").length;
    await w.deliver(
      "pull_request",
      pullRequestPayload(w, repo, pr, "synchronize", "alice", { before: push.before, after: push.after }),
    );
    await w.idle();
    expect(w.sim.calls("repos/compare-commits-with-basehead").length).toBe(compares + 1);
    const after = bot(pr.number);
    expect(after).toHaveLength(1);
    expect(after[0]?.id).toBe(before[0]?.id);
    expect(after[0]?.body).toContain(`Updated for \`${push.after.slice(0, 12)}\``);
  });

  it("/review with a per-run option: 👀 on the command, one review comment", async () => {
    const pr = openPr("Review me", "express-query-revalidation");
    const { comment } = await userComments(w, repo, pr.number, "alice", "/review --num_findings=2");
    await w.idle();
    expect(reactionsOn(comment.id)).toEqual(["eyes"]);
    const comments = bot(pr.number);
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).toContain("## Steward review");
    // Findings: table rows for inline comments, a list for the ones outside the diff; at most 2.
    const body = comments[0]?.body ?? "";
    const inlineRows = (body.match(/^\| (🛑|🔴|🟡|🔵) /gmu) ?? []).length;
    const unplaced = (body.match(/^- (🛑|🔴|🟡|🔵) \*\*/gmu) ?? []).length;
    expect(inlineRows + unplaced).toBeLessThanOrEqual(2);
    expect([...repo.reviewComments.values()].filter((c) => c.pullNumber === pr.number)).toHaveLength(
      inlineRows,
    );
    // The model's answer (what the LLM fake sent back) offered this many findings.
    const answer = JSON.parse(w.llm?.requests.at(-1)?.answer ?? "{}") as { findings?: unknown[] };
    expect(inlineRows + unplaced).toBe(Math.min(2, answer.findings?.length ?? 0));
  });

  it("/describe writes the PR body section; /describe --format=json posts the PR JSON", async () => {
    const pr = openPr("Describe me", "ky-query-method", "Adds ky.query().");
    await userComments(w, repo, pr.number, "alice", "/describe");
    await w.idle();
    expect(pr.body).toMatch(/^Adds ky\.query\(\)\.\n[\s\S]*<!-- steward:describe:start -->/);
    const n = bot(pr.number).length;
    await userComments(w, repo, pr.number, "alice", "/describe --format=json");
    await w.idle();
    const json = bot(pr.number).slice(n);
    expect(json).toHaveLength(1);
    const block = /```json\n([\s\S]*?)\n```/.exec(json[0]?.body ?? "")?.[1];
    const parsed = JSON.parse(block ?? "null");
    expect(parsed).toMatchObject({
      schemaVersion: 1,
      repository: "acme/widgets",
      number: pr.number,
      headSha: pr.pull?.head.sha,
    });
    expect(parsed.files.map((f: { path: string }) => f.path).sort()).toEqual(
      prFiles("ky-query-method")
        .map((f) => f.filename)
        .sort(),
    );
  });

  it("/improve: suggestions on validated lines or one table comment, never posted twice", async () => {
    const pr = openPr("Improve me", "express-query-revalidation");
    await userComments(w, repo, pr.number, "alice", "/improve");
    await w.idle();
    const first = {
      comments: bot(pr.number).length,
      inline: [...repo.reviewComments.values()].filter((c) => c.pullNumber === pr.number).length,
    };
    expect(first.comments + first.inline).toBeGreaterThan(0);
    for (const c of repo.reviewComments.values())
      if (c.pullNumber === pr.number) expect(c.body).toContain("```suggestion");
    await userComments(w, repo, pr.number, "alice", "/improve");
    await w.idle();
    expect([...repo.reviewComments.values()].filter((c) => c.pullNumber === pr.number)).toHaveLength(
      first.inline,
    );
  });

  it("/ask on the PR answers in one comment; /ask in a review thread replies in that thread", async () => {
    const pr = openPr("Ask me", "express-query-revalidation");
    await userComments(w, repo, pr.number, "alice", "/ask Why is the freshness check changed?");
    await w.idle();
    const answers = bot(pr.number);
    expect(answers).toHaveLength(1);
    expect(answers[0]?.body).toContain("Why is the freshness check changed?");
    // A review thread on lib/request.js line 474 (inside the diff), then /ask as a reply in it.
    const t = new Date().toISOString();
    const thread = {
      id: w.sim.state.nextId(),
      pullNumber: pr.number,
      reviewId: w.sim.state.nextId(),
      user: w.sim.state.user("alice"),
      body: "/ask what does this line do?",
      path: "lib/request.js",
      line: 474,
      side: "RIGHT" as const,
      startLine: null,
      startSide: null,
      commitId: pr.pull?.head.sha as string,
      diffHunk: "@@ -471,8 +471,8 @@",
      createdAt: t,
      updatedAt: t,
    };
    repo.reviewComments.set(thread.id, thread);
    await w.deliver("pull_request_review_comment", reviewCommentPayload(w, repo, thread, "created"));
    await w.idle();
    const replies = [...repo.reviewComments.values()].filter((c) => c.inReplyToId === thread.id);
    expect(replies).toHaveLength(1);
    expect(replies[0]?.user.login).toBe(w.sim.botLogin);
  });

  it("/help lists the commands; /config shows the effective configuration", async () => {
    const pr = openPr("Help me", "express-rename-only");
    const { comment } = await userComments(w, repo, pr.number, "alice", "/help");
    await w.idle();
    expect(reactionsOn(comment.id)).toEqual(["eyes"]);
    const help = bot(pr.number);
    expect(help).toHaveLength(1);
    for (const cmd of ["/review", "/describe", "/improve", "/ask"]) expect(help[0]?.body).toContain(cmd);
    await userComments(w, repo, pr.number, "alice", "/config");
    await w.idle();
    const config = bot(pr.number).slice(1);
    expect(config).toHaveLength(1);
    expect(config[0]?.body).toContain("min_permission");
  });

  it("an outsider's command is refused with a reply naming the permission needed, and nothing runs", async () => {
    const pr = openPr("Outsider", "express-query-revalidation");
    const llmCalls = w.llm?.requests.length;
    await userComments(w, repo, pr.number, "rita", "/review");
    await w.idle();
    const replies = bot(pr.number);
    expect(replies).toHaveLength(1);
    expect(replies[0]?.body).toContain("needs **write** permission");
    expect(replies[0]?.body).toContain("**read**");
    expect(w.llm?.requests.length).toBe(llmCalls);
    expect(pr.body).toBeNull();
  });

  it("a redelivered webhook (same delivery id) does nothing twice; a forged one gets 4xx and does nothing", async () => {
    const pr = openPr("Redeliver", "express-rename-only");
    const first = await userComments(w, repo, pr.number, "alice", "/help", "same-delivery-id");
    await w.idle();
    const payload = issueCommentPayload(w, repo, first.comment, "created");
    const again = await w.deliver("issue_comment", payload, { id: "same-delivery-id" });
    expect(again.status).toBeLessThan(300);
    await w.idle();
    expect(bot(pr.number)).toHaveLength(1);
    const requests = w.sim.requests.length;
    const forged = await w.deliver("issue_comment", payload, { id: "forged-1", secret: "not-the-secret" });
    expect(forged.status).toBeGreaterThanOrEqual(400);
    expect(forged.status).toBeLessThan(500);
    await w.idle();
    expect(w.sim.requests.length).toBe(requests);
    expect(bot(pr.number)).toHaveLength(1);
  });

  it("a PR with 1,500 changed files: every comment and the PR body stay within GitHub's 65,536 characters", async () => {
    // GitHub lists up to 3,000 files per PR; a monorepo-wide rename of an import touches this many.
    const one = prFiles("express-query-revalidation")[1];
    const files = Array.from({ length: 1500 }, (_, i) => ({
      ...one,
      filename: `packages/pkg-${String(i).padStart(4, "0")}/lib/request.js`,
    })) as ReturnType<typeof prFiles>;
    const pr = w.sim.state.openPull(repo, {
      title: "Rename the request helper everywhere",
      body: "Mechanical rename.",
      author: "alice",
      head: "mass/rename",
      files,
    });
    await w.deliver("pull_request", pullRequestPayload(w, repo, pr, "opened"));
    await w.idle();
    // The sim answers 422 to anything longer, which would leave the job failed (checked after each test).
    expect(pr.body?.length).toBeLessThanOrEqual(65_536);
    expect(pr.body).toContain("<!-- steward:describe:start -->");
    const review = bot(pr.number);
    expect(review).toHaveLength(1);
    expect(review[0]?.body.length).toBeLessThanOrEqual(65_536);
    expect(review[0]?.body).toContain("**Changed:** 1500 files");
    expect(w.sim.requests.filter((r) => r.status === 422)).toEqual([]);
  });
});
