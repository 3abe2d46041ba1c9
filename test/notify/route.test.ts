import { describe, expect, it } from "vitest";
import { DEFAULT_CONFIG, repoConfigSchema } from "../../src/config/schema.ts";
import {
  channelEnvKey,
  compilePathGlobs,
  ERRORS_CHANNEL,
  routeMatches,
  routeNotification,
} from "../../src/notify/route.ts";
import type { NotifyRoute } from "../../src/notify/schema.ts";

const routes: NotifyRoute[] = [
  { channel: "dev-backend", events: ["pr", "issue"], paths: ["src/backend/**"] },
  { channel: "dev-frontend", events: ["pr"], paths: ["web/**", "!web/**/*.snap"] },
  { channel: "triage", events: ["issue"], labels: ["bug"] },
  { channel: "oncall", events: ["incident"] },
  {
    channel: "infra",
    events: ["pr", "incident"],
    paths: ["deploy/**", ".github/workflows/*.yml"],
    labels: ["infra"],
  },
];

describe("routeNotification", () => {
  it("routes a PR touching src/backend/** to dev-backend only", () => {
    expect(
      routeNotification({ kind: "pr", paths: ["src/backend/api/users.ts", "README.md"] }, routes),
    ).toEqual(["dev-backend"]);
  });

  it("does not route a PR that only touches files outside every glob", () => {
    expect(routeNotification({ kind: "pr", paths: ["README.md", "src/frontend/x.ts"] }, routes)).toEqual([]);
  });

  it("collects every matching route in config order, each channel once", () => {
    const event = {
      kind: "pr" as const,
      paths: ["deploy/k8s.yaml", "src/backend/a.ts", "web/app.tsx", "src/backend/b.ts"],
    };
    expect(routeNotification(event, routes)).toEqual(["dev-backend", "dev-frontend", "infra"]);
  });

  it("routes an issue labelled bug to triage, matching labels case-insensitively", () => {
    expect(routeNotification({ kind: "issue", labels: ["Bug"] }, routes)).toEqual(["triage"]);
    expect(routeNotification({ kind: "issue", labels: ["enhancement"] }, routes)).toEqual([]);
  });

  it("matches paths OR labels on a route that has both", () => {
    expect(routeNotification({ kind: "pr", labels: ["infra"] }, routes)).toEqual(["infra"]);
    expect(routeNotification({ kind: "pr", paths: [".github/workflows/ci.yml"] }, routes)).toEqual(["infra"]);
    expect(
      routeNotification({ kind: "pr", paths: [".github/dependabot.yml"], labels: ["docs"] }, routes),
    ).toEqual([]);
  });

  it("sends every event of its kinds to a route with neither paths nor labels", () => {
    expect(routeNotification({ kind: "incident" }, routes)).toEqual(["oncall"]);
    expect(routeNotification({ kind: "incident", paths: ["deploy/x"] }, routes)).toEqual(["oncall", "infra"]);
  });

  it("ignores routes whose events exclude the kind", () => {
    // triage wants issues only; a PR with the bug label is not routed there.
    expect(routeNotification({ kind: "pr", labels: ["bug"] }, routes)).toEqual([]);
    expect(routeNotification({ kind: "issue", paths: ["web/app.tsx"] }, routes)).toEqual([]);
  });

  it("sends failures to the errors channel even with no routes", () => {
    expect(routeNotification({ kind: "failure" }, [])).toEqual([ERRORS_CHANNEL]);
    expect(routeNotification({ kind: "failure", paths: ["src/backend/a.ts"] }, routes)).toEqual(["errors"]);
  });

  it("adds routed failure channels before errors and never lists errors twice", () => {
    const r: NotifyRoute[] = [
      { channel: "backend-alerts", events: ["failure"], paths: ["src/backend/**"] },
      { channel: "Errors", events: ["failure"] },
    ];
    expect(routeNotification({ kind: "failure", paths: ["src/backend/q.ts"] }, r)).toEqual([
      "backend-alerts",
      "Errors",
    ]);
  });

  it("applies the repo-config default events (pr, issue, incident) when a route omits them", () => {
    const r: NotifyRoute[] = [{ channel: "all" }];
    expect(routeNotification({ kind: "pr" }, r)).toEqual(["all"]);
    expect(routeNotification({ kind: "issue" }, r)).toEqual(["all"]);
    expect(routeNotification({ kind: "incident" }, r)).toEqual(["all"]);
    expect(routeNotification({ kind: "failure" }, r)).toEqual(["errors"]);
  });

  it("accepts routes straight from a parsed .github/steward.yml", () => {
    const cfg = repoConfigSchema.parse({
      notify: { routes: [{ channel: "dev-backend", paths: ["src/backend/**"] }] },
    });
    expect(routeNotification({ kind: "pr", paths: ["src/backend/a.ts"] }, cfg.notify.routes)).toEqual([
      "dev-backend",
    ]);
    expect(
      routeNotification({ kind: "pr", paths: ["src/backend/a.ts"] }, DEFAULT_CONFIG.notify.routes),
    ).toEqual([]);
  });

  it("treats channel names differing only in case or # as one channel", () => {
    const r: NotifyRoute[] = [{ channel: "#dev-backend" }, { channel: "DEV_BACKEND" }];
    expect(routeNotification({ kind: "pr" }, r)).toEqual(["#dev-backend"]);
  });
});

