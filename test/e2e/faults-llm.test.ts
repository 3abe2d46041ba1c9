// Fault injection against the real `steward serve`: the LLM endpoint hangs, drops the connection
// mid-answer, or answers 500/429. Each /review ends with either its result or one failure comment, and
// nothing half-posted (no inline comment without its review, no second summary).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorld, type World } from "./harness.ts";
import { prFiles, userComments } from "./payloads.ts";
import type { SimRepo } from "./sim/state.ts";

const TIMEOUT_MS = 1_500;

describe("e2e faults: the LLM endpoint", { timeout: 120_000 }, () => {
  let w: World;
  let repo: SimRepo;
  beforeAll(async () => {
    w = await startWorld({
      env: { LLM_TIMEOUT_MS: String(TIMEOUT_MS), LLM_MAX_RETRIES: "0", STEWARD_JOB_MAX_ATTEMPTS: "2" },
    });
    repo = w.sim.state.addRepo("acme/llm-faults");
    repo.permissions.set("alice", "write");
  });
  afterAll(async () => {
    await w?.stop();
  });

  /** /review on a fresh PR under whatever fault the caller injected; what the PR ends up showing. */
  async function review(title: string) {
    const pr = w.sim.state.openPull(repo, {
      title,
      author: "alice",
      head: `llm/${w.llm!.requests.length}-${title.length}`,
      files: prFiles("express-query-revalidation"),
    });
    const before = w.llm!.requests.length;
    const { status } = await userComments(w, repo, pr.number, "alice", "/review");
    expect(status).toBeLessThan(300);
    await w.idle(90_000);
    // The failure comment follows the dead-letter by a moment.
    await new Promise((r) => setTimeout(r, 800));
    const bot = w.sim.state.commentsOn(repo, pr.number).filter((c) => c.user.login === w.sim.botLogin);
    const reviews = repo.reviews.filter((r) => r.pullNumber === pr.number);
    const inline = [...repo.reviewComments.values()].filter((c) => c.pullNumber === pr.number);
    const calls = w.llm!.requests.slice(before).filter((r) => r.name === "review");
    return { pr, bot, reviews, inline, calls };
  }

  function expectResult(r: Awaited<ReturnType<typeof review>>) {
    const summaries = r.bot.filter((c) => c.body.includes("## Steward review"));
    expect(summaries).toHaveLength(1);
    expect(r.bot.filter((c) => c.body.includes("Steward could not finish"))).toEqual([]);
    // Inline findings, if any, belong to exactly one review.
    expect(r.reviews.length).toBeLessThanOrEqual(1);
    if (r.inline.length) expect(r.reviews).toHaveLength(1);
  }

  it("hangs once: the request times out after LLM_TIMEOUT_MS, the retry gets the result", async () => {
    const held = w.llm!.hold(); // never released
    const t0 = Date.now();
    const r = await review("LLM hangs once");
    await held.arrived;
    expect(r.calls).toHaveLength(2);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(TIMEOUT_MS);
    expectResult(r);
  });

  it("drops the connection mid-answer once: retried, then the result", async () => {
    const cut = w.llm!.fail({ status: 200, cut: true, name: "review" });
    const r = await review("LLM connection drops");
    expect(cut.hits).toBe(1);
    expect(r.calls).toHaveLength(2);
    expectResult(r);
  });

  it.each([
    [500, {}],
    [429, { "retry-after": "1" }],
  ])("answers %i once: retried, then the result", async (code, headers) => {
    const fault = w.llm!.fail({ status: code, headers, name: "review" });
    const r = await review(`LLM ${code}`);
    expect(fault.hits).toBe(1);
    expect(r.calls).toHaveLength(2);
    expectResult(r);
  });

  it("keeps answering 500: after the last attempt, one failure comment and no partial review", async () => {
    const fault = w.llm!.fail({ status: 500, name: "review", times: Number.POSITIVE_INFINITY });
    const r = await review("LLM down");
    fault.times = 0;
    expect(r.calls).toHaveLength(2); // STEWARD_JOB_MAX_ATTEMPTS=2
    const failures = r.bot.filter((c) => c.body.includes("Steward could not finish `command.review`"));
    expect(failures).toHaveLength(1);
    expect(r.bot.filter((c) => c.body.includes("## Steward review"))).toEqual([]);
    expect(r.reviews).toEqual([]);
    expect(r.inline).toEqual([]);
    expect(w.sim.invalid).toEqual([]);
  });
});
