import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorld, type World } from "./harness.ts";
import { prFiles, pullRequestPayload, userComments } from "./payloads.ts";
import type { SimRepo } from "./sim/state.ts";

describe("e2e: pull requests", { timeout: 60_000 }, () => {
  let w: World;
  let repo: SimRepo;
  beforeAll(async () => {
    w = await startWorld();
    repo = w.sim.state.addRepo("acme/widgets");
    repo.permissions.set("alice", "write");
  });
  afterAll(async () => {
    await w?.stop();
  });

  it("/help on a PR: 👀, then one comment listing the commands", async () => {
    const pr = w.sim.state.openPull(repo, {
      title: "Add query method",
      author: "alice",
      head: "feat/query",
      files: prFiles("ky-query-method"),
    });
    const { comment, status } = await userComments(w, repo, pr.number, "alice", "/help");
    expect(status).toBeLessThan(300);
    await w.idle();
    const bot = w.sim.state.commentsOn(repo, pr.number).filter((c) => c.user.login === w.sim.botLogin);
    expect(bot).toHaveLength(1);
    expect(bot[0]?.body).toContain("/review");
    expect(
      repo.reactions
        .filter((r) => r.subject.kind === "comment" && r.subject.id === comment.id)
        .map((r) => r.content),
    ).toEqual(["eyes"]);
    expect(w.sim.invalid).toEqual([]);
    expect(w.sim.responseProblems).toEqual([]);
  });

  it("opening a PR runs describe and review", async () => {
    const pr = w.sim.state.openPull(repo, {
      title: "Revalidate query",
      body: "Fixes the query cache.",
      author: "alice",
      head: "fix/q",
      files: prFiles("express-query-revalidation"),
    });
    const { status } = await w.deliver("pull_request", pullRequestPayload(w, repo, pr, "opened"));
    expect(status).toBeLessThan(300);
    await w.idle();
    // describe: Steward's section in the PR body, the author's text kept above it.
    expect(pr.body).toMatch(
      /^Fixes the query cache\.\n[\s\S]*<!-- steward:describe:start -->[\s\S]*<!-- steward:describe:end -->/,
    );
    expect(pr.body).toContain("PR JSON for AI agents");
    // review: one summary comment by the App, with the facts and the list of files not reviewed.
    const bot = w.sim.state.commentsOn(repo, pr.number).filter((c) => c.user.login === w.sim.botLogin);
    expect(bot).toHaveLength(1);
    expect(bot[0]?.body).toContain("## Steward review");
    expect(bot[0]?.body).toContain("**Changed:** 3 files, +50 −2");
    expect(bot[0]?.body).toContain("**Not reviewed:**");
    expect(await w.failedJobs()).toEqual([]);
    expect(w.sim.invalid).toEqual([]);
    expect(w.sim.responseProblems).toEqual([]);
  });
});
