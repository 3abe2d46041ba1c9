// A pull request closed and reopened, from the outside: `pull_request.reopened` (the real example from
// @octokit/webhooks-examples, overlaid with the simulator's state by payloads.ts) runs the automatic tools
// as `opened` does (docs/pr-tools.md: pr.auto on open / reopen / ready for review), and Steward's review
// comment and its section of the PR body are updated in place, never duplicated.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startWorld, type World } from "./harness.ts";
import { prFiles, pullRequestPayload } from "./payloads.ts";
import type { SimIssue, SimRepo } from "./sim/state.ts";

describe("e2e: pull request reopened", { timeout: 240_000 }, () => {
  let w: World;
  let repo: SimRepo;
  const bot = (n: number) => w.sim.state.commentsOn(repo, n).filter((c) => c.user.login === w.sim.botLogin);
  const sections = (body: string | null) => (body ?? "").split("<!-- steward:describe:start -->").length - 1;
  const close = (pr: SimIssue) => {
    const t = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
    Object.assign(pr, { state: "closed", closedAt: t, updatedAt: t });
  };
  const reopen = (pr: SimIssue) => {
    const t = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
    Object.assign(pr, { state: "open", closedAt: null, updatedAt: t });
  };

  beforeAll(async () => {
    w = await startWorld();
    repo = w.sim.state.addRepo("acme/widgets");
    repo.permissions.set("alice", "write");
  });
  afterEach(() => w.assertClean());
  afterAll(async () => {
    await w?.stop();
  });

  it("a PR Steward never saw open, reopened, gets describe and review as on opened", async () => {
    const pr = w.sim.state.openPull(repo, {
      title: "Revalidate query",
      body: "Fixes the query cache.",
      author: "alice",
      head: "b/revalidate",
      files: prFiles("express-query-revalidation"),
    });
    close(pr);
    reopen(pr);
    const { status } = await w.deliver("pull_request", pullRequestPayload(w, repo, pr, "reopened"));
    expect(status).toBeLessThan(300);
    await w.idle();
    expect(pr.body).toMatch(
      /^Fixes the query cache\.\n[\s\S]*<!-- steward:describe:start -->[\s\S]*<!-- steward:describe:end -->/,
    );
    expect(sections(pr.body)).toBe(1);
    const comments = bot(pr.number);
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).toContain("## Steward review");
    expect(comments[0]?.body).toContain("**Changed:** 3 files, +50 −2");
  });

  it("opened, closed, then reopened: the tools run again with no duplicate comment or section", async () => {
    const pr = w.sim.state.openPull(repo, {
      title: "Query method",
      body: "Adds a query method.",
      author: "alice",
      head: "b/query-method",
      files: prFiles("ky-query-method"),
    });
    await w.deliver("pull_request", pullRequestPayload(w, repo, pr, "opened"));
    await w.idle();
    const first = bot(pr.number);
    expect(first).toHaveLength(1);
    expect(first[0]?.body).toContain("## Steward review");
    expect(sections(pr.body)).toBe(1);
    const reviewsBefore = repo.reviews.filter((r) => r.pullNumber === pr.number).length;

    close(pr);
    await w.deliver("pull_request", pullRequestPayload(w, repo, pr, "closed"));
    await w.idle();
    reopen(pr);
    const llmBefore = w.llm?.requests.length ?? 0;
    await w.deliver("pull_request", pullRequestPayload(w, repo, pr, "reopened"));
    await w.idle();
    expect(w.llm?.requests.length ?? 0).toBeGreaterThan(llmBefore);
    const after = bot(pr.number);
    expect(after).toHaveLength(1);
    expect(after[0]?.id).toBe(first[0]?.id);
    expect(after[0]?.body).toContain("## Steward review");
    expect(pr.body).toMatch(/^Adds a query method\.\n/);
    expect(sections(pr.body)).toBe(1);
    expect(repo.reviews.filter((r) => r.pullNumber === pr.number).length).toBeLessThanOrEqual(
      reviewsBefore + 1,
    );
  });
});
