// Issue flows from the outside: a new issue is triaged after the grace window (score, similar, analysis),
// and the issue commands /triage /score /similar /analyze /locate, against the GitHub simulator.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startWorld, type World } from "./harness.ts";
import { issuesPayload, prFiles, pullRequestPayload, userComments } from "./payloads.ts";
import type { SimIssue, SimRepo } from "./sim/state.ts";

const FIXTURES = resolve(import.meta.dirname, "../../fixtures");

interface Report {
  project: string;
  number: number;
  title: string;
  body: string;
  created_at: string;
}

/** Files a corpus report in the simulator with its real creation time. */
function fileReport(w: World, repo: SimRepo, r: Report): SimIssue {
  const i = w.sim.state.openIssue(repo, { title: r.title, body: r.body, author: "reporter" });
  i.createdAt = r.created_at.replace(/\.\d{3}Z$/, "Z");
  i.updatedAt = i.createdAt;
  return i;
}

/** Real Hadoop Jira reports (fixtures/similar): a duplicate pair plus unrelated neighbours. */
function hadoopReports(): Report[] {
  const all = gunzipSync(readFileSync(resolve(FIXTURES, "similar/corpus.jsonl.gz")))
    .toString("utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Report)
    .filter((r) => r.project === "hadoop");
  return all.slice(0, 40);
}

function corpusReport(n: number): Report {
  const corpus = gunzipSync(readFileSync(resolve(FIXTURES, "similar/corpus.jsonl.gz"))).toString("utf8");
  return JSON.parse(corpus.split("\n").find((l) => l.includes(`"number":${n},`)) as string) as Report;
}

// HADOOP "Replace HTrace with No-Op tracer", resolved as a duplicate of an earlier report.
const DUPLICATE = 13345117;
const ORIGINAL = 13341443;

describe("e2e: issues", { timeout: 240_000 }, () => {
  let w: World;
  let repo: SimRepo;
  const bot = (n: number) => w.sim.state.commentsOn(repo, n).filter((c) => c.user.login === w.sim.botLogin);

  beforeAll(async () => {
    w = await startWorld();
    repo = w.sim.state.addRepo("acme/hadoop");
    repo.permissions.set("tina", "triage");
    repo.permissions.set("rita", "read");
    // A grace window of about 2 s, so the test can see that nothing happens before it ends.
    repo.files.set(".github/steward.yml", "issues:\n  grace_minutes: 0.03\n");
    repo.files.set("hadoop-project/pom.xml", "<project/>\n");
    repo.files.set(
      "hadoop-common-project/hadoop-common/src/main/java/org/apache/hadoop/fs/FileSystem.java",
      "class FileSystem {}\n",
    );
    for (const r of hadoopReports()) {
      const i = fileReport(w, repo, r);
      i.state = "closed";
      i.closedAt = i.createdAt;
      i.stateReason = "completed";
    }
    // The original of a real duplicate pair (fixtures/similar/duplicates.jsonl).
    fileReport(w, repo, corpusReport(ORIGINAL));
  });
  afterEach(() => w.assertClean());
  afterAll(async () => {
    await w?.stop();
  });

  const original = () =>
    [...repo.issues.values()].find((i) => i.title === corpusReport(ORIGINAL).title) as SimIssue;

  it("a new issue is left alone during the grace window, then gets its score and its similar issues", async () => {
    const issue = fileReport(w, repo, { ...corpusReport(DUPLICATE), created_at: new Date().toISOString() });
    const { status } = await w.deliver("issues", issuesPayload(w, repo, issue, "opened"));
    expect(status).toBeLessThan(300);
    await new Promise((r) => setTimeout(r, 700));
    expect(bot(issue.number)).toEqual([]);
    await w.idle();
    const bodies = bot(issue.number).map((c) => c.body);
    expect(bodies.filter((b) => b.includes("steward:issue-score"))).toHaveLength(1);
    // Similar: the real original is listed and the issue is labelled, never closed.
    const similar = bodies.filter((b) => b.includes("steward:issue-similar"));
    expect(similar).toHaveLength(1);
    expect(similar[0]).toContain(`#${original().number}`);
    expect(issue.labels).toContain("possible-duplicate");
    expect(issue.state).toBe("open");
    // Links point at this GitHub Enterprise Server, not github.com (issue 10 §3.2).
    expect(similar[0]).not.toContain("https://github.com/");
  });

  it("a terse issue scores below the threshold: the request for what is missing and the label, until the author's edit lifts it", async () => {
    const text = readFileSync(resolve(FIXTURES, "issues/got-stream-terse.md"), "utf8");
    const issue = w.sim.state.openIssue(repo, { title: "stream broken", body: text, author: "reporter" });
    await w.deliver("issues", issuesPayload(w, repo, issue, "opened"));
    await w.idle();
    const bodies = bot(issue.number).map((c) => c.body);
    const score = bodies.filter((b) => b.includes("steward:issue-score"));
    expect(score).toHaveLength(1);
    expect(score[0]).toContain("Steps to reproduce");
    expect(score[0]).toMatch(
      /Documentation score: \d+(\.\d)?\/10 \(bug report; this repository asks for 5\)/,
    );
    expect(issue.labels).toContain("needs-more-info");
    // Below the threshold, no automatic analysis.
    expect(bodies.some((b) => b.includes("steward:issue-analysis"))).toBe(false);

    // The author edits in a full report: the same comment thanks them, the label goes.
    const scoreComment = bot(issue.number).find((c) => c.body.includes("steward:issue-score"));
    const previous = issue.body;
    issue.body = readFileSync(resolve(FIXTURES, "issues/axios-6282-form.md"), "utf8");
    issue.updatedAt = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
    await w.deliver(
      "issues",
      issuesPayload(w, repo, issue, "edited", "reporter", { changes: { body: { from: previous } } }),
    );
    await w.idle();
    const after = bot(issue.number).filter((c) => c.body.includes("steward:issue-score"));
    expect(after.map((c) => c.id)).toEqual([scoreComment?.id]);
    expect(after[0]?.body).toMatch(/→/);
    expect(issue.labels).not.toContain("needs-more-info");
  });

  it("/score, /similar, /triage, /analyze and /locate by a triage user; an outsider is refused", async () => {
    const text = readFileSync(resolve(FIXTURES, "issues/got-socket-hang-up.md"), "utf8");
    const issue = w.sim.state.openIssue(repo, {
      title: "Timeouts are not cleared on socket hang up",
      body: text,
      author: "reporter",
    });
    const run = async (cmd: string) => {
      const before = bot(issue.number).map((c) => c.id);
      const { comment } = await userComments(w, repo, issue.number, "tina", cmd);
      await w.idle();
      const reactions = repo.reactions.filter(
        (r) => r.subject.kind === "comment" && r.subject.id === comment.id,
      );
      expect(
        reactions.map((r) => r.content),
        cmd,
      ).toEqual(["eyes"]);
      // New comments, and comments Steward edited since (persistent ones are updated in place).
      return bot(issue.number)
        .filter((c) => !before.includes(c.id) || c.updatedAt > comment.createdAt)
        .map((c) => c.body);
    };
    const score = await run("/score");
    expect(score.join("\n")).toMatch(/Documentation score: \*\*\d+(\.\d)?\/10\*\*/);
    expect(score.join("\n")).toContain("The score is computed without AI.");
    const similar = await run("/similar");
    expect(similar.join("\n")).toMatch(
      /No similar issues or PRs above the related threshold \(0\.30\) among the \d+ indexed/,
    );
    const triage = await run("/triage");
    expect(triage.join("\n")).toContain("Triage done.");
    const analyze = await run("/analyze");
    const analysis = bot(issue.number).find((c) => c.body.includes("steward:issue-analysis"));
    expect(analysis?.body).toContain("## First-principles analysis");
    expect(analyze.join("\n")).toContain(
      `Analysis posted: ${w.sim.origin}/acme/hadoop/issues/${issue.number}#issuecomment-${analysis?.id}`,
    );
    const locate = await run("/locate");
    expect(locate.join("\n")).toContain("## Likely files");
    expect(locate.join("\n")).toContain(`${w.sim.origin}/acme/hadoop/blob/main/`);
    expect(locate.join("\n")).not.toContain("https://github.com/");

    const before = bot(issue.number).length;
    await userComments(w, repo, issue.number, "rita", "/analyze");
    await w.idle();
    const refusal = bot(issue.number).slice(before);
    expect(refusal).toHaveLength(1);
    expect(refusal[0]?.body).toContain("needs **triage** permission");
  });

  it("a PR that closes an issue gets the issue↔code mapping", async () => {
    const issue = w.sim.state.openIssue(repo, {
      title: "Query cache is stale",
      body: "lib/request.js returns stale data",
      author: "reporter",
    });
    const pr = w.sim.state.openPull(repo, {
      title: "Revalidate",
      body: `Fixes #${issue.number}`,
      author: "tina",
      head: "fix/rv",
      files: prFiles("express-query-revalidation"),
    });
    await w.deliver("pull_request", pullRequestPayload(w, repo, pr, "opened"));
    await w.idle();
    const mapping = bot(pr.number).filter((c) => c.body.includes("steward:issue-map"));
    expect(mapping).toHaveLength(1);
    expect(mapping[0]?.body).toContain(`### #${issue.number} Query cache is stale`);
    expect(mapping[0]?.body).toMatch(/\| path `lib\/request\.js` \| `lib\/request\.js` \| 1\.00 \|/);
  });
});
