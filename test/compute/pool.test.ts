import { afterAll, describe, expect, it } from "vitest";
import { closeCompute, configureCompute, runTask, TaskBudgetError } from "../../src/compute/pool.ts";
import { parsePullFiles } from "../../src/tools/pr/parse-files.ts";

/** One file whose patch has `lines` added lines: a huge PR, as GitHub would list it. */
function hugeFile(lines: number) {
  const body = Array.from(
    { length: lines },
    (_, i) => `+const value${i} = compute(${i}, "${"x".repeat(40)}");`,
  );
  return {
    filename: "src/generated.ts",
    status: "added",
    additions: lines,
    deletions: 0,
    patch: `@@ -0,0 +1,${lines} @@\n${body.join("\n")}`,
  };
}

describe("compute pool", () => {
  afterAll(() => closeCompute());

  it("runs a task in a worker thread and returns what the pure function returns", async () => {
    const raw = [hugeFile(50)];
    const out = await runTask("parsePullFiles", raw, { what: "the diff" });
    expect(out).toEqual(parsePullFiles(raw));
    expect(out.files[0]!.additions).toBe(50);
  });

  it("terminates a task over its budget with a clear error, keeps the main thread free meanwhile, and keeps serving", async () => {
    await closeCompute();
    configureCompute({ budgetMs: 150, threads: 1 });
    const raw = [hugeFile(400_000)];
    let ticks = 0;
    const tick = setInterval(() => ticks++, 10);
    const t0 = Date.now();
    const err = await runTask("parsePullFiles", raw, { what: "the diff of pull request #7" }).catch((e) => e);
    const took = Date.now() - t0;
    clearInterval(tick);
    expect(err).toBeInstanceOf(TaskBudgetError);
    expect(err.transient).toBe(false);
    expect(err.userMessage).toContain("Steward stopped processing the diff of pull request #7");
    expect(err.userMessage).toContain("0.2 s budget for one task (STEWARD_TASK_BUDGET_MS)");
    // Terminated near the budget, not after the whole parse; the event loop kept ticking throughout.
    expect(took).toBeLessThan(5_000);
    expect(ticks).toBeGreaterThan(took / 10 / 4);
    // The pool replaced the terminated thread and still answers.
    const ok = await runTask("parsePullFiles", [hugeFile(3)], { what: "the diff" });
    expect(ok.files[0]!.additions).toBe(3);
    configureCompute({ budgetMs: 20_000, threads: 2 });
  });

  it("cancels a task when its job's signal aborts", async () => {
    await closeCompute();
    const job = new AbortController();
    const p = runTask("parsePullFiles", [hugeFile(400_000)], { what: "the diff", signal: job.signal });
    setTimeout(() => job.abort(new Error("lease lost")), 50);
    await expect(p).rejects.toThrow("lease lost");
  });
});
