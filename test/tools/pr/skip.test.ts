import { describe, expect, it } from "vitest";
import { validateConfigText } from "../../../src/config/repo.ts";
import type { PrEventPayload } from "../../../src/events/pr.ts";
import { skipReason } from "../../../src/tools/pr/skip.ts";

function pr(over: Partial<PrEventPayload> = {}): PrEventPayload {
  return {
    number: 2,
    action: "opened",
    headSha: "a".repeat(40),
    baseSha: "b".repeat(40),
    draft: false,
    title: "Allow QUERY in req.fresh",
    author: "octocat",
    authorType: "User",
    labels: [],
    headRef: "feature/query",
    baseRef: "main",
    ...over,
  };
}

function config(yaml = "") {
  const r = validateConfigText(yaml);
  if (!r.ok) throw new Error(r.errors.join("; "));
  return r.config;
}

describe("skipReason", () => {
  it("runs on an ordinary PR with the defaults", () => {
    expect(skipReason(pr(), config())).toBeNull();
  });

  it("always skips bots, by type or by a [bot] login, whatever the config says", () => {
    const permissive = config("pr:\n  drafts: true\n");
    expect(skipReason(pr({ author: "dependabot[bot]", authorType: "Bot" }), permissive)).toBe(
      "author dependabot[bot] is a bot",
    );
    expect(skipReason(pr({ author: "renovate[BOT]", authorType: "User" }), permissive)).toBe(
      "author renovate[BOT] is a bot",
    );
    expect(skipReason(pr({ author: "ci-bot", authorType: "Bot" }), permissive)).toBe(
      "author ci-bot is a bot",
    );
    // A human whose login merely contains "bot" is not a bot.
    expect(skipReason(pr({ author: "abbott" }), permissive)).toBeNull();
  });

  it("skips drafts unless pr.drafts is true, and says how to change it", () => {
    expect(skipReason(pr({ draft: true }), config())).toBe(
      "draft pull request (set pr.drafts: true to review drafts)",
    );
    expect(skipReason(pr({ draft: true }), config("pr:\n  drafts: true\n"))).toBeNull();
  });

  it("pr.ignore.title is a regular expression, not a substring", () => {
    const c = config("pr:\n  ignore:\n    title: ['^\\[?WIP\\]?']\n");
    expect(skipReason(pr({ title: "[WIP] new router" }), c)).toBe(
      "title matches pr.ignore.title ^\\[?WIP\\]?",
    );
    expect(skipReason(pr({ title: "WIP: new router" }), c)).toBe(
      "title matches pr.ignore.title ^\\[?WIP\\]?",
    );
    expect(skipReason(pr({ title: "Finish the WIP router" }), c)).toBeNull();
  });

  it("labels and authors match case-insensitively", () => {
    const c = config("pr:\n  ignore:\n    labels: [no-review]\n    authors: [Release-Manager]\n");
    expect(skipReason(pr({ labels: ["bug", "No-Review"] }), c)).toBe(
      "label no-review is in pr.ignore.labels",
    );
    expect(skipReason(pr({ author: "release-manager" }), c)).toBe(
      "author release-manager is in pr.ignore.authors",
    );
    expect(skipReason(pr({ labels: ["no-review-needed"] }), c)).toBeNull();
  });

  it("pr.ignore.branches globs match the head or the base branch", () => {
    const c = config("pr:\n  ignore:\n    branches: ['release/**', 'gh-pages']\n");
    expect(skipReason(pr({ headRef: "release/2.x/hotfix" }), c)).toBe(
      "branch matches pr.ignore.branches release/**",
    );
    expect(skipReason(pr({ baseRef: "gh-pages" }), c)).toBe("branch matches pr.ignore.branches gh-pages");
    expect(skipReason(pr({ headRef: "feature/release" }), c)).toBeNull();
  });

  it("a bot is named before any other reason", () => {
    const c = config("pr:\n  ignore:\n    labels: [skip]\n");
    expect(skipReason(pr({ author: "x[bot]", draft: true, labels: ["skip"] }), c)).toBe(
      "author x[bot] is a bot",
    );
  });
});
