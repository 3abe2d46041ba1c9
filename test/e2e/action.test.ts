// The GitHub Action against the App, on the same events: two identical simulated GitHubs, one driven by
// `steward serve` (signed webhooks), one by the action's bundle in a simulated Actions environment (the
// workflow files of docs/action.md). After each event both must show a user exactly the same thing —
// comments, reviews, inline comments, PR body, labels, reactions — with 0 invalid requests on either side.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ACTIONS_BOT, ActionWorld, seedRepo, seen, WINDOWS } from "./action-harness.ts";
import { startWorld, type World } from "./harness.ts";
import { issueCommentPayload, issuesPayload, prFiles, pullRequestPayload } from "./payloads.ts";
import type { GitHubSimulator } from "./sim/server.ts";
import type { SimRepo } from "./sim/state.ts";

describe("e2e: the Action posts exactly what the App posts", { timeout: 120_000 }, () => {
  let app: World;
  let act: ActionWorld;
  let appRepo: SimRepo;
  let actRepo: SimRepo;

  beforeAll(async () => {
    app = await startWorld({ env: { ...WINDOWS, STEWARD_CONCURRENCY: "1" } });
    act = await new ActionWorld().start();
    // The action's world made a user for the workflow's bot when it issued its token; the same user here
    // keeps the two simulators' ids in step (comment links and reply keys name comment ids).
    app.sim.state.user(ACTIONS_BOT);
    appRepo = seedRepo(app.sim);
    actRepo = seedRepo(act.sim);
  });
  afterEach(async () => {
    expect(app.sim.invalid.splice(0)).toEqual([]);
    expect(act.sim.invalid.splice(0)).toEqual([]);
    expect(app.sim.responseProblems.splice(0)).toEqual([]);
    expect(act.sim.responseProblems.splice(0)).toEqual([]);
    expect(await app.failedJobs()).toEqual([]);
  });
  afterAll(async () => {
    await app?.stop();
    await act?.stop();
  });

  /** The same event on both sides: a signed webhook to the App, a workflow run of the action. */
  let step = 0;
  async function both(event: string, build: (w: World, repo: SimRepo) => any): Promise<string> {
    // Both LLM fakes answer this step's requests from the same seed: the same calls get the same answers.
    step++;
    app.llm!.reseed(step);
    act.llm.reseed(step);
    const llmApp = app.llm!.requests.length;
    const llmAct = act.llm.requests.length;
    await app.deliver(event, build(app, appRepo));
    await app.idle(90_000);
    const r = await act.run(event, build(act.world, actRepo), { env: WINDOWS });
    expect(r.code, r.log.slice(-3000)).toBe(0);
    // The same model calls, in the same order.
    expect(act.llm.requests.slice(llmAct).map((q) => q.name)).toEqual(
      app.llm!.requests.slice(llmApp).map((q) => q.name),
    );
    return r.summary;
  }

  function openPr(): number {
    const a = app.sim.state.openPull(appRepo, {
      title: "Revalidate query",
      body: "Fixes the query cache.",
      author: "alice",
      head: "b/query",
      files: prFiles("express-query-revalidation"),
    });
    const b = act.sim.state.openPull(actRepo, {
      title: "Revalidate query",
      body: "Fixes the query cache.",
      author: "alice",
      head: "b/query",
      files: prFiles("express-query-revalidation"),
    });
    expect(b.number).toBe(a.number);
    return a.number;
  }

  let pr = 0;
  let issueNumber = 0;

  it("pull_request.opened: the same description, review, inline comments and mapping", async () => {
    pr = openPr();
    const summary = await both("pull_request", (w, repo) =>
      pullRequestPayload(w, repo, repo.issues.get(pr)!, "opened"),
    );
    const fromApp = seen(app.sim, appRepo, pr);
    expect(seen(act.sim, actRepo, pr)).toEqual(fromApp);
    expect(fromApp.comments.some((c) => c.includes("## Steward review"))).toBe(true);
    expect(fromApp.body).toContain("<!-- steward:describe:start -->");
    // Authored by the workflow's bot on the action's side.
    expect(act.sim.state.commentsOn(actRepo, pr).every((c) => c.user.login === ACTIONS_BOT)).toBe(true);
    expect(summary).toContain("Event `pull_request.opened` on `acme/widgets` #1.");
    expect(summary).toContain("| ✅ done | `pr.review` |");
  });

  it("a re-run of the same workflow run edits, never duplicates", async () => {
    const before = seen(act.sim, actRepo, pr);
    const creates = act.sim.calls("issues/create-comment").length;
    const reviews = act.sim.calls("pulls/create-review").length;
    const r = await act.run(
      "pull_request",
      pullRequestPayload(act.world, actRepo, actRepo.issues.get(pr)!, "opened"),
      {
        env: WINDOWS,
      },
    );
    expect(r.code).toBe(0);
    expect(act.sim.calls("issues/create-comment").length).toBe(creates);
    expect(act.sim.calls("pulls/create-review").length).toBe(reviews);
    expect(seen(act.sim, actRepo, pr).comments).toHaveLength(before.comments.length);
    expect(seen(act.sim, actRepo, pr).inline).toEqual(before.inline);
    // Keep the App's world in step: the same redelivered event (a new delivery id) on its side.
    await app.deliver("pull_request", pullRequestPayload(app, appRepo, appRepo.issues.get(pr)!, "opened"));
    await app.idle(90_000);
    expect(seen(act.sim, actRepo, pr)).toEqual(seen(app.sim, appRepo, pr));
  });

  it("pull_request.synchronize: only the new commits are reviewed, on both sides alike", async () => {
    const all = prFiles("express-query-revalidation");
    const delta = all.filter((f) => f.filename.startsWith("test/"));
    const pa = app.sim.state.push(appRepo, pr, { files: all, delta, message: "tests" });
    const pb = act.sim.state.push(actRepo, pr, { files: all, delta, message: "tests" });
    expect(pb).toEqual(pa);
    const compares = act.sim.calls("repos/compare-commits-with-basehead").length;
    await both("pull_request", (w, repo) =>
      pullRequestPayload(w, repo, repo.issues.get(pr)!, "synchronize", "alice", {
        before: pa.before,
        after: pa.after,
      }),
    );
    expect(act.sim.calls("repos/compare-commits-with-basehead").length).toBe(compares + 1);
    const fromApp = seen(app.sim, appRepo, pr);
    expect(seen(act.sim, actRepo, pr)).toEqual(fromApp);
    expect(fromApp.comments.find((c) => c.includes("## Steward review"))).toContain("incremental");
  });

  it("/review from a maintainer: 👀, a full review, the same comments", async () => {
    const a = app.sim.state.addComment(appRepo, pr, "alice", "/review");
    const b = act.sim.state.addComment(actRepo, pr, "alice", "/review");
    await both("issue_comment", (w, repo) =>
      issueCommentPayload(w, repo, repo === appRepo ? a : b, "created"),
    );
    const fromApp = seen(app.sim, appRepo, pr, { CMD: a.id });
    expect(seen(act.sim, actRepo, pr, { CMD: b.id })).toEqual(fromApp);
    expect(fromApp.reactions).toContain(`eyes on alice's "/review"`);
  });

  it("/review from an outsider: the same refusal, checked live, nothing reviewed", async () => {
    const a = app.sim.state.addComment(appRepo, pr, "rita", "/review");
    const b = act.sim.state.addComment(actRepo, pr, "rita", "/review");
    const llmBefore = act.llm.requests.length;
    await both("issue_comment", (w, repo) =>
      issueCommentPayload(w, repo, repo === appRepo ? a : b, "created"),
    );
    expect(act.llm.requests.length).toBe(llmBefore);
    expect(act.sim.calls("repos/get-collaborator-permission-level").at(-1)?.path).toContain(
      "/collaborators/rita/",
    );
    const fromApp = seen(app.sim, appRepo, pr, { RITA: a.id });
    expect(seen(act.sim, actRepo, pr, { RITA: b.id })).toEqual(fromApp);
    expect(fromApp.comments.at(-1)).toContain("<!-- steward:reply key=RITA -->");
    expect(fromApp.comments.at(-1)).toContain("@rita `/review` needs **write** permission");
  });

  it("issues.opened: the same triage (score, similar issues, analysis) and labels", async () => {
    const mk = (sim: GitHubSimulator, repo: SimRepo) =>
      sim.state.openIssue(repo, {
        title: "Query cache returns stale results",
        body: "After upgrading, `req.fresh` is true for QUERY requests with a changed ETag.",
        author: "bob",
      });
    const a = mk(app.sim, appRepo);
    const b = mk(act.sim, actRepo);
    expect(b.number).toBe(a.number);
    const summary = await both("issues", (w, repo) =>
      issuesPayload(w, repo, repo.issues.get(a.number)!, "opened"),
    );
    const fromApp = seen(app.sim, appRepo, a.number);
    expect(fromApp.comments.length).toBeGreaterThan(0);
    expect(seen(act.sim, actRepo, a.number)).toEqual(fromApp);
    expect(summary).toContain("| ✅ done | `issue.triage` |");
    issueNumber = a.number;
  });

  it("issue commands (/similar, /score) from a maintainer: the same answers", async () => {
    for (const command of ["/similar", "/score"]) {
      const a = app.sim.state.addComment(appRepo, issueNumber, "alice", command);
      const b = act.sim.state.addComment(actRepo, issueNumber, "alice", command);
      await both("issue_comment", (w, repo) =>
        issueCommentPayload(w, repo, repo === appRepo ? a : b, "created"),
      );
      const fromApp = seen(app.sim, appRepo, issueNumber, { CMD: a.id });
      expect(seen(act.sim, actRepo, issueNumber, { CMD: b.id })).toEqual(fromApp);
      expect(fromApp.reactions).toContain(`eyes on alice's "${command}"`);
    }
  });

  it("the similar-issues index lives in index_path across runs (actions/cache), and is rebuilt when absent", async () => {
    const file = join(act.workspace, ".steward/index.db");
    const meta = () => {
      const db = new DatabaseSync(file, { readOnly: true });
      try {
        return db
          .prepare("SELECT backfilled_at AS at, doc_count AS docs FROM repo_index_meta WHERE repo = ?")
          .get("acme/widgets") as { at: number; docs: number } | undefined;
      } finally {
        db.close();
      }
    };
    const first = meta();
    // The issue and the PR of the earlier steps are in the index the issues.opened run built.
    expect(first?.docs).toBeGreaterThanOrEqual(2);
    const openAndRun = async () => {
      const issue = act.sim.state.openIssue(actRepo, {
        title: "Cache key collides",
        body: "Two keys.",
        author: "bob",
      });
      const r = await act.run("issues", issuesPayload(act.world, actRepo, issue, "opened"), { env: WINDOWS });
      expect(r.code, r.log.slice(-2000)).toBe(0);
    };
    // A cache hit: the index is kept current, not rebuilt.
    await openAndRun();
    expect(meta()?.at).toBe(first?.at);
    // A cache miss (first run, or evicted): rebuilt from the API.
    rmSync(file);
    await openAndRun();
    expect(meta()?.at).toBeGreaterThan(first!.at);
    expect(meta()?.docs).toBeGreaterThan(first!.docs);
  });

  it("a fork PR on pull_request: nothing posted, the job summary says why", async () => {
    const p = pullRequestPayload(act.world, actRepo, actRepo.issues.get(pr)!, "opened");
    p.pull_request.head.repo = { ...p.pull_request.head.repo, full_name: "mallory/widgets" };
    const writes = act.sim.requests.filter((r) => r.method !== "GET").length;
    const r = await act.run("pull_request", p, { inputs: { llm_api_key: "" } });
    expect(r.code).toBe(0);
    expect(act.sim.requests.filter((x) => x.method !== "GET").length).toBe(writes);
    expect(r.summary).toContain("This pull request comes from the fork `mallory/widgets`");
    expect(r.summary).toContain("read-only token and no secrets (the LLM key is absent)");
    expect(r.outputs).toContain("skipped");
  });
});