describe("path globs", () => {
  it("matches dotfiles, nested paths and normalises ./ and leading /", () => {
    const m = compilePathGlobs(["src/backend/**", ".github/**"])!;
    expect(m("src/backend/deep/er/x.ts")).toBe(true);
    expect(m("./src/backend/x.ts")).toBe(true);
    expect(m("/src/backend/x.ts")).toBe(true);
    expect(m(".github/workflows/ci.yml")).toBe(true);
    expect(m("src/back/x.ts")).toBe(false);
    expect(m("src/backendish/x.ts")).toBe(false);
    expect(m("")).toBe(false);
  });

  it("excludes paths matched by ! patterns", () => {
    const m = compilePathGlobs(["web/**", "!web/**/*.snap"])!;
    expect(m("web/a/b.tsx")).toBe(true);
    expect(m("web/a/__snapshots__/b.snap")).toBe(false);
    const onlyExclude = compilePathGlobs(["!docs/**"])!;
    expect(onlyExclude("src/a.ts")).toBe(true);
    expect(onlyExclude("docs/a.md")).toBe(false);
  });

  it("has no matcher for an empty list", () => {
    expect(compilePathGlobs([])).toBeNull();
  });

  it("a route with only excludes routes a PR with a non-excluded path", () => {
    const route: NotifyRoute = { channel: "code", events: ["pr"], paths: ["!docs/**"] };
    expect(routeMatches({ kind: "pr", paths: ["docs/x.md"] }, route)).toBe(false);
    expect(routeMatches({ kind: "pr", paths: ["docs/x.md", "src/y.ts"] }, route)).toBe(true);
    expect(routeMatches({ kind: "pr" }, route)).toBe(false);
  });
});

describe("channelEnvKey", () => {
  it("upper-cases and maps non-alphanumerics to _", () => {
    expect(channelEnvKey("dev-backend")).toBe("STEWARD_NOTIFY_DEV_BACKEND");
    expect(channelEnvKey("#dev-backend")).toBe("STEWARD_NOTIFY_DEV_BACKEND");
    expect(channelEnvKey("team.ops alerts")).toBe("STEWARD_NOTIFY_TEAM_OPS_ALERTS");
    expect(channelEnvKey("errors")).toBe("STEWARD_NOTIFY_ERRORS");
    expect(channelEnvKey("研发")).toBe("STEWARD_NOTIFY___");
  });
});
