import { describe, expect, it } from "vitest";
import { classifyRisk } from "../../src/agents/commands.ts";
import { DEFAULT_CONFIG, repoConfigSchema } from "../../src/config/schema.ts";
import { agentsRoute } from "../../src/events/agents.ts";
import { toEvent } from "../../src/events/intake.ts";
import { policyFromConfig } from "../../src/tools/agents/policy.ts";
import { examplePayload } from "../helpers/webhooks.ts";

describe("agentsRoute (pure)", () => {
  const ev = (name: string, payload: any, id = "d-1") => toEvent(name, id, payload);

  it("routes /answer, plain comments, approval-box edits, bot-comment deletions, body edits and labels", () => {
    const answer = examplePayload("issue_comment", "created");
    answer.comment.body = "/answer 3 Postgres 15";
    expect(agentsRoute(ev("issue_comment", answer)).map((j) => [j.kind, j.dedupeKey])).toEqual([
      ["agents.answer", `agents.answer:Codertocat/Hello-World#1:${answer.comment.id}`],
    ]);
    const plain = examplePayload("issue_comment", "created");
    expect(agentsRoute(ev("issue_comment", plain)).map((j) => j.kind)).toEqual(["agents.comment"]);
    plain.comment.body = "/agent do it"; // commandRoute owns it
    expect(agentsRoute(ev("issue_comment", plain))).toEqual([]);

    const edit = examplePayload("issue_comment", "edited");
    expect(agentsRoute(ev("issue_comment", edit))).toEqual([]); // no approval box anywhere
    edit.comment.body = "- [x] approve abcd2345 (sha256:0123456789ab)";
    edit.changes = { body: { from: "- [ ] approve abcd2345 (sha256:0123456789ab)" } };
    const [job] = agentsRoute(ev("issue_comment", edit, "d-edit"));
    expect(job).toMatchObject({
      kind: "agents.comment-edited",
      dedupeKey: "agents.comment-edited:Codertocat/Hello-World#1:d-edit",
      payload: { changes: { body: { from: "- [ ] approve abcd2345 (sha256:0123456789ab)" } } },
    });
    // Two edits (two deliveries) never coalesce into one job.
    expect(agentsRoute(ev("issue_comment", edit, "d-edit-2"))[0]!.dedupeKey).not.toBe(job!.dedupeKey);

    const del = examplePayload("issue_comment", "deleted");
    expect(agentsRoute(ev("issue_comment", del))).toEqual([]); // a user's comment
    del.comment.user.type = "Bot";
    expect(agentsRoute(ev("issue_comment", del)).map((j) => j.kind)).toEqual(["agents.comment-deleted"]);

    const body = examplePayload("issues", "edited");
    body.issue.body = "- [x] approve abcd2345 (sha256:0123456789ab)";
    body.changes = { body: { from: "" } };
    expect(agentsRoute(ev("issues", body)).map((j) => j.kind)).toEqual(["agents.issue-edited"]);

    const label = examplePayload("pull_request", "labeled");
    expect(agentsRoute(ev("pull_request", label))[0]).toMatchObject({
      kind: "agents.label",
      targetNumber: 2,
      payload: { number: 2, isPr: true, label: "bug", sender: { login: "Codertocat" } },
    });
  });
});

describe("agentsRoute: closing and locking", () => {
  const ev = (name: string, payload: any, id: string) => toEvent(name, id, payload);
  it("issues/pull_request closed or locked → one agents.invalidate job per delivery", () => {
    const cases: Array<[string, string, number, boolean]> = [
      ["issues", "closed", 1, false],
      ["issues", "locked", 1, false],
      ["pull_request", "closed", 2, true],
      ["pull_request", "locked", 2, true],
    ];
    for (const [name, action, number, isPr] of cases) {
      // There is no issues.closed example; a locked payload with the action changed has its shape.
      const p = examplePayload(name, name === "issues" && action === "closed" ? "locked" : action);
      p.action = action;
      p.installation = { id: 42 };
      const payload = name === "issues" ? p.issue : p.pull_request;
      payload.number = number;
      expect(agentsRoute(ev(name, p, `d-${action}`))).toEqual([
        {
          kind: "agents.invalidate",
          repo: "Codertocat/Hello-World",
          targetNumber: number,
          dedupeKey: `agents.invalidate:Codertocat/Hello-World#${number}:d-${action}`,
          payload: {
            number,
            isPr,
            action,
            sender: { login: p.sender.login, id: p.sender.id, type: p.sender.type },
          },
        },
      ]);
    }
    const reopened = examplePayload("issues", "reopened");
    expect(agentsRoute(ev("issues", reopened, "d-r"))).toEqual([]);
    const unlocked = examplePayload("pull_request", "unlocked");
    expect(agentsRoute(ev("pull_request", unlocked, "d-u"))).toEqual([]);
  });
});

describe("policyFromConfig", () => {
  it("maps the agents section; config raises risk but never lowers it", () => {
    const cfg = repoConfigSchema.parse({
      agents: {
        separate_approver: true,
        proposal_ttl_hours: 2,
        deploy: { staging: ["./deploy.sh", "staging"] },
        risk: { merge_pr: "write", label: "read", shell: "maintain" },
      },
    });
    const p = policyFromConfig(cfg.agents);
    expect(p.byType).toMatchObject({
      merge_pr: "maintain",
      label: "triage",
      shell: "maintain",
      deploy: "admin",
    });
    expect(p).toMatchObject({
      requireDistinctApprover: true,
      ttlMs: 7_200_000,
      deployCommands: { staging: ["./deploy.sh", "staging"] },
    });
    expect(classifyRisk({ type: "shell", argv: ["git", "status"] }, p)).toBe("auto");
    expect(classifyRisk({ type: "shell", argv: ["npm", "test"] }, p)).toBe("maintain");
    expect(policyFromConfig(DEFAULT_CONFIG.agents).ttlMs).toBe(24 * 3600_000);
  });
});
