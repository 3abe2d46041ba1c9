// The `config` input: a steward.yml in the workspace instead of the repository's. A bad file fails the
// jobs that read it with one failure comment on the issue and exit 1; a path outside the workspace is
// refused the same way.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { examplePayload } from "../helpers/webhooks.ts";
import { type Fake, fakeGitHub } from "./fake-github.ts";
import { type ActionRun, actionEnv } from "./helpers.ts";

function issueOpened(): any {
  return examplePayload("issues", "opened");
}

describe("action: the config input", () => {
  let gh: Fake | undefined;
  let a: ActionRun | undefined;
  afterEach(() => {
    gh?.stop();
    a?.cleanup();
  });

  function world() {
    const p = issueOpened();
    gh = fakeGitHub({ owner: "Codertocat", name: "Hello-World", pr: { number: 999 }, files: [] });
    gh.issues.set(p.issue.number, { ...p.issue, labels: [] });
    return p;
  }

  it("a file that does not validate: one failure comment naming the key, and exit 1", async () => {
    const p = world();
    a = actionEnv("issues", p, { config: "ci/steward.yml" });
    mkdirSync(join(a.workspace, "ci"), { recursive: true });
    writeFileSync(join(a.workspace, "ci/steward.yml"), "pr:\n  auto: [deploy]\n");
    const r = await a.run();
    expect(r.exitCode).toBe(1);
    expect(r.jobs.map((j) => [j.kind, j.outcome])).toEqual([
      ["index.update", "done"],
      ["issue.triage", "failed"],
    ]);
    const bodies = gh!.bodies(p.issue.number);
    expect(bodies).toHaveLength(1);
    expect(bodies[0]).toContain("<!-- steward:failure key=action -->");
    expect(bodies[0]).toContain(
      "`issue.triage`: input config: ci/steward.yml is invalid: pr.auto\\[0\\]: expected a PR tool: describe, review, improve",
    );
    expect(bodies[0]).toContain(
      "[workflow run](https://github.com/Codertocat/Hello-World/actions/runs/4242)",
    );
    expect(r.summary).toContain("| ❌ failed | `issue.triage` | 1 | 1 |");
    // A re-run edits the same comment.
    await a.run();
    expect(gh!.bodies(p.issue.number)).toHaveLength(1);
  });

  it("a path outside the workspace is refused", async () => {
    const p = world();
    a = actionEnv("issues", p, { config: "../../etc/steward.yml" });
    const r = await a.run();
    expect(r.exitCode).toBe(1);
    expect(gh!.bodies(p.issue.number)[0]).toContain(
      "input config: expected a path inside the workspace, got ../../etc/steward.yml",
    );
  });

  it("a valid file is the config: here it turns issue triage off, so nothing is posted", async () => {
    const p = world();
    a = actionEnv("issues", p, { config: "steward.yml" });
    mkdirSync(a.workspace, { recursive: true });
    writeFileSync(join(a.workspace, "steward.yml"), "issues:\n  enabled: false\n");
    const r = await a.run();
    expect(r.exitCode).toBe(0);
    expect(r.jobs.map((j) => [j.kind, j.outcome])).toEqual([
      ["index.update", "done"],
      ["issue.triage", "done"],
    ]);
    expect(gh!.writes()).toEqual([]);
    // The repository's .github/steward.yml was not read.
    expect(gh!.requests.filter((q) => q.path.includes("/contents/"))).toEqual([]);
  });
});
