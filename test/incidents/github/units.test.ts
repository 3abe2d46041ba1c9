import { describe, expect, it } from "vitest";
import { loadEnv } from "../../../src/config/env.ts";
import { incidentsRoute } from "../../../src/events/incidents.ts";
import type { WebhookEvent } from "../../../src/events/types.ts";
import { claimOnce } from "../../../src/incidents/github/claim.ts";
import { manualTransition } from "../../../src/incidents/github/manual.ts";
import type { IncidentStatus } from "../../../src/incidents/schema.ts";
import { code, fence, severityLabel } from "../../../src/incidents/github/render.ts";
import { targetRepo } from "../../../src/incidents/github/target.ts";
import type { IncidentSample } from "../../../src/incidents/registry.ts";
import { backends } from "../../helpers/db.ts";
import { examplePayload } from "../../helpers/webhooks.ts";

function prEvent(action: string, body: string, merged = false): WebhookEvent {
  const p = examplePayload("pull_request", "opened");
  p.action = action;
  p.pull_request.body = body;
  p.pull_request.merged = merged;
  return {
    name: "pull_request",
    action,
    deliveryId: "d1",
    installationId: 42,
    repo: p.repository.full_name,
    payload: p,
  };
}

describe("incidentsRoute (pure)", () => {
  it("enqueues a link job for closing references to this repository's issues only", () => {
    const jobs = incidentsRoute(
      prEvent(
        "opened",
        "Fixes #12, closes Codertocat/Hello-World#13 and resolves other/repo#14.\n`Fixes #15` is code.",
      ),
    );
    expect(jobs).toEqual([
      {
        kind: "incidents.pr-link",
        repo: "Codertocat/Hello-World",
        installationId: 42,
        targetNumber: 2,
        deliveryId: "d1",
        payload: { action: "opened", number: 2, issues: [12, 13], headSha: expect.any(String) },
        dedupeKey: "incidents.pr-link:Codertocat/Hello-World#2:open",
      },
    ]);
  });

  it("ignores PRs without references and other actions; tells merges from unmerged closes", () => {
    expect(incidentsRoute(prEvent("opened", "Refactor the cart"))).toEqual([]);
    expect(incidentsRoute(prEvent("closed", "Refactor the cart", false))).toEqual([]);
    expect(
      incidentsRoute(prEvent("closed", "Fixes #12", false)).map((j) => [
        j.dedupeKey,
        (j.payload as { action: string }).action,
      ]),
    ).toEqual([["incidents.pr-link:Codertocat/Hello-World#2:closed", "closed"]]);
    expect(incidentsRoute(prEvent("synchronize", "Fixes #12"))).toEqual([]);
    const merged = incidentsRoute(prEvent("closed", "Fixes #12", true));
    expect(merged.map((j) => [j.dedupeKey, (j.payload as { action: string }).action])).toEqual([
      ["incidents.pr-link:Codertocat/Hello-World#2:merged", "merged"],
    ]);
  });
});

describe("manualTransition (pure)", () => {
  const inc = (status: IncidentStatus, resolvedAt: number | null = null, lastSeen = 10) => ({
    status,
    resolvedAt,
    lastSeen,
  });
  it("maps hand-made closes and reopens to transitions", () => {
    const closed = (stateReason: string | null) => ({ action: "closed" as const, stateReason });
    const reopened = { action: "reopened" as const, stateReason: null };
    expect(manualTransition(inc("open"), closed("not_planned"))).toEqual({ action: "ignore", to: "ignored" });
    expect(manualTransition(inc("regressed"), closed("duplicate"))).toEqual({
      action: "ignore",
      to: "ignored",
    });
    expect(manualTransition(inc("open"), closed("completed"))).toEqual({ action: "resolve", to: "resolved" });
    expect(manualTransition(inc("regressed"), closed(null))).toEqual({ action: "resolve", to: "resolved" });
    expect(manualTransition(inc("fix-proposed"), closed("completed"))).toBeNull();
    expect(manualTransition(inc("fix-merged"), closed("completed"))).toBeNull();
    expect(manualTransition(inc("resolved", 5), closed("completed"))).toBeNull();
    expect(manualTransition(inc("ignored"), closed("not_planned"))).toBeNull();
    expect(manualTransition(inc("resolved", 20, 10), reopened)).toEqual({ action: "reopen", to: "open" });
    expect(manualTransition(inc("resolved", 5, 10), reopened)).toEqual({
      action: "regress",
      to: "regressed",
    });
    expect(manualTransition(inc("ignored"), reopened)).toEqual({ action: "reopen", to: "open" });
    expect(manualTransition(inc("open"), reopened)).toBeNull();
  });
  it("routes only people's closes and reopens of issues carrying the incident marker", () => {
    const ev = (action: string, body: string, sender = { login: "maint", type: "User" }): WebhookEvent => {
      const p = examplePayload("issues", "opened");
      p.action = action;
      p.issue.body = body;
      p.issue.state_reason = action === "closed" ? "not_planned" : null;
      p.sender = sender;
      return {
        name: "issues",
        action,
        deliveryId: "d2",
        installationId: 42,
        repo: p.repository.full_name,
        payload: p,
      };
    };
    const marked = "<!-- steward:incident key=7 -->\n### 🚨 Incident 7";
    expect(incidentsRoute(ev("closed", marked))).toEqual([
      {
        kind: "incidents.issue-state",
        repo: "Codertocat/Hello-World",
        installationId: 42,
        targetNumber: 1,
        deliveryId: "d2",
        payload: { action: "closed", number: 1, stateReason: "not_planned", sender: "maint" },
      },
    ]);
    expect(incidentsRoute(ev("closed", marked, { login: "steward[bot]", type: "Bot" }))).toEqual([]);
    expect(incidentsRoute(ev("closed", "x\n<!-- steward:incident key=7 -->"))).toEqual([]);
    expect(incidentsRoute(ev("edited", marked))).toEqual([]);
  });
});

