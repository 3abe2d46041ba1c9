import { describe, expect, it } from "vitest";
import { followUpsForPr, ISSUE_GRACE_MS, issuesRoute } from "../../src/events/issues.ts";
import { toEvent } from "../../src/events/intake.ts";
import { examplePayload } from "../helpers/webhooks.ts";

function ev(name: string, payload: any) {
  payload.installation ??= { id: 42 };
  return toEvent(name, "d-1", payload);
}

const kinds = (jobs: Array<{ kind: string }>) => jobs.map((j) => j.kind);

describe("issuesRoute", () => {
  it("issues.opened → triage after the grace window, plus a coalesced index update", () => {
    const p = examplePayload("issues", "opened");
    const jobs = issuesRoute(ev("issues", p));
    expect(jobs).toEqual([
      {
        kind: "index.update",
        repo: "Codertocat/Hello-World",
        payload: {},
        dedupeKey: "index.update:Codertocat/Hello-World",
        debounceMs: 30_000,
      },
      {
        kind: "issue.triage",
        repo: "Codertocat/Hello-World",
        targetNumber: p.issue.number,
        payload: { number: p.issue.number, trigger: "opened", eventAt: Date.parse(p.issue.created_at) },
        dedupeKey: `issue.triage:Codertocat/Hello-World#${p.issue.number}`,
        debounceMs: ISSUE_GRACE_MS,
      },
    ]);
    expect(ISSUE_GRACE_MS).toBe(180_000);
  });

  it("an author's edit re-triages with the same key; someone else's edit only updates the index", () => {
    const p = examplePayload("issues", "edited");
    p.sender.login = p.issue.user.login;
    const byAuthor = issuesRoute(ev("issues", p));
    expect(kinds(byAuthor)).toEqual(["index.update", "issue.triage"]);
    expect(byAuthor[1]!.dedupeKey).toBe(`issue.triage:Codertocat/Hello-World#${p.issue.number}`);
    expect(byAuthor[1]!.payload).toMatchObject({
      trigger: "edited",
      eventAt: Date.parse(p.issue.updated_at),
    });
    p.sender.login = "someone-else";
    expect(kinds(issuesRoute(ev("issues", p)))).toEqual(["index.update"]);
  });

  it("never triages pull requests or bot-authored issues", () => {
    const p = examplePayload("issues", "opened");
    p.issue.pull_request = { url: "x" };
    expect(kinds(issuesRoute(ev("issues", p)))).toEqual(["index.update"]);
    const b = examplePayload("issues", "opened");
    b.issue.user.type = "Bot";
    expect(kinds(issuesRoute(ev("issues", b)))).toEqual(["index.update"]);
  });

  it("deleted and transferred issues leave the index", () => {
    const p = examplePayload("issues", "deleted");
    expect(issuesRoute(ev("issues", p))).toEqual([
      {
        kind: "index.remove",
        repo: "Codertocat/Hello-World",
        payload: { number: p.issue.number },
        dedupeKey: `index.remove:Codertocat/Hello-World#${p.issue.number}`,
      },
    ]);
  });

  it("comments update the index (slash commands do not); labels and assignments do nothing", () => {
    for (const action of ["created", "edited", "deleted"]) {
      expect(kinds(issuesRoute(ev("issue_comment", examplePayload("issue_comment", action))))).toEqual([
        "index.update",
      ]);
    }
    const cmd = examplePayload("issue_comment", "created");
    cmd.comment.body = "/similar";
    expect(issuesRoute(ev("issue_comment", cmd))).toEqual([]);
    expect(issuesRoute(ev("issues", examplePayload("issues", "labeled")))).toEqual([]);
    expect(issuesRoute(ev("issues", examplePayload("issues", "assigned")))).toEqual([]);
  });

  it("PR edited → a debounced mapping and an index update; open and push are fanned out by the PR job", () => {
    const p = examplePayload("pull_request", "opened");
    p.action = "edited";
    const jobs = issuesRoute(ev("pull_request", p));
    expect(jobs).toEqual([
      {
        kind: "index.update",
        repo: p.repository.full_name,
        payload: {},
        dedupeKey: `index.update:${p.repository.full_name}`,
        debounceMs: 30_000,
      },
      {
        kind: "pr.map-issues",
        repo: p.repository.full_name,
        targetNumber: p.pull_request.number,
        payload: { number: p.pull_request.number, action: "edited", headSha: p.pull_request.head.sha },
        dedupeKey: `pr.map-issues:${p.repository.full_name}#${p.pull_request.number}`,
        debounceMs: 30_000,
      },
    ]);
    // opened and synchronize each store one PR job (pr.auto / pr.push), which enqueues these follow-ups.
    expect(issuesRoute(ev("pull_request", examplePayload("pull_request", "opened")))).toEqual([]);
    expect(issuesRoute(ev("pull_request", examplePayload("pull_request", "synchronize")))).toEqual([]);
    const follow = followUpsForPr("o/r", { number: 5, headSha: "abc" }, "opened");
    expect(follow.map((j) => [j.kind, j.dedupeKey])).toEqual([
      ["pr.map-issues", "pr.map-issues:o/r#5"],
      ["index.update", "index.update:o/r"],
    ]);
    expect(kinds(issuesRoute(ev("pull_request", examplePayload("pull_request", "labeled"))))).toEqual([]);
  });
});
