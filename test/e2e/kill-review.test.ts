// kill -9 at each step of a PR review, against the real `steward serve`: after the restart the PR ends
// with exactly one review summary and no inline comment posted twice.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSteward, waitHealthy } from "../helpers/server.ts";
import { startWorld, type World } from "./harness.ts";
import { prFiles, userComments } from "./payloads.ts";
import type { HoldSpec } from "./sim/server.ts";
import type { SimRepo } from "./sim/state.ts";

const FINDING_ID = /<!-- steward:finding id=([^ ]+) -->/;

describe("e2e: kill -9 at each step of a PR review", { timeout: 180_000 }, () => {
  let w: World;
  let repo: SimRepo;
  beforeAll(async () => {
    w = await startWorld({ env: { STEWARD_LEASE_MS: "5000" } });
    repo = w.sim.state.addRepo("acme/kill");
    repo.permissions.set("alice", "write");
  });
  afterAll(async () => {
    await w?.stop();
  });

  it.each<[string, HoldSpec]>([
    ["after claiming (the PR is being read)", { operationId: "pulls/get", mode: "before" }],
    [
      "after the LLM answer (nothing posted yet)",
      { operationId: "pulls/list-review-comments", mode: "before" },
    ],
    [
      "after the inline comments (review applied, answer lost)",
      { operationId: "pulls/create-review", mode: "after" },
    ],
    [
      "before the state is saved (the summary carries it)",
      { operationId: "issues/create-comment", mode: "before" },
    ],
    [
      "after the summary comment (applied, answer lost)",
      { operationId: "issues/create-comment", mode: "after" },
    ],
  ])("%s", async (_step, spec) => {
    const pr = w.sim.state.openPull(repo, {
      title: `Kill ${spec.operationId} ${spec.mode}`,
      author: "alice",
      head: `kill/${w.sim.requests.length}`,
      files: prFiles("express-query-revalidation"),
    });
    const hold = w.sim.hold(spec);
    const { status } = await userComments(w, repo, pr.number, "alice", "/review");
    expect(status).toBeLessThan(300);
    await hold.arrived;
    w.proc!.child.kill("SIGKILL");
    await w.proc!.exited;
    hold.release();
    const ownInline = () =>
      [...repo.reviewComments.values()].filter(
        (c) => c.pullNumber === pr.number && c.user.login === w.sim.botLogin,
      );
    const postedBeforeKill = ownInline().map((c) => FINDING_ID.exec(c.body)?.[1]);
    const [job] = await w.db.query<{ state: string }>(
      "SELECT state FROM jobs WHERE kind = 'command.review' ORDER BY id DESC LIMIT 1",
    );
    expect(job?.state).toBe("running"); // killed mid-job, not after it

    w.proc = spawnSteward(["serve"], w.env, { cwd: w.dir });
    await waitHealthy(w.port, w.proc);
    await w.idle(90_000);

    const bot = w.sim.state.commentsOn(repo, pr.number).filter((c) => c.user.login === w.sim.botLogin);
    expect(bot.filter((c) => c.body.includes("## Steward review"))).toHaveLength(1);
    expect(bot.filter((c) => c.body.includes("Steward could not finish"))).toEqual([]);
    expect(bot).toHaveLength(1);
    const ids = ownInline().map((c) => FINDING_ID.exec(c.body)?.[1]);
    expect(ids.every(Boolean)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length); // no inline comment repeated
    // What the killed attempt had already posted is still there, once (the re-run did not post it again).
    for (const id of postedBeforeKill) expect(ids.filter((x) => x === id)).toHaveLength(1);
    if (spec.operationId !== "pulls/get" && spec.operationId !== "pulls/list-review-comments")
      expect(postedBeforeKill.length).toBeGreaterThan(0);
    const [done] = await w.db.query<{ state: string; attempts: number }>(
      "SELECT state, attempts FROM jobs WHERE kind = 'command.review' ORDER BY id DESC LIMIT 1",
    );
    expect(done).toEqual({ state: "done", attempts: 2 });
    expect(w.sim.invalid).toEqual([]);
  });
});
