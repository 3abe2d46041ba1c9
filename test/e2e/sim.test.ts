// The judge judged: the simulator must reject what GitHub rejects, or the e2e suite proves nothing.
// Driven with Octokit-free fetch calls so each request is exactly what the test wrote.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LlmFake } from "./llm/fake.ts";
import { prFiles } from "./payloads.ts";
import { GitHubSimulator } from "./sim/server.ts";
import type { SimRepo } from "./sim/state.ts";

describe("GitHub simulator", () => {
  const sim = new GitHubSimulator();
  let repo: SimRepo;
  let token: string;
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${sim.origin}${path}`, {
      method,
      headers: { authorization: `token ${token}`, "content-type": "application/json", ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return {
      status: res.status,
      body: text && res.headers.get("content-type")?.includes("json") ? JSON.parse(text) : text,
    };
  };

  beforeAll(async () => {
    await sim.start();
    repo = sim.state.addRepo("acme/app");
    token = sim.userToken("alice");
    repo.permissions.set("alice", "maintain");
  });
  afterAll(() => sim.stop());

  it("records an unknown operation, a mistyped parameter, an undocumented query parameter and an invalid body", async () => {
    sim.invalid.length = 0;
    expect((await call("GET", "/api/v3/repos/acme/app/no-such-thing")).status).toBe(404);
    expect((await call("GET", "/api/v3/repos/acme/app/issues/abc")).status).toBe(422);
    expect((await call("GET", "/api/v3/repos/acme/app/issues?per_page=100&colour=red")).status).toBe(422);
    expect((await call("POST", "/api/v3/repos/acme/app/issues", { body: "no title" })).status).toBe(422);
    expect((await call("GET", "/repos/acme/app")).status).toBe(404);
    expect(sim.invalid.map((i) => i.problems[0])).toEqual([
      "no such operation in GitHub's REST description",
      'path parameter issue_number: expected integer, got "abc"',
      "query parameter colour is not documented for issues/list-for-repo",
      expect.stringContaining("must have required property 'title'"),
      "not under /api/v3 (GitHub Enterprise Server's REST prefix)",
    ]);
  });

  it("answers 422 for a comment over 65,536 characters and for an inline comment outside the diff", async () => {
    sim.invalid.length = 0;
    const pr = sim.state.openPull(repo, {
      title: "t",
      author: "alice",
      head: "x",
      files: prFiles("express-query-revalidation"),
    });
    const long = await call("POST", `/api/v3/repos/acme/app/issues/${pr.number}/comments`, {
      body: "x".repeat(65_537),
    });
    expect(long.status).toBe(422);
    expect(JSON.stringify(long.body)).toContain("body is too long");
    // lib/request.js's hunk is new-file lines 471-478; line 500 is outside it.
    const review = (line: number) =>
      call("POST", `/api/v3/repos/acme/app/pulls/${pr.number}/reviews`, {
        event: "COMMENT",
        body: "r",
        comments: [{ path: "lib/request.js", line, side: "RIGHT", body: "here" }],
      });
    const outside = await review(500);
    expect(outside.status).toBe(422);
    expect(JSON.stringify(outside.body)).toContain("Line could not be resolved");
    expect(repo.reviews).toHaveLength(0);
    expect((await review(474)).status).toBe(200);
    expect([...repo.reviewComments.values()].map((c) => [c.path, c.line])).toEqual([["lib/request.js", 474]]);
    // Valid requests that GitHub refuses are not invalid requests.
    expect(sim.invalid).toEqual([]);
  });

  it("merges only the head it was told (409 on a moved head) and only once (405)", async () => {
    const pr = sim.state.openPull(repo, {
      title: "m",
      author: "alice",
      head: "m",
      files: prFiles("ky-query-method"),
    });
    const sha = pr.pull?.head.sha;
    expect(
      (await call("PUT", `/api/v3/repos/acme/app/pulls/${pr.number}/merge`, { sha: "0".repeat(40) })).status,
    ).toBe(409);
    const ok = await call("PUT", `/api/v3/repos/acme/app/pulls/${pr.number}/merge`, {
      sha,
      merge_method: "squash",
    });
    expect(ok.status).toBe(200);
    expect(pr.pull?.merged).toBe(true);
    expect((await call("PUT", `/api/v3/repos/acme/app/pulls/${pr.number}/merge`, { sha })).status).toBe(405);
  });

  it("reports GitHub's legacy permission next to the exact role (maintain → write)", async () => {
    const r = await call("GET", "/api/v3/repos/acme/app/collaborators/alice/permission");
    expect(r.body).toMatchObject({ permission: "write", role_name: "maintain" });
    sim.state.user("mallory");
    expect((await call("GET", "/api/v3/repos/acme/app/collaborators/mallory/permission")).body).toMatchObject(
      { permission: "read", role_name: "read" },
    );
  });

  it("validates GraphQL against GitHub's schema and answers closingIssuesReferences from the PR body", async () => {
    sim.invalid.length = 0;
    const issue = sim.state.openIssue(repo, { title: "bug", author: "alice" });
    const pr = sim.state.openPull(repo, {
      title: "fix",
      body: `Fixes #${issue.number}`,
      author: "alice",
      head: "f",
      files: [],
    });
    const q = `query($owner:String!,$repo:String!,$number:Int!){repository(owner:$owner,name:$repo){pullRequest(number:$number){closingIssuesReferences(first:5){nodes{number url}}}}}`;
    const good = await call("POST", "/api/graphql", {
      query: q,
      variables: { owner: "acme", repo: "app", number: pr.number },
    });
    expect(good.body.data.repository.pullRequest.closingIssuesReferences.nodes).toEqual([
      { number: issue.number, url: `${sim.origin}/acme/app/issues/${issue.number}` },
    ]);
    expect(sim.invalid).toEqual([]);
    await call("POST", "/api/graphql", { query: '{ repository(owner:"acme", name:"app") { noSuchField } }' });
    expect(sim.invalid.map((i) => i.problems[0])).toEqual([
      'Cannot query field "noSuchField" on type "Repository".',
    ]);
  });

  it("injects faults per route and holds requests", async () => {
    const fault = sim.fail({
      method: "GET",
      path: "/repos/acme/app",
      status: 503,
      headers: { "retry-after": "1" },
      times: 1,
    });
    expect((await call("GET", "/api/v3/repos/acme/app")).status).toBe(503);
    expect((await call("GET", "/api/v3/repos/acme/app")).status).toBe(200);
    expect(fault.hits).toBe(1);
    const hold = sim.hold({ operationId: "issues/create", mode: "after" });
    const pending = call("POST", "/api/v3/repos/acme/app/issues", { title: "held" });
    await hold.arrived;
    expect([...repo.issues.values()].some((i) => i.title === "held")).toBe(true); // applied, not yet answered
    hold.release();
    expect((await pending).status).toBe(201);
  });
});

