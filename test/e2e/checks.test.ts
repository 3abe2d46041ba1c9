// The "Steward review" check run (pr.checks: true), in App mode (steward serve + webhooks) and in Action
// mode (the bundle in a simulated Actions environment), against the GitHub simulator: in_progress when the
// review starts, completed with the summary and one annotation per finding on a changed line, the
// conclusion under checks_fail_on, the same run updated by a re-review and by a re-run, 0 invalid requests.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { examplePayload } from "../helpers/webhooks.ts";
import { ACTIONS_BOT, ActionWorld, WINDOWS } from "./action-harness.ts";
import { startWorld, type World } from "./harness.ts";
import { issueCommentPayload, prFiles, pullRequestPayload } from "./payloads.ts";
import type { GitHubSimulator } from "./sim/server.ts";
import type { SimCheckRun, SimIssue, SimRepo } from "./sim/state.ts";

/** What the model says in these flows: a major and a minor finding on changed lines, one outside the diff. */
const REVIEW = {
  effort: 3,
  summary: "Adds QUERY to the methods req.fresh validates.",
  findings: [
    {
      file: "lib/request.js",
      startLine: 475,
      endLine: 476,
      severity: "major",
      title: "Comment and condition drift apart",
      explanation: "The method list is duplicated in the comment.",
    },
    {
      file: "test/req.fresh.js",
      startLine: 51,
      endLine: 51,
      severity: "minor",
      title: "Test name is long",
      explanation: "Shorten it.",
    },
    {
      file: "lib/request.js",
      startLine: 12,
      endLine: 12,
      severity: "info",
      title: "Unrelated line outside the diff",
      explanation: "Not part of any hunk.",
    },
  ],
  securityConcerns: [],
  tests: { assessment: "Two tests cover QUERY." },
  canBeSplit: { possible: false, suggestions: [] },
};

const GATE = "pr:\n  checks: true\n  checks_fail_on: major\nissues:\n  grace_minutes: 0\n";
const PLAIN = "pr:\n  checks: true\nissues:\n  grace_minutes: 0\n";

function addRepo(sim: GitHubSimulator, name: string, config: string): SimRepo {
  const repo = sim.state.addRepo(name, { installationId: 1 });
  repo.permissions.set("alice", "write");
  repo.files.set(".github/steward.yml", config);
  return repo;
}

function openPr(sim: GitHubSimulator, repo: SimRepo, head = "b/query"): SimIssue {
  return sim.state.openPull(repo, {
    title: "Revalidate query",
    body: "Fixes the query cache.",
    author: "alice",
    head,
    files: prFiles("express-query-revalidation"),
  });
}

function runsFor(repo: SimRepo, sha: string): SimCheckRun[] {
  return [...repo.checkRuns.values()].filter((r) => r.headSha === sha);
}

/** Steward's inline comments on the PR, as the ranges an annotation should cover. */
function inlineRanges(repo: SimRepo, n: number): string[] {
  return [...repo.reviewComments.values()]
    .filter((c) => c.pullNumber === n && c.user.type === "Bot" && c.body.includes("steward:finding"))
    .map((c) => `${c.path}:${c.startLine ?? c.line}-${c.line}`)
    .sort();
}

function annotationRanges(run: SimCheckRun): string[] {
  return run.annotations.map((a) => `${a.path}:${a.start_line}-${a.end_line}`).sort();
}

/** The lifecycle the simulator saw for one run: create (in_progress) → updates → completed. */
function lifecycle(sim: GitHubSimulator, runId: number): string[] {
  return sim.requests
    .filter(
      (r) =>
        (r.operationId === "checks/create" && r.status === 201) ||
        (r.operationId === "checks/update" && r.path.endsWith(`/check-runs/${runId}`)),
    )
    .map((r) => {
      const b = r.body as { status?: string; conclusion?: string; output?: { annotations?: unknown[] } };
      return `${r.operationId.split("/")[1]}:${b.conclusion ?? b.status ?? "output"}:${b.output?.annotations?.length ?? 0}`;
    });
}

