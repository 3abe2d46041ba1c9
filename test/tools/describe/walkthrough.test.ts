// File names from the model checked against the PR (issue 10, defect 3): /describe's walkthrough lists
// every changed file and only those, "Not described" is true, and /ask marks references to files the
// PR does not change.
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseDiff } from "../../../src/diff/index.ts";
import { reconcileWalkthrough } from "../../../src/tools/describe/reconcile.ts";
import type { DescribeOutput } from "../../../src/tools/describe/schema.ts";
import { DESCRIBE_START } from "../../../src/tools/describe/render.ts";
import { GH, mockInstallationToken, mockNoRepoConfig, testApp } from "../../helpers/app.ts";
import { sqliteTestDb, type TestDb } from "../../helpers/db.ts";
import { fixture } from "../../diff/helpers.ts";
import {
  capture,
  fixtureFiles,
  keepOnlyPrJobs,
  LLM_ENV,
  mockCreateComment,
  mockListComments,
  mockLlm,
  mockPr,
  NUMBER,
  OWNER,
  PR_KINDS,
  prCommentPayload,
  R,
  REPO,
} from "../pr/helpers.ts";

function allow(commentId: number) {
  nock(GH)
    .get(`${R}/collaborators/Codertocat/permission`)
    .reply(200, { permission: "write", role_name: "write" })
    .post(`${R}/issues/comments/${commentId}/reactions`, { content: "eyes" })
    .reply(201, { id: 1, content: "eyes" });
}

const INVENTED: DescribeOutput = {
  types: ["feature"],
  title: "Allow QUERY in req.fresh",
  summary: ["req.fresh now validates QUERY requests too"],
  walkthrough: [
    { file: "lib/request.js", summary: "QUERY joins GET and HEAD" },
    { file: "lib/router/index.js", summary: "Routes QUERY (this file is not in the PR)" },
  ],
};

describe("reconcileWalkthrough", () => {
  const files = parseDiff(fixture("express-query-revalidation.diff")).files;

  it("keeps the model's rows for real files, drops invented ones, adds the missing ones in diff order", () => {
    const r = reconcileWalkthrough(INVENTED, files, [], true);
    expect(r.describe.walkthrough.map((w) => w.file)).toEqual([
      "History.md",
      "lib/request.js",
      "test/req.fresh.js",
    ]);
    expect(r.describe.walkthrough[1]!.summary).toBe("QUERY joins GET and HEAD");
    expect(r.describe.walkthrough[0]!.summary).toBe("modified, +10 −0 (not described by the model)");
    expect(r.unknown).toEqual(["lib/router/index.js"]);
    expect(r.notDescribed).toEqual([
      { path: "History.md", reason: "the model did not describe it" },
      { path: "test/req.fresh.js", reason: "the model did not describe it" },
    ]);
  });

  it("files the model never saw keep their reason; without a model only those are not described", () => {
    const left = [{ path: "test/req.fresh.js", reason: "over budget" }];
    const r = reconcileWalkthrough({ ...INVENTED, walkthrough: [] }, files, left, false);
    expect(r.notDescribed).toEqual(left);
    expect(r.describe.walkthrough.map((w) => w.summary)).toEqual([
      "modified, +10 −0",
      "modified, +2 −2",
      "modified, +38 −0 (not described: over budget)",
    ]);
  });
});

describe("/describe with a model that invents and omits files", () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await sqliteTestDb();
  });
  afterEach(async () => t.cleanup());

  it("the PR body lists exactly the changed files and names the undescribed ones", async () => {
    const app = testApp(t.db, LLM_ENV, { onlyKinds: PR_KINDS });
    await app.receive("issue_comment", prCommentPayload("/describe", 9500));
    await keepOnlyPrJobs(t.db);
    mockInstallationToken(42);
    mockNoRepoConfig(OWNER, REPO);
    allow(9500);
    mockPr(fixtureFiles("express-query-revalidation"), {}, 2);
    mockLlm([INVENTED]);
    nock(GH)
      .post("/graphql")
      .reply(200, { data: { repository: { pullRequest: null } } });
    const c = capture();
    nock(GH)
      .patch(`${R}/pulls/${NUMBER}`, (b) => {
        c.prPatches.push(b);
        return true;
      })
      .reply(200, {});
    expect(await app.drain()).toBe(1);
    const body: string = c.prPatches[0]!.body;
    const section = body.slice(body.indexOf(DESCRIBE_START));
    const table = section.slice(section.indexOf("| File |"), section.indexOf("**Not described"));
    expect(table).toBe(
      [
        "| File | Change |",
        "|---|---|",
        "| `History.md` | modified, +10 −0 (not described by the model) |",
        "| `lib/request.js` | QUERY joins GET and HEAD |",
        "| `test/req.fresh.js` | modified, +38 −0 (not described by the model) |",
        "",
        "",
      ].join("\n"),
    );
    expect(section).not.toContain("lib/router/index.js");
    expect(section).toContain(
      "**Not described (2 files):**\n- `History.md` — the model did not describe it\n- `test/req.fresh.js` — the model did not describe it",
    );
    const json = JSON.parse(/```json\n([\s\S]*?)\n```/.exec(section)![1]!);
    expect(json.files.map((f: { path: string; reviewed: boolean }) => [f.path, f.reviewed])).toEqual([
      ["History.md", true],
      ["lib/request.js", true],
      ["test/req.fresh.js", true],
    ]);
  });

  it("/ask marks a reference to a file the PR does not change instead of linking it", async () => {
    const app = testApp(t.db, LLM_ENV, { onlyKinds: PR_KINDS });
    await app.receive("issue_comment", prCommentPayload("/ask where is QUERY routed?", 9501));
    await keepOnlyPrJobs(t.db);
    mockInstallationToken(42);
    mockNoRepoConfig(OWNER, REPO);
    allow(9501);
    mockPr(fixtureFiles("express-query-revalidation"));
    mockLlm([
      {
        answer: "In the router.",
        references: [
          { file: "lib/request.js", line: 475 },
          { file: "lib/router/route.js", line: 3 },
        ],
      },
    ]);
    mockListComments([]);
    const c = capture();
    mockCreateComment(c);
    expect(await app.drain()).toBe(1);
    const b = c.created[0]!.body;
    expect(b).toContain(
      "**References:** [`lib/request.js:475`](https://github.com/Codertocat/Hello-World/blob/ec26c3e57ca3a959ca5aad62de7213c562f8c821/lib/request.js#L475), `lib/router/route.js:3` (not a file this PR changes)",
    );
  });
});
