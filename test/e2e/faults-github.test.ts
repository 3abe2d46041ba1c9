// Fault injection against the real `steward serve`: GitHub answers 5xx on reads and writes, and
// rate-limits (secondary limits with retry-after; primary limit exhausted with x-ratelimit-reset).
// Each job backs off as GitHub documents and ends with exactly one comment.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorld, type World } from "./harness.ts";
import { prFiles, userComments } from "./payloads.ts";
import type { FaultSpec } from "./sim/server.ts";
import type { SimRepo } from "./sim/state.ts";

describe("e2e faults: GitHub errors and rate limits", { timeout: 90_000 }, () => {
  let w: World;
  let repo: SimRepo;
  beforeAll(async () => {
    w = await startWorld({ llm: false });
    repo = w.sim.state.addRepo("acme/faults");
    repo.permissions.set("alice", "write");
  });
  afterAll(async () => {
    await w?.stop();
  });

  /** Opens a PR, injects `fault`, sends /help, waits for the queue; returns the PR's requests. */
  async function helpUnder(fault: FaultSpec) {
    const pr = w.sim.state.openPull(repo, {
      title: `Fault ${fault.status}`,
      author: "alice",
      head: `fault/${w.sim.requests.length}`,
      files: prFiles("ky-query-method"),
    });
    const injected = w.sim.fail(fault);
    const { status } = await userComments(w, repo, pr.number, "alice", "/help");
    expect(status).toBeLessThan(300);
    await w.idle(60_000);
    const bot = w.sim.state.commentsOn(repo, pr.number).filter((c) => c.user.login === w.sim.botLogin);
    const path = new RegExp(`/issues/${pr.number}/comments$`);
    const calls = w.sim.requests.filter((r) => path.test(r.path));
    return { pr, bot, calls, injected };
  }

  function expectOneHelpComment(bot: Array<{ body: string }>) {
    expect(bot).toHaveLength(1);
    expect(bot[0]!.body).toContain("<!-- steward:help key=");
  }

  it.each([500, 502, 503])(
    "GitHub %i on the comment write: retried, then exactly one comment",
    async (code) => {
      const { bot, calls, injected } = await helpUnder({
        operationId: "issues/create-comment",
        status: code,
        times: 2,
      });
      expect(injected.hits).toBe(2);
      expectOneHelpComment(bot);
      expect(calls.filter((c) => c.method === "POST").map((c) => c.status)).toEqual([code, code, 201]);
      expect(await w.failedJobs()).toEqual([]);
    },
  );

  it.each([500, 502, 503])(
    "GitHub %i on the comment read: retried, then exactly one comment",
    async (code) => {
      const { bot, calls, injected } = await helpUnder({ operationId: "issues/list-comments", status: code });
      expect(injected.hits).toBe(1);
      expectOneHelpComment(bot);
      expect(calls.filter((c) => c.method === "GET").map((c) => c.status)).toEqual([code, 200]);
      expect(calls.filter((c) => c.method === "POST").map((c) => c.status)).toEqual([201]);
    },
  );

  it.each([
    [403, "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."],
    [429, "Too Many Requests"],
  ])(
    "secondary rate limit (%i with retry-after): waits at least retry-after, then one comment",
    async (code, message) => {
      const { bot, calls, injected } = await helpUnder({
        operationId: "issues/create-comment",
        status: code,
        headers: { "retry-after": "2" },
        body: { message, documentation_url: "https://docs.github.com/rest" },
      });
      expect(injected.hits).toBe(1);
      expectOneHelpComment(bot);
      const posts = calls.filter((c) => c.method === "POST");
      expect(posts.map((c) => c.status)).toEqual([code, 201]);
      expect(posts[1]!.at - posts[0]!.at).toBeGreaterThanOrEqual(2_000 - 50);
      expect(await w.failedJobs()).toEqual([]);
    },
  );

  it("primary rate limit exhausted (x-ratelimit-remaining: 0): waits for x-ratelimit-reset, then one comment", async () => {
    const reset = Math.ceil(Date.now() / 1000) + 3;
    const { bot, calls, injected } = await helpUnder({
      operationId: "issues/create-comment",
      status: 403,
      headers: {
        "x-ratelimit-limit": "5000",
        "x-ratelimit-remaining": "0",
        "x-ratelimit-used": "5000",
        "x-ratelimit-reset": String(reset),
      },
      body: {
        message: "API rate limit exceeded for installation ID 1.",
        documentation_url: "https://docs.github.com/rest",
      },
    });
    expect(injected.hits).toBe(1);
    expectOneHelpComment(bot);
    const posts = calls.filter((c) => c.method === "POST");
    expect(posts.map((c) => c.status)).toEqual([403, 201]);
    // Not before the reset GitHub named (second granularity).
    expect(posts[1]!.at).toBeGreaterThanOrEqual(reset * 1000 - 1_000);
    expect(await w.failedJobs()).toEqual([]);
    expect(w.sim.invalid).toEqual([]);
  });
});