describe("e2e: check runs in App mode", { timeout: 120_000 }, () => {
  let w: World;
  let gate: SimRepo;
  let plain: SimRepo;
  let pr: SimIssue;

  beforeAll(async () => {
    w = await startWorld({ env: { ...WINDOWS, STEWARD_CONCURRENCY: "1" } });
    w.llm!.answerWith("review", REVIEW);
    gate = addRepo(w.sim, "acme/gate", GATE);
    plain = addRepo(w.sim, "acme/plain", PLAIN);
  });
  afterEach(async () => {
    expect(w.sim.invalid.splice(0)).toEqual([]);
    expect(w.sim.responseProblems.splice(0)).toEqual([]);
    expect(w.llm!.scriptProblems).toEqual([]);
    expect(await w.failedJobs()).toEqual([]);
  });
  afterAll(async () => {
    await w?.stop();
  });

  it("PR opened: in_progress, then completed with the summary, annotations and the checks_fail_on conclusion", async () => {
    pr = openPr(w.sim, gate);
    w.llm!.reseed(3);
    await w.deliver("pull_request", pullRequestPayload(w, gate, pr, "opened"));
    await w.idle(90_000);
    const runs = runsFor(gate, pr.pull!.head.sha);
    expect(runs).toHaveLength(1);
    const run = runs[0]!;
    expect(run).toMatchObject({ name: "Steward review", externalId: "steward:review", status: "completed" });
    expect(run.conclusion).toBe("failure");
    const steps = lifecycle(w.sim, run.id);
    expect(steps[0]).toBe("create:in_progress:0");
    expect(steps.at(-1)).toMatch(/^update:(neutral|failure):\d+$/);
    expect(annotationRanges(run)).toEqual(inlineRanges(gate, pr.number));
    expect(
      run.annotations.map((a) => [a.path, a.start_line, a.end_line, a.annotation_level, a.title]),
    ).toEqual([
      ["lib/request.js", 475, 476, "failure", "major: Comment and condition drift apart"],
      ["test/req.fresh.js", 51, 51, "warning", "minor: Test name is long"],
    ]);
    expect(run.output?.title).toBe("3 findings (1 major, 1 minor, 1 info)");
    expect(run.output?.summary).toContain("**Review effort:** 3/5");
    expect(run.output?.summary).toContain("**Findings:** 1 major, 1 minor, 1 info");
    expect(run.output?.summary).toContain("1 finding not on a changed line");
    expect(run.output?.summary).toContain("**Not reviewed:** none");
    expect(run.output?.summary).toContain("fails on a major finding or worse");
  });

  it("without checks_fail_on the conclusion is neutral", async () => {
    const p = openPr(w.sim, plain, "b/plain");
    w.llm!.reseed(3);
    await w.deliver("pull_request", pullRequestPayload(w, plain, p, "opened"));
    await w.idle(90_000);
    const [run] = runsFor(plain, p.pull!.head.sha);
    expect(run?.status).toBe("completed");
    expect(run?.conclusion).toBe("neutral");
    expect(run?.annotations).toHaveLength(2);
  });

  it("/review on the same SHA updates the same run, without repeating its annotations", async () => {
    const [before] = runsFor(gate, pr.pull!.head.sha);
    const annotations = before!.annotations.length;
    const batches = before!.batches.length;
    w.llm!.reseed(3);
    const c = w.sim.state.addComment(gate, pr.number, "alice", "/review");
    await w.deliver("issue_comment", issueCommentPayload(w, gate, c, "created"));
    await w.idle(90_000);
    const runs = runsFor(gate, pr.pull!.head.sha);
    expect(runs).toHaveLength(1);
    expect(runs[0]!.id).toBe(before!.id);
    expect(runs[0]!.batches.length).toBeGreaterThan(batches);
    expect(runs[0]!.annotations).toHaveLength(annotations);
    expect(w.sim.calls("checks/list-annotations").length).toBeGreaterThan(0);
    expect(runs[0]!.status).toBe("completed");
  });

  it("check_run.rerequested (the Re-run button) reviews again and updates the same run", async () => {
    const [run] = runsFor(gate, pr.pull!.head.sha);
    const reviews = w.llm!.requests.filter((r) => r.name === "review").length;
    const p = examplePayload("check_run", "rerequested");
    p.repository = w.sim.render.repository(gate);
    p.sender = w.sim.render.user(w.sim.state.user("alice"));
    p.installation = { id: gate.installationId, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==" };
    delete p.organization;
    p.check_run = {
      ...p.check_run,
      id: run!.id,
      name: run!.name,
      external_id: run!.externalId,
      head_sha: run!.headSha,
      status: "completed",
      conclusion: run!.conclusion,
      app: { ...p.check_run.app, slug: "steward-test" },
      pull_requests: [
        {
          number: pr.number,
          id: pr.number,
          url: `${w.sim.origin}/api/v3/repos/acme/gate/pulls/${pr.number}`,
          head: {
            ref: pr.pull!.head.ref,
            sha: pr.pull!.head.sha,
            repo: p.check_run.pull_requests?.[0]?.head?.repo,
          },
          base: {
            ref: pr.pull!.base.ref,
            sha: pr.pull!.base.sha,
            repo: p.check_run.pull_requests?.[0]?.base?.repo,
          },
        },
      ],
    };
    const batches = run!.batches.length;
    await w.deliver("check_run", p);
    await w.idle(90_000);
    expect(w.llm!.requests.filter((r) => r.name === "review").length).toBe(reviews + 1);
    const runs = runsFor(gate, pr.pull!.head.sha);
    expect(runs).toHaveLength(1);
    expect(runs[0]!.batches.length).toBeGreaterThan(batches);
    expect(runs[0]!.status).toBe("completed");
  });

  it("an installation that has not accepted Checks: write still gets its review, which says why there is no check", async () => {
    const p = openPr(w.sim, plain, "b/no-checks");
    w.sim.fail({
      operationId: "checks/create",
      status: 403,
      body: { message: "Resource not accessible by integration" },
    });
    await w.deliver("pull_request", pullRequestPayload(w, plain, p, "opened"));
    await w.idle(90_000);
    expect(runsFor(plain, p.pull!.head.sha)).toEqual([]);
    const review = w.sim.state
      .commentsOn(plain, p.number)
      .find((c) => c.user.login === w.sim.botLogin && c.body.includes("## Steward review"));
    expect(review?.body).toContain('The "Steward review" check run could not be created:');
    expect(review?.body).toContain("Checks: Read and write");
  });

  it("a check_run.rerequested for another app's run starts nothing", async () => {
    const reviews = w.llm!.requests.filter((r) => r.name === "review").length;
    const p = examplePayload("check_run", "rerequested");
    p.repository = w.sim.render.repository(gate);
    p.sender = w.sim.render.user(w.sim.state.user("alice"));
    p.installation = { id: gate.installationId, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==" };
    p.check_run = { ...p.check_run, name: "CI", external_id: "", pull_requests: [{ number: pr.number }] };
    await w.deliver("check_run", p);
    await w.idle(90_000);
    expect(w.llm!.requests.filter((r) => r.name === "review").length).toBe(reviews);
  });
});

describe("e2e: check runs in Action mode", { timeout: 120_000 }, () => {
  let act: ActionWorld;
  let gate: SimRepo;
  let pr: SimIssue;

  beforeAll(async () => {
    act = await new ActionWorld().start();
    act.llm.answerWith("review", REVIEW);
    gate = addRepo(act.sim, "acme/gate", GATE);
  });
  afterEach(() => {
    expect(act.sim.invalid.splice(0)).toEqual([]);
    expect(act.sim.responseProblems.splice(0)).toEqual([]);
    expect(act.llm.scriptProblems).toEqual([]);
  });
  afterAll(async () => {
    await act?.stop();
  });

  it("PR opened: the run is the workflow's, with the same lifecycle, annotations and conclusion", async () => {
    pr = openPr(act.sim, gate);
    act.llm.reseed(3);
    const r = await act.run("pull_request", pullRequestPayload(act.world, gate, pr, "opened"), {
      env: WINDOWS,
    });
    expect(r.code, r.log.slice(-2000)).toBe(0);
    const runs = runsFor(gate, pr.pull!.head.sha);
    expect(runs).toHaveLength(1);
    const run = runs[0]!;
    expect(run.creator).toBe(ACTIONS_BOT);
    expect(run.status).toBe("completed");
    expect(run.conclusion).toBe("failure");
    expect(lifecycle(act.sim, run.id)[0]).toBe("create:in_progress:0");
    expect(annotationRanges(run)).toEqual(inlineRanges(gate, pr.number));
    expect(run.annotations).toHaveLength(2);
    expect(r.summary).toContain("`POST /repos/{owner}/{repo}/check-runs`");
  });

  it("re-running the workflow updates the same run", async () => {
    const [before] = runsFor(gate, pr.pull!.head.sha);
    const annotations = before!.annotations.length;
    act.llm.reseed(3);
    const r = await act.run("pull_request", pullRequestPayload(act.world, gate, pr, "opened"), {
      env: WINDOWS,
    });
    expect(r.code).toBe(0);
    const runs = runsFor(gate, pr.pull!.head.sha);
    expect(runs).toHaveLength(1);
    expect(runs[0]!.id).toBe(before!.id);
    expect(runs[0]!.annotations).toHaveLength(annotations);
    expect(runs[0]!.status).toBe("completed");
  });

  it("a review that fails for good: the run says so (failure under checks_fail_on), one comment, exit 1", async () => {
    const p = openPr(act.sim, gate, "b/broken");
    // The workflow's token may not write reviews (e.g. `pull-requests: read`): GitHub answers 403.
    act.sim.fail({
      operationId: "pulls/create-review",
      status: 403,
      body: { message: "Resource not accessible by integration" },
      times: Number.POSITIVE_INFINITY,
    });
    act.llm.reseed(3);
    const r = await act.run("pull_request", pullRequestPayload(act.world, gate, p, "opened"), {
      env: WINDOWS,
    });
    expect(r.code).toBe(1);
    const [run] = runsFor(gate, p.pull!.head.sha);
    expect(run).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(run!.output?.title).toBe("Review failed");
    const failures = act.sim.state
      .commentsOn(gate, p.number)
      .filter((c) => c.body.startsWith("<!-- steward:failure key=action"));
    expect(failures).toHaveLength(1);
    expect(failures[0]!.body).toContain("`pr.review`");
    expect(failures[0]!.body).toContain("Pull requests: Read and write");
    expect(r.summary).toContain("| ❌ failed | `pr.review` |");
    expect(r.outputs).toContain("failure");
    // A re-run that fails again edits the same failure comment.
    act.llm.reseed(3);
    const again = await act.run("pull_request", pullRequestPayload(act.world, gate, p, "opened"), {
      env: WINDOWS,
    });
    expect(again.code).toBe(1);
    expect(
      act.sim.state
        .commentsOn(gate, p.number)
        .filter((c) => c.body.startsWith("<!-- steward:failure key=action")),
    ).toHaveLength(1);
    expect(runsFor(gate, p.pull!.head.sha)).toHaveLength(1);
  });
});
