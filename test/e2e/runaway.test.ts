import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorld, type World, waitFor } from "./harness.ts";
import { pullRequestPayload } from "./payloads.ts";
import type { SimPullFile, SimRepo } from "./sim/state.ts";

/** A generated file of `lines` added lines: a diff far too big to analyse within a tiny budget. */
function hugeFile(lines: number): SimPullFile {
  const body = Array.from({ length: lines }, (_, i) => `+export const v${i} = ${i}; // ${"x".repeat(40)}`);
  return {
    filename: "src/generated.ts",
    status: "added",
    additions: lines,
    deletions: 0,
    changes: lines,
    patch: `@@ -0,0 +1,${lines} @@\n${body.join("\n")}`,
  };
}

describe("e2e: runaway work on an untrusted diff", { timeout: 120_000 }, () => {
  let w: World;
  let repo: SimRepo;
  beforeAll(async () => {
    w = await startWorld({ env: { STEWARD_TASK_BUDGET_MS: "100" } });
    repo = w.sim.state.addRepo("acme/widgets");
    repo.permissions.set("alice", "write");
  });
  afterAll(async () => {
    await w?.stop();
  });

  it("a diff over the task budget is terminated: the jobs fail with one failure comment each, while /healthz and webhooks keep answering", async () => {
    const pr = w.sim.state.openPull(repo, {
      title: "Regenerate the tables",
      body: "Generated code.",
      author: "alice",
      head: "gen/tables",
      files: [hugeFile(300_000)],
    });
    const payload = pullRequestPayload(w, repo, pr, "opened");
    const { status, id } = await w.deliver("pull_request", payload);
    expect(status).toBeLessThan(300);
    // Probe the server while the jobs run: health and intake must answer promptly throughout.
    let slowest = 0;
    let probes = 0;
    let done = false;
    const probing = (async () => {
      while (!done) {
        const t0 = Date.now();
        const r = await fetch(`${w.url}/healthz`);
        expect(r.status).toBe(200);
        // Intake too: a redelivery is verified, recognised and answered.
        expect((await w.deliver("pull_request", payload, { id })).status).toBeLessThan(300);
        slowest = Math.max(slowest, Date.now() - t0);
        probes++;
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    await w.idle(90_000);
    done = true;
    await probing;
    expect(probes).toBeGreaterThan(3);
    expect(slowest).toBeLessThan(2_000);
    const failed = await w.failedJobs();
    expect(failed.length).toBeGreaterThan(0);
    for (const f of failed) expect(f.last_error).toContain("budget for one task (STEWARD_TASK_BUDGET_MS)");
    // One failure comment per failed job (posted just after the job is marked dead), each saying what
    // happened, and nothing half-posted.
    const botComments = () =>
      w.sim.state.commentsOn(repo, pr.number).filter((c) => c.user.login === w.sim.botLogin);
    await waitFor(() => botComments().length >= failed.length || undefined, "the failure comments");
    await new Promise((r) => setTimeout(r, 500));
    const bot = botComments();
    expect(bot).toHaveLength(failed.length);
    for (const c of bot) {
      expect(c.body).toContain("Steward could not finish");
      expect(c.body).toContain("Steward stopped processing the diff of pull request");
    }
    // Each failed at once: a budget overrun is permanent, so no retry burns more CPU on the same input.
    const runs = await w.db.query<{ n: number }>(
      "SELECT count(*) AS n FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE j.state = 'dead'",
    );
    expect(Number(runs[0]!.n)).toBe(failed.length);
    expect(w.sim.invalid).toEqual([]);
  });
});
