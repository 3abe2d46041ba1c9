import { Writable } from "node:stream";
import nock from "nock";
import { ProbotOctokit } from "probot";
import { describe, expect, it } from "vitest";
import { GitHubGateway } from "../../src/github/gateway.ts";
import { createLogger } from "../../src/logger.ts";
import { API, api, makeGateway, OWNER, REPO, REPO_PATH } from "./helpers.ts";

const SHA = "a".repeat(40);

describe("pull requests", () => {
  it("listPullFiles follows every page", async () => {
    const next = `<${API}${REPO_PATH}/pulls/4/files?per_page=100&page=2>; rel="next"`;
    api()
      .get(`${REPO_PATH}/pulls/4/files`)
      .query({ per_page: 100 })
      .reply(200, [{ filename: "a.ts" }], { link: next });
    api()
      .get(`${REPO_PATH}/pulls/4/files`)
      .query({ per_page: 100, page: 2 })
      .reply(200, [{ filename: "b.ts" }]);
    const files = await makeGateway().listPullFiles(4);
    expect(files.map((f) => f.filename)).toEqual(["a.ts", "b.ts"]);
  });

  it("getPullRequest, compareCommits and updatePullBody", async () => {
    api()
      .get(`${REPO_PATH}/pulls/4`)
      .reply(200, { number: 4, head: { sha: SHA } });
    api().get(`${REPO_PATH}/compare/main...${SHA}`).reply(200, { ahead_by: 2, files: [] });
    api().patch(`${REPO_PATH}/pulls/4`, { body: "## Description" }).reply(200, {});
    const gw = makeGateway();
    expect((await gw.getPullRequest(4)).head.sha).toBe(SHA);
    expect((await gw.compareCommits("main", SHA)).ahead_by).toBe(2);
    await gw.updatePullBody(4, "## Description");
  });

  it("getFileContent reads raw text and returns undefined for a missing file", async () => {
    nock(API, { reqheaders: { accept: "application/vnd.github.v3.raw" } })
      .get(`${REPO_PATH}/contents/src%2Findex.ts`)
      .query({ ref: SHA })
      .reply(200, "export const x = 1;\n", { "content-type": "application/vnd.github.raw" });
    nock(API)
      .get(`${REPO_PATH}/contents/README.md`)
      .reply(200, "# Ünïcode\n", { "content-type": "text/plain; charset=utf-8" });
    api().get(`${REPO_PATH}/contents/missing.ts`).reply(404, { message: "Not Found" });
    api()
      .get(`${REPO_PATH}/contents/src`)
      .reply(200, [{ name: "index.ts", type: "file" }]);
    const gw = makeGateway();
    expect(await gw.getFileContent("src/index.ts", SHA)).toBe("export const x = 1;\n");
    expect(await gw.getFileContent("README.md")).toBe("# Ünïcode\n");
    expect(await gw.getFileContent("src")).toBeUndefined();
    expect(await gw.getFileContent("missing.ts")).toBeUndefined();
  });

  it("mergePullRequest pins the checked head sha", async () => {
    api()
      .put(`${REPO_PATH}/pulls/4/merge`, { sha: SHA, merge_method: "squash" })
      .reply(200, { sha: "b".repeat(40), merged: true, message: "Pull Request successfully merged" });
    expect(await makeGateway().mergePullRequest({ pullNumber: 4, sha: SHA })).toEqual({
      sha: "b".repeat(40),
      merged: true,
    });
  });

  it("createBranch accepts an existing branch at the same commit and refuses another commit", async () => {
    const gw = makeGateway();
    api().post(`${REPO_PATH}/git/refs`, { ref: "refs/heads/fix-1", sha: SHA }).reply(201, {});
    await gw.createBranch("fix-1", SHA);
    api().post(`${REPO_PATH}/git/refs`).reply(422, { message: "Reference already exists" });
    api()
      .get(`${REPO_PATH}/git/ref/heads%2Ffix-1`)
      .reply(200, { object: { sha: SHA } });
    await gw.createBranch("fix-1", SHA);
    api().post(`${REPO_PATH}/git/refs`).reply(422, { message: "Reference already exists" });
    api()
      .get(`${REPO_PATH}/git/ref/heads%2Ffix-1`)
      .reply(200, { object: { sha: "c".repeat(40) } });
    await expect(gw.createBranch("fix-1", SHA)).rejects.toMatchObject({
      userMessage: "Branch `fix-1` already exists at a different commit; delete it or pick another name.",
    });
  });

  it("createPullRequest returns the open PR a previous run already created", async () => {
    api()
      .post(`${REPO_PATH}/pulls`, { head: "fix-1", base: "main", title: "Fix", body: "Body", draft: false })
      .reply(422, {
        message: "Validation Failed",
        errors: [
          {
            resource: "PullRequest",
            code: "custom",
            message: "A pull request already exists for octo:fix-1.",
          },
        ],
      });
    api()
      .get(`${REPO_PATH}/pulls`)
      .query({ head: "octo:fix-1", base: "main", state: "open" })
      .reply(200, [{ number: 8, html_url: "p8" }]);
    expect(
      await makeGateway().createPullRequest({ head: "fix-1", base: "main", title: "Fix", body: "Body" }),
    ).toEqual({ number: 8, url: "p8", created: false });
  });
});

