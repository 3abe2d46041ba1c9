import nock from "nock";
import { describe, expect, it } from "vitest";
import { GitHubAPIError } from "../../src/errors.ts";
import { permissionHint, retryAfterFromHeaders, toGitHubError, wrapGitHub } from "../../src/github/errors.ts";
import { api, makeOctokit, OWNER, REPO, REPO_PATH } from "./helpers.ts";

const octokit = makeOctokit();
const comment = () =>
  wrapGitHub(
    () => octokit.rest.issues.createComment({ owner: OWNER, repo: REPO, issue_number: 1, body: "hi" }),
    "comment on #1",
  );

async function failure(p: Promise<unknown>): Promise<GitHubAPIError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GitHubAPIError);
  return err as GitHubAPIError;
}

describe("wrapGitHub with a real Octokit", () => {
  it("429 with retry-after is transient and waits that long", async () => {
    api()
      .post(`${REPO_PATH}/issues/1/comments`)
      .reply(429, { message: "Too many requests" }, { "retry-after": "30" });
    const err = await failure(comment());
    expect(err).toMatchObject({ status: 429, transient: true, retryAfterMs: 30_000 });
    expect(err.message).toBe("comment on #1 failed: 429 Too many requests");
    expect(err.userMessage).toBe(
      "GitHub rate-limited Steward while trying to comment on #1 (Steward retries after about 30 s).",
    );
  });

  it("403 secondary rate limit without headers waits at least a minute", async () => {
    api().post(`${REPO_PATH}/issues/1/comments`).reply(403, {
      message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
    });
    const err = await failure(comment());
    expect(err).toMatchObject({ status: 403, transient: true, retryAfterMs: 60_000 });
  });

  it("403 with retry-after is a secondary limit even when the message says otherwise", async () => {
    api().post(`${REPO_PATH}/issues/1/comments`).reply(403, { message: "Forbidden" }, { "retry-after": "5" });
    expect(await failure(comment())).toMatchObject({ transient: true, retryAfterMs: 5_000 });
  });

  it("403 with x-ratelimit-remaining 0 waits until x-ratelimit-reset", async () => {
    const reset = Math.floor(Date.now() / 1000) + 600;
    api()
      .post(`${REPO_PATH}/issues/1/comments`)
      .reply(
        403,
        { message: "API rate limit exceeded" },
        { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(reset) },
      );
    const err = await failure(comment());
    expect(err.transient).toBe(true);
    expect(err.retryAfterMs).toBeGreaterThan(590_000);
    expect(err.retryAfterMs).toBeLessThanOrEqual(600_000);
  });

  it("5xx is transient", async () => {
    api().post(`${REPO_PATH}/issues/1/comments`).reply(502, { message: "Bad Gateway" });
    expect(await failure(comment())).toMatchObject({ status: 502, transient: true, retryAfterMs: undefined });
  });

  it("404 is permanent with an actionable message", async () => {
    api().post(`${REPO_PATH}/issues/1/comments`).reply(404, { message: "Not Found" });
    const err = await failure(comment());
    expect(err).toMatchObject({ status: 404, transient: false, retryAfterMs: undefined });
    expect(err.userMessage).toBe(
      "GitHub could not find what Steward needed to comment on #1 (404). It may have been deleted, or the App is not installed on this repository or lacks access to it.",
    );
  });

  it("403 'Resource not accessible by integration' names the App permission to grant", async () => {
    api()
      .post(`${REPO_PATH}/issues/1/comments`)
      .reply(403, { message: "Resource not accessible by integration" });
    const err = await failure(comment());
    expect(err.transient).toBe(false);
    expect(err.userMessage).toBe(
      'The Steward App lacks a permission needed to comment on #1. Grant "Issues: Read and write (and Pull requests: Read and write for pull requests)" in the App\'s settings, then accept the new permissions on the installation.',
    );
  });

  it("401 points at the App credentials", async () => {
    api().post(`${REPO_PATH}/issues/1/comments`).reply(401, { message: "Bad credentials" });
    const err = await failure(comment());
    expect(err.transient).toBe(false);
    expect(err.userMessage).toMatch(
      /^GitHub rejected Steward's credentials while trying to comment on #1\. Check APP_ID/,
    );
  });

  it("422 carries GitHub's validation details", async () => {
    api()
      .post(`${REPO_PATH}/issues/1/comments`)
      .reply(422, {
        message: "Validation Failed",
        errors: [{ resource: "IssueComment", field: "body", code: "custom", message: "body is too long" }],
      });
    const err = await failure(comment());
    expect(err.transient).toBe(false);
    expect(err.message).toBe(
      'comment on #1 failed: 422 Validation Failed: {"resource":"IssueComment","field":"body","code":"custom","message":"body is too long"}',
    );
    expect(err.userMessage).toBe(
      "GitHub rejected Steward's request to comment on #1 as invalid (422: Validation Failed (IssueComment body custom body is too long)).",
    );
  });

  it("never puts the token in the error", async () => {
    api().post(`${REPO_PATH}/issues/1/comments`).reply(500, { message: "boom" });
    const err = await failure(comment());
    expect(JSON.stringify({ m: err.message, u: err.userMessage })).not.toContain("token test");
    expect(String(err.stack)).not.toContain("token test");
  });

  it("a network failure (Octokit reports it as 500) is transient", async () => {
    nock("https://api.github.com").post(`${REPO_PATH}/issues/1/comments`).replyWithError("socket hang up");
    const err = await failure(comment());
    expect(err).toMatchObject({ status: 500, transient: true });
    expect(err.message).toBe("comment on #1 failed: 500 socket hang up");
  });
});

describe("pure helpers", () => {
  it("retryAfterFromHeaders reads seconds, HTTP dates and the reset header", () => {
    const now = Date.parse("2025-01-01T00:00:00Z");
    expect(retryAfterFromHeaders({ "retry-after": "2" }, now)).toBe(2000);
    expect(retryAfterFromHeaders({ "retry-after": "Wed, 01 Jan 2025 00:00:10 GMT" }, now)).toBe(10_000);
    expect(
      retryAfterFromHeaders(
        { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(now / 1000 + 42) },
        now,
      ),
    ).toBe(42_000);
    expect(
      retryAfterFromHeaders({ "x-ratelimit-remaining": "10", "x-ratelimit-reset": "1" }, now),
    ).toBeUndefined();
    expect(retryAfterFromHeaders(undefined, now)).toBeUndefined();
  });

  it("permissionHint maps endpoints to App permissions", () => {
    expect(permissionHint("POST", "https://api.github.com/repos/o/r/pulls/1/reviews")).toBe(
      "Pull requests: Read and write",
    );
    expect(permissionHint("PUT", "https://api.github.com/repos/o/r/pulls/1/merge")).toBe(
      "Contents: Read and write",
    );
    expect(permissionHint("POST", "https://api.github.com/repos/o/r/git/refs")).toBe(
      "Contents: Read and write",
    );
    expect(permissionHint("POST", "https://api.github.com/repos/o/r/check-runs")).toBe(
      "Checks: Read and write",
    );
    expect(permissionHint("GET", "https://api.github.com/repos/o/r/collaborators/u/permission")).toBe(
      "Metadata: Read-only",
    );
  });

  it("leaves programming errors alone; classifies raw timeouts as transient", () => {
    const bug = new TypeError("x is not a function");
    expect(toGitHubError(bug, "do it")).toBe(bug);
    const timeout = Object.assign(new Error("The operation timed out"), { name: "TimeoutError" });
    expect(toGitHubError(timeout, "do it")).toMatchObject({
      transient: true,
      message: "do it failed: network error",
    });
  });
});
