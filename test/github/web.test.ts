// Links on GitHub Enterprise Server (issue 10, defect 2): every link Steward writes is built from the
// host it talks to, and issue links on that host count as closing references.
import pino from "pino";
import { ProbotOctokit } from "probot";
import { describe, expect, it } from "vitest";
import { incidentsRoute } from "../../src/events/incidents.ts";
import { toEvent } from "../../src/events/intake.ts";
import { GitHubGateway } from "../../src/github/index.ts";
import { apiUrlFromWeb, issueLinkPrefix, webUrlFromApi, webUrlOfRepo } from "../../src/github/web.ts";
import { renderLocate } from "../../src/tools/issues/locate.ts";
import { blobLink } from "../../src/tools/markdown.ts";
import { buildPrJson } from "../../src/tools/pr-json/build.ts";
import { parseClosingReferences } from "../../src/tools/pr-json/links.ts";
import { computeFacts } from "../../src/tools/pr-facts/facts.ts";
import { examplePayload } from "../helpers/webhooks.ts";

const GHE = "https://ghe.example.com";

describe("the web host", () => {
  it("comes from the API base URL Probot was given (GHE_HOST)", () => {
    expect(webUrlFromApi("https://api.github.com")).toBe("https://github.com");
    expect(webUrlFromApi("https://ghe.example.com/api/v3")).toBe(GHE);
    expect(webUrlFromApi("http://127.0.0.1:8123/api/v3/")).toBe("http://127.0.0.1:8123");
    expect(webUrlFromApi(undefined)).toBe("https://github.com");
    expect(apiUrlFromWeb(GHE)).toBe("https://ghe.example.com/api/v3");
    expect(apiUrlFromWeb("https://github.com")).toBe("https://api.github.com");
  });

  it("is what the gateway hands to tools", () => {
    const log = pino({ level: "silent" });
    const ghe = new ProbotOctokit({ baseUrl: `${GHE}/api/v3` });
    expect(new GitHubGateway({ octokit: ghe, owner: "o", repo: "r", log }).webUrl).toBe(GHE);
    const dotcom = new ProbotOctokit({});
    expect(new GitHubGateway({ octokit: dotcom, owner: "o", repo: "r", log }).webUrl).toBe(
      "https://github.com",
    );
  });

  it("is read from a webhook's repository.html_url", () => {
    expect(webUrlOfRepo(`${GHE}/acme/shop`, "acme/shop")).toBe(GHE);
    expect(webUrlOfRepo("https://github.com/Codertocat/Hello-World", "Codertocat/Hello-World")).toBe(
      "https://github.com",
    );
    expect(webUrlOfRepo(undefined, "a/b")).toBe("https://github.com");
    expect(webUrlOfRepo("https://evil.example/x/y", "a/b")).toBe("https://github.com");
  });
});

describe("links on Enterprise Server", () => {
  it("blob links (review findings, /ask references, /improve) use the host", () => {
    expect(blobLink({ owner: "o", repo: "r", web: GHE }, "abc", "src/a b.ts", 3, 5)).toBe(
      `${GHE}/o/r/blob/abc/src/a%20b.ts#L3-L5`,
    );
  });

  it("/locate links use the host", () => {
    const md = renderLocate(
      { owner: "o", name: "r", web: GHE },
      { branch: "main", paths: ["src/a.ts"], truncated: false },
      [{ path: "src/a.ts", score: 1, evidence: ["named in the issue"] }],
    );
    expect(md).toContain(`(${GHE}/o/r/blob/main/src/a.ts)`);
    expect(md).not.toContain("github.com");
  });

  it("closing references accept issue URLs on the host, build links on it, and ignore github.com", () => {
    const repo = { owner: "acme", repo: "shop", web: GHE };
    expect(parseClosingReferences(`Fixes ${GHE}/acme/shop/issues/4 and closes #5`, repo)).toEqual([
      { number: 4, url: `${GHE}/acme/shop/issues/4`, source: "closing-keyword" },
      { number: 5, url: `${GHE}/acme/shop/issues/5`, source: "closing-keyword" },
    ]);
    expect(parseClosingReferences("Fixes https://github.com/acme/shop/issues/4", repo)).toEqual([]);
    expect(issueLinkPrefix(GHE, "Acme", "Shop")).toBe(`${GHE}/acme/shop/issues/`);
  });

  it("the PR JSON links issues on the host", () => {
    const json = buildPrJson({
      repo: { owner: "acme", repo: "shop", web: GHE },
      title: "t",
      body: "Resolves #9",
      files: [],
      facts: computeFacts([]),
    });
    expect(json.linkedIssues).toEqual([
      { number: 9, url: `${GHE}/acme/shop/issues/9`, source: "closing-keyword" },
    ]);
  });

  it("a PR on the host that fixes an incident issue by URL links the incident", () => {
    const p = examplePayload("pull_request", "opened");
    p.installation = { id: 42 };
    p.repository.full_name = "acme/shop";
    p.repository.html_url = `${GHE}/acme/shop`;
    p.pull_request.body = `Fixes ${GHE}/acme/shop/issues/31`;
    const jobs = incidentsRoute(toEvent("pull_request", "d-1", p));
    expect(jobs.map((j) => (j.payload as { issues: number[] }).issues)).toEqual([[31]]);
  });
});
