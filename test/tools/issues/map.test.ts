import nock from "nock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { loadIssueMapping } from "../../../src/tools/issues/index.ts";
import { testApp } from "../../helpers/app.ts";
import { sqliteTestDb, type TestDb } from "../../helpers/db.ts";
import { examplePayload } from "../../helpers/webhooks.ts";
import { completion } from "../../llm/helpers.ts";
import { type FakeRepo, fakeGitHub, rawIssue } from "./fake-github.ts";
import { GOOD_BODY, openedPayload, TRACE } from "./fixtures.ts";

const PATCH = [
  "@@ -38,7 +38,12 @@ export async function loadConfig(path: string) {",
  '   const text = await readFile(path, "utf8");',
  "-  return parse(text);",
  "+  try {",
  "+    return parse(text);",
  "+  } catch (err) {",
  '+    throw new ConfigError("tabs are not allowed in YAML indentation", { cause: err });',
  "+  }",
  " }",
].join("\n");

function prPayload(gh: FakeRepo, number: number, body: string, action = "opened") {
  const p = examplePayload("pull_request", action);
  p.installation = { id: 42 };
  p.repository.full_name = `${gh.owner}/${gh.name}`;
  p.repository.name = gh.name;
  p.repository.owner.login = gh.owner;
  p.pull_request.number = number;
  p.pull_request.body = body;
  p.pull_request.title = "Readable error for tab-indented config";
  return p;
}

