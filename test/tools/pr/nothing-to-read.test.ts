// /improve and /describe on PRs with nothing the model could read (issue 3 "Bad input"): each
// still answers visibly, says why, and makes no LLM call (no LLM mock: a request would fail the job).
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DESCRIBE_END, DESCRIBE_START } from "../../../src/tools/describe/render.ts";
import { GH, mockInstallationToken, mockNoRepoConfig, testApp } from "../../helpers/app.ts";
import { sqliteTestDb, type TestDb } from "../../helpers/db.ts";
import {
  capture,
  fixtureFiles,
  keepOnlyPrJobs,
  LLM_ENV,
  markerOf,
  mockCreateComment,
  mockListComments,
  mockPr,
  NUMBER,
  OWNER,
  PR_KINDS,
  prCommentPayload,
  R,
  REPO,
} from "./helpers.ts";

function allow(commentId: number) {
  nock(GH)
    .get(`${R}/collaborators/Codertocat/permission`)
    .reply(200, { permission: "write", role_name: "write" })
    .post(`${R}/issues/comments/${commentId}/reactions`, { content: "eyes" })
    .reply(201, { id: 1, content: "eyes" });
}

describe("PR tools: nothing for the model to read", () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await sqliteTestDb();
  });
  afterEach(async () => t.cleanup());

  async function start(command: string, commentId: number) {
    const app = testApp(t.db, LLM_ENV, { onlyKinds: PR_KINDS });
    await app.receive("issue_comment", prCommentPayload(command, commentId));
    await keepOnlyPrJobs(t.db);
    mockInstallationToken(42);
    mockNoRepoConfig(OWNER, REPO);
    allow(commentId);
    return app;
  }

  it("/improve on a binary-only PR: the table comment names each file, no LLM call, no review", async () => {
    const app = await start("/improve", 9701);
    const files = fixtureFiles("flask-binary-only");
    mockListComments([], 2);
    mockPr(files, { changed_files: files.length });
    const c = capture();
    mockCreateComment(c);
    expect(await app.drain()).toBe(1);
    const runs = await t.db.query<{ outcome: string }>("SELECT outcome FROM job_runs");
    expect(runs).toEqual([{ outcome: "done" }]);
    expect(c.reviews).toEqual([]);
    expect(c.created).toHaveLength(1);
    const body = c.created[0]!.body;
    expect(markerOf(body)).toMatch(/^<!-- steward:improve key=table state=/);
    expect(body).toContain("> No file in this diff has text changes to improve (see Not reviewed).");
    expect(body).toContain(
      `**Not reviewed (8 files):**\n${files.map((f) => `- \`${f.filename}\` — binary`).join("\n")}`,
    );
    expect(body).toContain("<sub>Steward improve · no LLM call</sub>");
  });

  it("/describe on an empty PR: the body section says so, no LLM call", async () => {
    const app = await start("/describe", 9702);
    mockPr([], { changed_files: 0 }, 2);
    nock(GH)
      .post("/graphql")
      .reply(200, { data: { repository: null } });
    const c = capture();
    nock(GH)
      .patch(`${R}/pulls/${NUMBER}`, (b) => {
        c.prPatches.push(b);
        return true;
      })
      .reply(200, {});
    expect(await app.drain()).toBe(1);
    const runs = await t.db.query<{ outcome: string }>("SELECT outcome FROM job_runs");
    expect(runs).toEqual([{ outcome: "done" }]);
    expect(c.prPatches).toHaveLength(1);
    const body: string = c.prPatches[0]!.body;
    expect(body.startsWith(`Author text.\n\nFixes #7\n\n${DESCRIBE_START}\n### Steward summary`)).toBe(true);
    expect(body).toContain("- 0 files changed, +0 −0.\n- This pull request changes no files.");
    expect(body).toContain('"files": []');
    expect(body).toContain("<sub>Steward describe · no LLM call</sub>");
    expect(body.trimEnd().endsWith(DESCRIBE_END)).toBe(true);
  });
});