describe("graphql", () => {
  it("runs queries through the error wrapper and refuses mutations", async () => {
    api()
      .post("/graphql", (b: { query: string; variables: unknown }) =>
        b.query.includes("closingIssuesReferences"),
      )
      .reply(200, {
        data: { repository: { pullRequest: { closingIssuesReferences: { nodes: [{ number: 3 }] } } } },
      });
    const gw = makeGateway();
    const q =
      'query($n:Int!){ repository(owner:"octo",name:"app"){ pullRequest(number:$n){ closingIssuesReferences(first:10){ nodes { number } } } } }';
    expect(await gw.graphql(q, { n: 4 })).toEqual({
      repository: { pullRequest: { closingIssuesReferences: { nodes: [{ number: 3 }] } } },
    });
    await expect(gw.graphql("mutation { addStar }")).rejects.toThrow(/for queries/);
    api().post("/graphql").reply(502, { message: "Bad Gateway" });
    await expect(gw.graphql(q, { n: 4 })).rejects.toMatchObject({ status: 502, transient: true });
  });
});

describe("secrets", () => {
  it("never writes the installation token to the log, even on failure", async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const TestOctokit = ProbotOctokit.defaults({ retry: { enabled: false }, throttle: { enabled: false } });
    const octokit = new TestOctokit({ auth: { token: "ghs_S3cretInstallationToken" } });
    const gw = new GitHubGateway({
      octokit,
      owner: OWNER,
      repo: REPO,
      log: createLogger({ level: "debug", destination: sink }),
    });
    nock(API).get(`${REPO_PATH}/issues/2/comments`).query(true).reply(200, []);
    nock(API).post(`${REPO_PATH}/issues/2/comments`).reply(201, { id: 1, html_url: "c1" });
    nock(API).post(`${REPO_PATH}/pulls/2/reviews`).reply(500, { message: "boom" });
    await gw.upsertComment({ issueNumber: 2, kind: "k", key: "a", body: "x" });
    const err = await gw
      .postReview({ pullNumber: 2, commitId: SHA, body: "b", comments: [], files: [] })
      .catch((e) => e);
    expect(err.transient).toBe(true);
    expect(lines.join("")).toContain("upserted Steward comment");
    expect(lines.join("")).not.toContain("S3cret");
    expect(
      JSON.stringify({ message: err.message, user: err.userMessage, cause: String(err.cause) }),
    ).not.toContain("S3cret");
  });
});