describe("issue ↔ code mapping and notifications", () => {
  let t: TestDb;
  let gh: FakeRepo;
  beforeEach(async () => {
    t = await sqliteTestDb();
    gh = fakeGitHub("acme", "widgets");
    gh.issues.set(
      20,
      rawIssue("acme", "widgets", 20, {
        title: "YAMLException crash when my config file uses tabs",
        body: `${GOOD_BODY}\n\nAlso the docs in docs/config.md never mention tabs.`,
        labels: ["bug"],
      }),
    );
    gh.issues.set(
      21,
      rawIssue("acme", "widgets", 21, { title: "Config errors should name the file", body: `See ${TRACE}` }),
    );
    gh.issues.set(
      50,
      rawIssue("acme", "widgets", 50, {
        title: "Readable error for tab-indented config",
        body: "Fixes #20",
        pull_request: { url: "x", merged_at: null },
      }),
    );
    gh.pullFiles.set(50, [
      {
        filename: "src/config/load.ts",
        status: "modified",
        additions: 5,
        deletions: 1,
        changes: 6,
        patch: PATCH,
      },
    ]);
    gh.graphqlClosing.set(50, [21, 20]);
  });
  afterEach(async () => {
    vi.unstubAllEnvs();
    gh.stop();
    await t.cleanup();
  });

  it("maps linked issues to the changed hunks, flags unaddressed elements, stores the mapping and notifies by path", async () => {
    gh.config = [
      "notify:",
      "  routes:",
      "    - channel: dev-backend",
      "      events: [pr, issue]",
      '      paths: ["src/config/**"]',
      "    - channel: frontend",
      '      paths: ["web/**"]',
    ].join("\n");
    vi.stubEnv("STEWARD_NOTIFY_DEV_BACKEND", "https://hooks.slack.com/services/T000/B000/backend");
    vi.stubEnv("STEWARD_NOTIFY_FRONTEND", "https://hooks.slack.com/services/T000/B001/frontend");
    const slack: any[] = [];
    nock("https://hooks.slack.com")
      .post("/services/T000/B000/backend", (b) => {
        slack.push(b);
        return true;
      })
      .reply(200, "ok");

    const app = testApp(t.db);
    await app.receive("pull_request", prPayload(gh, 50, "Fixes #20"));
    await app.drain();

    // pr.auto (the PR tools) also comments on the PR; only the mapping comment is ours.
    const comment = gh.stewardComments(50).find((c) => c.includes("steward:issue-map"));
    expect(comment).toMatch(/^<!-- steward:issue-map key=50 -->\n## Issue ↔ code mapping/);
    expect(comment).toContain("### #20 YAMLException crash when my config file uses tabs");
    expect(comment).toContain("### #21 Config errors should name the file");
    expect(comment).toContain("<sub>linked on GitHub · coverage");
    expect(comment).toContain(
      "| stack frame `loadConfig @ src/config/load.ts:42` | `src/config/load.ts:38` | 1.00 | frame file src/config/load.ts is changed |",
    );
    expect(comment).toContain("<sub>closing keyword · coverage 20% of 5 elements</sub>");
    expect(comment).toContain("**Possibly unaddressed** (named in the issue, not touched by this PR):");
    expect(comment).toContain("- path `docs/config.md`");
    expect(comment).toContain("<sub>Steward issue-map · no LLM call</sub>");

    const stored = await loadIssueMapping(t.db, "acme/widgets", 50);
    expect(stored?.map((m) => m.issue)).toEqual([20, 21]);
    expect(stored?.[0]?.links).toEqual([
      { element: "loadConfig @ src/config/load.ts:42", path: "src/config/load.ts", score: 1 },
    ]);
    expect(stored?.[0]?.unaddressed).toContain("docs/config.md");
    expect(await loadIssueMapping(t.db, "acme/widgets", 51)).toBeUndefined();

    expect(slack).toHaveLength(1);
    expect(JSON.stringify(slack[0])).toContain("Readable error for tab-indented config");
    expect(JSON.stringify(slack[0])).toContain("Addresses #20, #21");
  });

  it("lets the LLM explain the relation when one is configured", async () => {
    const asked: any[] = [];
    nock("http://llm.test")
      .post("/v1/chat/completions", (b) => {
        asked.push(b);
        return b.response_format?.json_schema?.name === "issue_map_relation";
      })
      .reply(
        200,
        completion(
          JSON.stringify({ issues: [{ issue: 20, relation: "Catches the YAML error in loadConfig." }] }),
        ),
      );
    // The PR tools' own LLM calls on pr.auto are not under test here.
    const app = testApp(t.db, {
      LLM_API_KEY: "sk-test",
      LLM_BASE_URL: "http://llm.test/v1",
      LLM_MODEL: "gpt-4o-mini",
    });
    await t.db.exec("DELETE FROM jobs");
    await app.services.enqueue({
      kind: "pr.map-issues",
      repo: "acme/widgets",
      installationId: 42,
      targetNumber: 50,
      payload: { number: 50, action: "opened", headSha: "head" },
    });
    await app.drain();
    const comment = gh.stewardComments(50).find((c) => c.includes("steward:issue-map"))!;
    expect(comment).toContain("> Catches the YAML error in loadConfig.");
    expect(comment).toContain("model `gpt-4o-mini`");
    expect(asked[0].messages[1].content).toContain("UNTRUSTED issue #20 title");
  });

  it("skips the mapping for a PR that links no issue", async () => {
    gh.graphqlClosing.set(50, []);
    gh.issues.get(50).body = "Just a refactor";
    const app = testApp(t.db);
    await app.receive("pull_request", prPayload(gh, 50, "Just a refactor"));
    await app.drain();
    expect(gh.stewardComments(50).filter((c) => c.includes("steward:issue-map"))).toEqual([]);
    expect(await loadIssueMapping(t.db, "acme/widgets", 50)).toBeUndefined();
  });

  it("notifies a new issue once to the channel its labels route to", async () => {
    gh.config = [
      "notify:",
      "  routes:",
      "    - channel: triage",
      "      events: [issue]",
      "      labels: [needs-more-info]",
    ].join("\n");
    vi.stubEnv("STEWARD_NOTIFY_TRIAGE", "https://hooks.slack.com/services/T000/B002/triage");
    const slack: any[] = [];
    nock("https://hooks.slack.com")
      .post("/services/T000/B002/triage", (b) => {
        slack.push(b);
        return true;
      })
      .reply(200, "ok");
    gh.issues.set(
      60,
      rawIssue("acme", "widgets", 60, {
        title: "it crashes",
        body: "crash",
        created_at: "2024-03-01T00:00:00Z",
      }),
    );
    const app = testApp(t.db);
    await app.receive("issues", openedPayload(gh, 60, "it crashes", "crash", "2024-03-01T00:00:00Z"));
    await app.drain();
    expect(slack).toHaveLength(1);
    expect(JSON.stringify(slack[0])).toContain("it crashes");
    // A second triage (e.g. /triage, or an edit) does not notify again.
    await app.receive("issues", {
      ...openedPayload(gh, 60, "it crashes", "crash", "2024-03-01T00:00:00Z"),
      action: "edited",
      changes: {},
    });
    await app.drain();
    expect(slack).toHaveLength(1);
  });
});