describe("render", () => {
  const sample = (o: Partial<IncidentSample>): IncidentSample => ({
    message: "m",
    stack: null,
    path: null,
    method: null,
    status: null,
    traceId: null,
    release: null,
    level: "error",
    time: null,
    ...o,
  });
  it("labels 5xx, fatal and crash-like types high, the rest medium", () => {
    expect(severityLabel({ sample: sample({ status: 502 }), exceptionType: "Error" })).toBe("severity:high");
    expect(severityLabel({ sample: sample({ level: "fatal" }), exceptionType: null })).toBe("severity:high");
    expect(severityLabel({ sample: sample({}), exceptionType: "java.lang.OutOfMemoryError" })).toBe(
      "severity:high",
    );
    expect(severityLabel({ sample: sample({ status: 404 }), exceptionType: "ValueError" })).toBe(
      "severity:medium",
    );
  });
  it("keeps log text inside code spans and fences that backticks cannot break, masked", () => {
    expect(code("a `b` c")).toBe("``a `b` c``");
    expect(code("@here token=abc123secret")).toBe("`@here token=[redacted]`");
    expect(fence("x\n````\ny")).toBe("`````text\nx\n````\ny\n`````");
  });
});

describe("target repository from the environment", () => {
  it("maps services, falls back to the default, and keeps an issue's repository", () => {
    const env = loadEnv({
      STEWARD_INCIDENTS_REPO: "acme/api",
      STEWARD_INCIDENTS_REPOS: "web=acme/web, billing = acme/billing",
    }).incidents;
    expect(env).toEqual({
      repo: "acme/api",
      installationId: undefined,
      repos: { web: "acme/web", billing: "acme/billing" },
    });
    expect(targetRepo(env, { repo: null, service: "web" })).toBe("acme/web");
    expect(targetRepo(env, { repo: null, service: "worker" })).toBe("acme/api");
    expect(targetRepo(env, { repo: "acme/old", service: "web" })).toBe("acme/old");
  });
  it("names the variable and the expected shape on a bad value", () => {
    expect(() => loadEnv({ STEWARD_INCIDENTS_REPO: "acme" })).toThrow(
      "STEWARD_INCIDENTS_REPO: expected owner/name, e.g. acme/api",
    );
    expect(() => loadEnv({ STEWARD_INCIDENTS_REPOS: "web:acme/web" })).toThrow(
      "STEWARD_INCIDENTS_REPOS: expected service=owner/name pairs",
    );
  });
});

describe.each(backends)("issue claim on $name", ({ open }) => {
  it("lets one of two claimants win, and a later one take over only a stale claim", async () => {
    const t = await open();
    try {
      const now = 1_800_000_000_000;
      const [a, b] = await Promise.all([
        claimOnce(t.db, "incident-issue", "7", "a", { now }),
        claimOnce(t.db, "incident-issue", "7", "b", { now }),
      ]);
      expect([a.won, b.won].sort()).toEqual([false, true]);
      expect(await claimOnce(t.db, "incident-issue", "7", "c", { now: now + 60_000 })).toEqual({
        won: false,
      });
      const late = now + 11 * 60_000;
      const [c, d] = await Promise.all([
        claimOnce(t.db, "incident-issue", "7", "c", { now: late }),
        claimOnce(t.db, "incident-issue", "7", "d", { now: late }),
      ]);
      expect([c, d].filter((r) => r.won)).toEqual([{ won: true, takeoverFrom: now }]);
    } finally {
      await t.cleanup();
    }
  });
});
