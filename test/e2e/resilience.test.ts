// The LLM and GitHub misbehaving, from the outside: an endpoint without structured output (json_schema
// refused → json_object, whose first answer has the wrong shape → one repair re-ask), an LLM outage, and
// GitHub answering 502 to a write. What the user sees must still be right, and nothing is posted twice.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startWorld, waitFor, type World } from "./harness.ts";
import { prFiles, userComments } from "./payloads.ts";
import type { SimRepo } from "./sim/state.ts";

describe("e2e: an LLM endpoint without structured output, LLM and GitHub faults", {
  timeout: 240_000,
}, () => {
  let w: World;
  let repo: SimRepo;
  const bot = (n: number) => w.sim.state.commentsOn(repo, n).filter((c) => c.user.login === w.sim.botLogin);

  beforeAll(async () => {
    // Two attempts per job, so a job that keeps failing reaches its dead-letter note within the test.
    w = await startWorld({ llm: { rejectJsonSchema: true }, env: { STEWARD_JOB_MAX_ATTEMPTS: "2" } });
    repo = w.sim.state.addRepo("acme/legacy");
    repo.permissions.set("alice", "write");
  });
  let expectedDead: string[] = [];
  afterEach(() => w.assertClean({ dead: expectedDead }));
  afterAll(async () => {
    await w?.stop();
  });

  it("json_schema refused → json_object; the wrong-shaped first answer is repaired once; the review is posted", async () => {
    const pr = w.sim.state.openPull(repo, {
      title: "Query method",
      author: "alice",
      head: "q",
      files: prFiles("ky-query-method"),
    });
    await userComments(w, repo, pr.number, "alice", "/review");
    await w.idle();
    const calls = (w.llm?.requests ?? []).map((r) => `${r.mode}:${r.status}`);
    expect(calls).toEqual(["json_schema:400", "json_object:200", "json_object:200"]);
    const repair = w.llm?.requests[2]?.messages.at(-1)?.content ?? "";
    expect(repair).toContain("does not match");
    const review = bot(pr.number);
    expect(review).toHaveLength(1);
    expect(review[0]?.body).toContain("## Steward review");
  });

  it("an LLM outage ends in a visible failure note, not silence, and a later /review recovers", async () => {
    const pr = w.sim.state.openPull(repo, {
      title: "Outage",
      author: "alice",
      head: "o",
      files: prFiles("express-query-revalidation"),
    });
    const fault = w.llm?.fail({ status: 500, times: Number.POSITIVE_INFINITY }) as { times?: number };
    await userComments(w, repo, pr.number, "alice", "/review");
    await w.idle();
    expectedDead = ["command.review"];
    // The dead-letter note follows the job's last attempt (not part of any job, so idle() cannot see it).
    const note = await waitFor(
      () => (bot(pr.number).length ? bot(pr.number) : undefined),
      "the failure note",
      90_000,
    );
    expect(note).toHaveLength(1);
    expect(note[0]?.body).toMatch(/retry|try again/i);
    expect(note[0]?.body).not.toContain("## Steward review");
    fault.times = 0;
    await userComments(w, repo, pr.number, "alice", "/review");
    await w.idle();
    expect(bot(pr.number).some((c) => c.body.includes("## Steward review"))).toBe(true);
  });

  it("GitHub answers 502 to the comment write: retried, and the PR ends with exactly one reply", async () => {
    const pr = w.sim.state.openPull(repo, {
      title: "Flaky GitHub",
      author: "alice",
      head: "f",
      files: prFiles("express-rename-only"),
    });
    const fault = w.sim.fail({ operationId: "issues/create-comment", status: 502, times: 1 });
    await userComments(w, repo, pr.number, "alice", "/help");
    await w.idle();
    expect(fault.hits).toBe(1);
    expect(bot(pr.number)).toHaveLength(1);
  });
});
