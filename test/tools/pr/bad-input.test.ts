// Issue 3 "Bad input", end to end: each case ends in a visible comment (exact GitHub calls and
// bodies), never a crash or silence, and the model is called only when there is something to read.
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { countMessageTokens } from "../../../src/llm/client.ts";
import { GH, mockInstallationToken, mockNoRepoConfig, testApp } from "../../helpers/app.ts";
import { sqliteTestDb, type TestDb } from "../../helpers/db.ts";
import {
  capture,
  fixtureFiles,
  HEAD,
  keepOnlyPrJobs,
  LLM_ENV,
  markerOf,
  mockCreateComment,
  mockCreateReview,
  mockListReviewComments,
  mockListComments,
  mockLlm,
  mockPr,
  OWNER,
  PR_KINDS,
  prCommentPayload,
  pullRequest,
  type PullFile,
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

const QUIET = {
  effort: 3,
  summary: "Generated modules.",
  findings: [],
  securityConcerns: [],
  tests: { assessment: "None." },
  canBeSplit: { possible: false, suggestions: [] },
};

/** 50 files of 1,000 added lines each: 40 TypeScript modules, then 10 shell scripts. */
function bigPr(): PullFile[] {
  return Array.from({ length: 50 }, (_, i) => {
    const ts = i < 40;
    const lines = Array.from({ length: 1000 }, (_, n) =>
      ts
        ? `+export const value${n} = compute(${i}, ${n}, "feature-${i}");`
        : `+echo "step ${n} of script ${i}"`,
    );
    return {
      filename: ts ? `src/features/feature-${String(i).padStart(2, "0")}.ts` : `scripts/step-${i}.sh`,
      status: "added",
      patch: `@@ -0,0 +1,1000 @@\n${lines.join("\n")}`,
      additions: 1000,
      deletions: 0,
    };
  });
}

describe("PR tools: bad input", () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await sqliteTestDb();
  });
  afterEach(async () => t.cleanup());

  /** /review on a PR whose files are `files`; returns the one summary comment posted. */
  async function review(files: Parameters<typeof mockPr>[0], commentId: number, changed: number) {
    const app = testApp(t.db, LLM_ENV, { onlyKinds: PR_KINDS });
    await app.receive("issue_comment", prCommentPayload("/review", commentId));
    await keepOnlyPrJobs(t.db);
    mockInstallationToken(42);
    mockNoRepoConfig(OWNER, REPO);
    allow(commentId);
    mockListComments([], 2);
    mockPr(files, { changed_files: changed });
    const c = capture();
    mockCreateComment(c);
    expect(await app.drain()).toBe(1);
    const runs = await t.db.query<{ outcome: string }>("SELECT outcome FROM job_runs");
    expect(runs).toEqual([{ outcome: "done" }]);
    expect(c.created).toHaveLength(1);
    expect(c.reviews).toEqual([]);
    return c.created[0]!.body;
  }

  it("an empty diff: a visible note, no LLM call, no review", async () => {
    const body = await review([], 9501, 0);
    expect(markerOf(body)).toMatch(/^<!-- steward:review key=summary state=/);
    expect(body).toContain(`Updated for \`${HEAD.slice(0, 12)}\`.`);
    expect(body).toContain(
      "> This pull request changes no files, so there was nothing to send to the model. The deterministic facts below are complete.",
    );
    expect(body).toContain("**Changed:** 0 files, +0 −0");
    expect(body).toContain("<sub>Steward review · no LLM call</sub>");
  });

  it("a binary-only PR: each file named as binary, no LLM call", async () => {
    const files = fixtureFiles("flask-binary-only");
    const body = await review(files, 9502, files.length);
    expect(body).toContain(
      "> No file in this diff has reviewable text changes (see Not reviewed), so nothing was sent to the model.",
    );
    expect(body).toContain(
      `**Not reviewed (8 files):**\n${files.map((f) => `- \`${f.filename}\` — binary`).join("\n")}`,
    );
    expect(body).toContain("<sub>Steward review · no LLM call</sub>");
  });

  it("a rename-only PR: each rename named with its old path, no LLM call", async () => {
    const files = fixtureFiles("express-rename-only");
    const body = await review(files, 9503, files.length);
    expect(body).toContain(
      "> No file in this diff has reviewable text changes (see Not reviewed), so nothing was sent to the model.",
    );
    expect(body).toContain(
      "- `examples/error-pages/views/404.jade` — renamed from examples/pages/views/404.jade without content changes (nothing to review)",
    );
    expect(body).toContain("**Not reviewed (5 files):**");
    expect(body).toContain("<sub>Steward review · no LLM call</sub>");
  });

  it("a 50,000-line PR: one LLM call inside the window, every left-out file named", async () => {
    const app = testApp(t.db, LLM_ENV, { onlyKinds: PR_KINDS });
    await app.receive("issue_comment", prCommentPayload("/review", 9504));
    await keepOnlyPrJobs(t.db);
    mockInstallationToken(42);
    mockNoRepoConfig(OWNER, REPO);
    allow(9504);
    mockListComments([], 2);
    const files = bigPr();
    expect(files.reduce((n, f) => n + f.additions, 0)).toBe(50_000);
    mockPr(files, { changed_files: files.length });
    // Read only because the diff does not fit: TypeScript is the main language, so it goes first.
    nock(GH).get(`${R}/languages`).reply(200, { TypeScript: 900_000, Shell: 2_000 });
    const llm = mockLlm([QUIET]);
    const c = capture();
    mockCreateComment(c);
    expect(await app.drain()).toBe(1);

    expect(llm).toHaveLength(1);
    const { contextWindow, maxOutputTokens } = app.services.llm;
    expect(contextWindow).toBe(128_000);
    const promptTokens = countMessageTokens(llm[0]!.messages as Parameters<typeof countMessageTokens>[0]);
    expect(promptTokens).toBeLessThanOrEqual(contextWindow - maxOutputTokens);
    // The budget is the real window, not a 32k cap: most of it is used.
    expect(promptTokens).toBeGreaterThan(64_000);

    expect(c.created).toHaveLength(1);
    const body = c.created[0]!.body;
    const user = llm[0]!.messages[1]!.content;
    const sent = files.filter((f) => user.includes(`## File: ${f.filename} (`)).map((f) => f.filename);
    const left = files.filter((f) => !sent.includes(f.filename)).map((f) => f.filename);
    expect(sent.length).toBeGreaterThan(0);
    // Main-language source first; leftover room may still take a smaller file of another kind.
    const order = [...user.matchAll(/^## File: (\S+) /gm)].map((m) => m[1]!);
    expect(order.slice(0, 5)).toEqual([0, 1, 2, 3, 4].map((i) => `src/features/feature-0${i}.ts`));
    const firstSh = order.findIndex((p) => p.endsWith(".sh"));
    if (firstSh >= 0) expect(firstSh).toBeGreaterThan(order.findLastIndex((p) => p.endsWith(".ts")));
    expect(left).toContain("scripts/step-49.sh");
    expect(body).toContain(`<details><summary>Not reviewed (${left.length} files):</summary>`);
    for (const p of left) expect(body).toMatch(new RegExp(`- \`${p}\` — (over budget|only partly reviewed)`));
    for (const p of sent) expect(body).not.toContain(`- \`${p}\` — over budget`);
    expect(body).toContain("<sub>Steward review · model `gpt-4o-mini` · 1 call");
  });

  it("invalid UTF-8 in a patch: decoded with U+FFFD, flagged to the model, reviewed as usual", async () => {
    const app = testApp(t.db, LLM_ENV, { onlyKinds: PR_KINDS });
    await app.receive("issue_comment", prCommentPayload("/review", 9505));
    await keepOnlyPrJobs(t.db);
    mockInstallationToken(42);
    mockNoRepoConfig(OWNER, REPO);
    allow(9505);
    mockListComments([], 2);
    nock(GH)
      .get(`${R}/pulls/2`)
      .reply(200, pullRequest({ changed_files: 1 }));
    // A Latin-1 file: "café" is the bytes 63 61 66 E9, which are not UTF-8.
    const json = JSON.stringify([
      {
        filename: "lib/greet.js",
        status: "modified",
        patch: "@@ -1,2 +1,2 @@\n // greeting for the caf@@E9@@\n-var hello = 'hi';\n+var hello = 'bonjour';",
        additions: 1,
        deletions: 1,
      },
    ]);
    const [before, after] = json.split("@@E9@@") as [string, string];
    const raw = Buffer.concat([Buffer.from(before), Buffer.from([0xe9]), Buffer.from(after)]);
    nock(GH)
      .get(`${R}/pulls/2/files`)
      .query(true)
      .reply(200, raw, { "content-type": "application/json; charset=utf-8" });
    const finding = {
      file: "lib/greet.js",
      startLine: 2,
      endLine: 2,
      severity: "info",
      title: "Greeting changed",
      explanation: "The greeting is now French.",
    };
    const llm = mockLlm([{ ...QUIET, findings: [finding] }]);
    const c = capture();
    mockListReviewComments();
    mockCreateReview(c);
    mockCreateComment(c);
    expect(await app.drain()).toBe(1);
    const user = llm[0]!.messages[1]!.content;
    expect(user).toContain("## File: lib/greet.js (modified, not valid UTF-8, bad bytes shown as �)");
    expect(user).toContain("    1  // greeting for the caf\uFFFD");
    expect(user).toContain("    2 +var hello = 'bonjour';");
    expect(c.reviews).toHaveLength(1);
    expect(c.reviews[0]!.comments).toEqual([
      { path: "lib/greet.js", line: 2, side: "RIGHT", body: expect.stringContaining("**Greeting changed**") },
    ]);
    expect(c.created[0]!.body).toContain("**Not reviewed:** none");
  });

  it("findings outside the diff: all folded into the summary, the review API is never called", async () => {
    const outside = [
      ["lib/router.js", 10, 12, "A file the PR does not touch", "lib/router.js is not part of this diff"],
      [
        "lib/request.js",
        12,
        12,
        "A line far from any hunk",
        "lib/request.js:12 (RIGHT) is not an added or unchanged line of the new file inside a hunk of the diff",
      ],
      [
        "test/req.fresh.js",
        5,
        50,
        "A range across two hunks",
        "lines 5–50 span two hunks; a range must stay inside one hunk",
      ],
      [
        "History.md",
        900,
        901,
        "Past the end of the file",
        "History.md:901 (RIGHT) is not an added or unchanged line of the new file inside a hunk of the diff",
      ],
    ].map(([file, startLine, endLine, title, why]) => ({
      file: file as string,
      startLine: startLine as number,
      endLine: endLine as number,
      title: title as string,
      why: why as string,
      severity: "major",
      explanation: `Why: ${title}.`,
    }));
    // No review mock: a call to POST /pulls/2/reviews would fail the job.
    const llm = mockLlm([{ ...QUIET, findings: outside.map(({ why: _why, ...f }) => f) }]);
    const body = await review(fixtureFiles("express-query-revalidation"), 9506, 3);
    expect(llm).toHaveLength(1);
    expect(body).toContain("**Findings outside the diff** (shown here instead of inline):");
    expect(body).not.toContain("inline comment");
    for (const f of outside) {
      const where =
        f.startLine === f.endLine ? `${f.file}:${f.startLine}` : `${f.file}:${f.startLine}-${f.endLine}`;
      expect(body).toContain(`- 🔴 **${f.title}** — \`${where}\` (not on a changed line: ${f.why})`);
      expect(body).toContain(`  Why: ${f.title}.`);
    }
    expect(body).toContain("<sub>Steward review · model `gpt-4o-mini` · 1 call");
  });
});
