// Shared by the PR-tool end-to-end tests: the real payloads, GitHub mocks for one PR, and an LLM
// endpoint over nock that records every request body.
import { readFileSync } from "node:fs";
import nock from "nock";
import { GH, type TestApp } from "../../helpers/app.ts";
import { examplePayload } from "../../helpers/webhooks.ts";
import { completion } from "../../llm/helpers.ts";

export const OWNER = "Codertocat";
export const REPO = "Hello-World";
export const NUMBER = 2;
export const HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
export const BASE_SHA = "f95f852bd8fca8fcc58a9a2d6c842781e32a215e";
export const LLM = "http://llm.test";
export const LLM_ENV = { LLM_API_KEY: "sk-test", LLM_BASE_URL: `${LLM}/v1`, LLM_MODEL: "gpt-4o-mini" };
export const R = `/repos/${OWNER}/${REPO}`;

export type PullFile = {
  filename: string;
  status: string;
  patch?: string;
  additions: number;
  deletions: number;
  previous_filename?: string;
};

/** listFiles answers converted from real git diffs (fixtures/pr/README.md). */
export function fixtureFiles(name: string): PullFile[] {
  return JSON.parse(
    readFileSync(new URL(`../../../fixtures/pr/${name}.files.json`, import.meta.url), "utf8"),
  );
}

export function prOpened(): any {
  const p = examplePayload("pull_request", "opened");
  p.installation = { id: 42 };
  return p;
}

export function prCommentPayload(body: string, id = 9001): any {
  const p = examplePayload("issue_comment", "created");
  p.installation = { id: 42 };
  p.issue.number = NUMBER;
  p.issue.pull_request = { url: `${GH}${R}/pulls/${NUMBER}` };
  p.comment.id = id;
  p.comment.body = body;
  return p;
}

export function pullRequest(over: Record<string, unknown> = {}) {
  return {
    number: NUMBER,
    title: "Allow conditional revalidation for QUERY requests",
    body: "Author text.\n\nFixes #7",
    draft: false,
    changed_files: 3,
    user: { login: "Codertocat", type: "User" },
    head: { sha: HEAD, ref: "feature" },
    base: { sha: BASE_SHA, ref: "main" },
    labels: [],
    ...over,
  };
}

/** GET the PR (`times` reads) and its files. */
export function mockPr(files: PullFile[], over: Record<string, unknown> = {}, times = 1): void {
  nock(GH).get(`${R}/pulls/${NUMBER}`).times(times).reply(200, pullRequest(over));
  nock(GH).get(`${R}/pulls/${NUMBER}/files`).query(true).reply(200, files);
}

export interface OwnComment {
  id: number;
  body: string;
}

/** The issue comments as GitHub lists them (Steward's own are Bot comments by steward-test[bot]). */
export function mockListComments(comments: OwnComment[], times = 1): void {
  nock(GH)
    .get(`${R}/issues/${NUMBER}/comments`)
    .query(true)
    .times(times)
    .reply(
      200,
      comments.map((c) => ({
        id: c.id,
        body: c.body,
        html_url: `https://github.com/${OWNER}/${REPO}/pull/${NUMBER}#issuecomment-${c.id}`,
        user: { login: "steward-test[bot]", type: "Bot" },
      })),
    );
}

/** Records every body sent to the LLM and answers with `answers` in order. */
export function mockLlm(answers: unknown[]): Array<{ messages: Array<{ role: string; content: string }> }> {
  const seen: Array<{ messages: Array<{ role: string; content: string }> }> = [];
  for (const a of answers) {
    nock(LLM)
      .post("/v1/chat/completions", (b) => {
        seen.push(b);
        return true;
      })
      .reply(200, completion(typeof a === "string" ? a : JSON.stringify(a)));
  }
  return seen;
}

export interface Captured {
  created: Array<{ body: string }>;
  edited: Array<{ id: number; body: string }>;
  reviews: Array<Record<string, any>>;
  prPatches: Array<Record<string, any>>;
}

export function capture(): Captured {
  return { created: [], edited: [], reviews: [], prPatches: [] };
}

export function mockCreateComment(c: Captured, id = 700, times = 1): void {
  let n = 0;
  nock(GH)
    .post(`${R}/issues/${NUMBER}/comments`, (b) => {
      if (typeof b === "object") c.created.push(b);
      return true;
    })
    .times(times)
    .reply(201, () => ({ id: id + n++, html_url: `https://github.com/x#${id}` }));
}

export function mockEditComment(c: Captured, id: number): void {
  nock(GH)
    .patch(`${R}/issues/comments/${id}`, (b) => {
      c.edited.push({ id, body: b.body });
      return true;
    })
    .reply(200, { id, html_url: `https://github.com/x#${id}` });
}

export function mockCreateReview(c: Captured, id = 80): void {
  nock(GH)
    .post(`${R}/pulls/${NUMBER}/reviews`, (b) => {
      c.reviews.push(b);
      return true;
    })
    .reply(200, { id, html_url: `https://github.com/x#review-${id}` });
}

export interface ReviewComment {
  id: number;
  body: string;
  /** Defaults to Steward's own bot. */
  user?: { login: string; type: string };
}

/**
 * The PR's inline review comments as GitHub lists them, 100 a page (a Link header for the next page),
 * read once per job that has something new to post.
 */
export function mockListReviewComments(comments: ReviewComment[] = []): void {
  const pages = Math.max(1, Math.ceil(comments.length / 100));
  for (let page = 1; page <= pages; page++) {
    const slice = comments.slice((page - 1) * 100, page * 100);
    const link: Record<string, string> =
      page < pages
        ? { Link: `<${GH}${R}/pulls/${NUMBER}/comments?per_page=100&page=${page + 1}>; rel="next"` }
        : {};
    nock(GH)
      .get(`${R}/pulls/${NUMBER}/comments`)
      .query(page === 1 ? { per_page: "100" } : { per_page: "100", page: String(page) })
      .reply(
        200,
        slice.map((c) => ({
          id: c.id,
          body: c.body,
          path: "lib/request.js",
          line: 475,
          user: c.user ?? { login: "steward-test[bot]", type: "Bot" },
        })),
        link,
      );
  }
}

/** Steward's comment kinds carry their marker on the first line. */
export function markerOf(body: string): string {
  return body.split("\n")[0]!;
}

/** The test app's own runner already posts the failure comment like `serve` does. */
export function runnerWithFailureNotice(app: TestApp, _db?: unknown) {
  return app.runner;
}

/** The job kinds these tests drive; other areas' jobs (mapping, index) stay queued, untouched. */
export const PR_KINDS = [
  "pr.auto",
  "pr.push",
  "pr.review",
  "pr.describe",
  "pr.improve",
  "command.review",
  "command.describe",
  "command.improve",
  "command.ask",
];

/** Other areas also react to these events (e.g. the similar-issue index); these tests drive only the PR tools. */
export async function keepOnlyPrJobs(db: {
  exec(sql: string, params?: unknown[]): Promise<number>;
}): Promise<void> {
  await db.exec(
    "DELETE FROM jobs WHERE kind NOT IN ('pr.auto', 'pr.push', 'pr.review', 'pr.describe', 'pr.improve', 'command.review', 'command.describe', 'command.improve', 'command.ask')",
  );
}