describe("LLM fake", () => {
  const llm = new LlmFake({ apiKey: "k" });
  beforeAll(() => llm.start());
  afterAll(() => llm.stop());
  const ask = (body: unknown, key = "k") =>
    fetch(`${llm.baseUrl}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));

  it("answers json_schema requests with an instance of the schema sent, whatever it is", async () => {
    const schema = {
      type: "object",
      properties: {
        level: { type: "string", enum: ["high", "low"] },
        n: { type: "integer", minimum: 3, maximum: 5 },
        items: { type: "array", items: { type: "string" }, minItems: 1 },
      },
      required: ["level", "n", "items"],
      additionalProperties: false,
    };
    const r = await ask({
      model: "m",
      messages: [{ role: "user", content: "hi" }],
      response_format: { type: "json_schema", json_schema: { name: "x", schema } },
    });
    const answer = JSON.parse(r.body.choices[0].message.content);
    expect(["high", "low"]).toContain(answer.level);
    expect(answer.n).toBeGreaterThanOrEqual(3);
    expect(answer.items.length).toBeGreaterThanOrEqual(1);
  });

  it("answers 401 to a wrong key and injects faults", async () => {
    expect((await ask({ model: "m", messages: [] }, "wrong")).status).toBe(401);
    llm.fail({ status: 429, headers: { "retry-after": "1" } });
    expect((await ask({ model: "m", messages: [], response_format: { type: "json_object" } })).status).toBe(
      429,
    );
  });
});
