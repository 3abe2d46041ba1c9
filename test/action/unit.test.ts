// The action's own parts: inputs, the event and its safety checks, the in-process executor, and the
// bundle entry's contract with the runner (summary file, outputs, exit code).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { forkOf, pwnRequest, readEvent, workspaceHead } from "../../src/action/event.ts";
import { createExecutor } from "../../src/action/executor.ts";
import { parseTools, readInputs } from "../../src/action/inputs.ts";
import { ACTION_KINDS } from "../../src/action/run.ts";
import { GitHubAPIError, InvalidInputError } from "../../src/errors.ts";
import type { Job } from "../../src/jobs/types.ts";
import { silentLogger } from "../../src/logger.ts";
import { examplePayload } from "../helpers/webhooks.ts";
import { actionEnv } from "./helpers.ts";

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("inputs", () => {
  it("tools: a comma or whitespace list of PR tools, or none", () => {
    expect(parseTools(undefined)).toBeUndefined();
    expect(parseTools("describe, review\nimprove")).toEqual(["describe", "review", "improve"]);
    expect(parseTools("Review review")).toEqual(["review"]);
    expect(parseTools("none")).toEqual([]);
    expect(() => parseTools("review, deploy")).toThrow(
      /^input tools: expected PR tools from: describe, review, improve$/,
    );
  });

  it("a missing token or a bad LLM URL stops the run with one line naming the input", () => {
    vi.stubEnv("INPUT_GITHUB_TOKEN", "");
    expect(() => readInputs()).toThrow(/^input github_token: expected a token/);
    vi.stubEnv("INPUT_GITHUB_TOKEN", "ghs_x");
    vi.stubEnv("INPUT_LLM_BASE_URL", "ftp://llm");
    expect(() => readInputs()).toThrow(/^input llm_base_url: expected an http\(s\) URL/);
    vi.stubEnv("INPUT_LLM_BASE_URL", "");
    expect(readInputs()).toEqual({
      githubToken: "ghs_x",
      llm: { baseUrl: undefined, apiKey: undefined, model: undefined },
      tools: undefined,
      configPath: undefined,
      indexPath: ".steward/index.db",
    });
  });
});

describe("event", () => {
  it("reads the payload GitHub wrote, and refuses what is not one", () => {
    const dir = mkdtempSync(join(tmpdir(), "steward-ev-"));
    try {
      const path = join(dir, "event.json");
      writeFileSync(path, JSON.stringify(examplePayload("issues", "opened")));
      expect(readEvent({ GITHUB_EVENT_NAME: "issues", GITHUB_EVENT_PATH: path }).repo).toBe(
        "Codertocat/Hello-World",
      );
      writeFileSync(path, "[1,2]");
      expect(() => readEvent({ GITHUB_EVENT_NAME: "issues", GITHUB_EVENT_PATH: path })).toThrow(
        /expected a JSON object/,
      );
      expect(() => readEvent({ GITHUB_EVENT_NAME: "issues", GITHUB_EVENT_PATH: join(dir, "none") })).toThrow(
        /could not read/,
      );
      expect(() => readEvent({})).toThrow(/inside a GitHub Actions workflow/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("tells a fork PR from a branch PR", () => {
    const p = examplePayload("pull_request", "opened");
    const ev = { name: "pull_request", payload: p, repo: "Codertocat/Hello-World" };
    expect(forkOf(ev)).toBeUndefined();
    p.pull_request.head.repo.full_name = "mallory/Hello-World";
    expect(forkOf(ev)).toBe("mallory/Hello-World");
    p.pull_request.head.repo = null;
    expect(forkOf(ev)).toBe("(deleted fork)");
    expect(forkOf({ ...ev, name: "issues" })).toBeUndefined();
  });

  it("refuses a pull_request_target run whose workspace holds the PR's head checkout", () => {
    const ws = mkdtempSync(join(tmpdir(), "steward-ws-"));
    try {
      const p = examplePayload("pull_request", "opened");
      const head = p.pull_request.head.sha as string;
      const ev = { name: "pull_request_target", payload: p, repo: "Codertocat/Hello-World" };
      expect(pwnRequest(ev, ws)).toBeUndefined(); // no checkout at all
      mkdirSync(join(ws, ".git/refs/heads"), { recursive: true });
      writeFileSync(join(ws, ".git/HEAD"), `${head}\n`); // actions/checkout of the head: detached
      expect(workspaceHead(ws)).toBe(head);
      expect(pwnRequest(ev, ws)).toMatch(
        /checked out the pull request's head \(ec26c3e57ca3\) with a write token/,
      );
      expect(pwnRequest({ ...ev, name: "pull_request" }, ws)).toBeUndefined();
      writeFileSync(join(ws, ".git/HEAD"), "ref: refs/heads/main\n"); // the base branch: safe
      writeFileSync(join(ws, ".git/refs/heads/main"), `${"1".repeat(40)}\n`);
      expect(pwnRequest(ev, ws)).toBeUndefined();
      writeFileSync(join(ws, ".git/refs/heads/main"), `${head}\n`);
      expect(pwnRequest(ev, ws)).toBeDefined();
    } finally {
      rmSync(ws, { recursive: true, force: true });
    }
  });
});

describe("executor", () => {
  const kinds = new Set(["a", "b", "c", "flaky", "broken"]);

  it("runs in the App runner's claim order (earliest due, then first enqueued) and coalesces pending keys", async () => {
    const ex = createExecutor({ log: silentLogger(), installationId: 9, kinds });
    const seen: string[] = [];
    const handler = async (job: Job) => {
      seen.push(`${job.kind}:${JSON.stringify(job.payload)}:${job.installationId}`);
      if (job.kind === "a") ex.enqueue({ kind: "c", payload: 1, debounceMs: 0 });
    };
    ex.enqueue({ kind: "b", payload: 1, dedupeKey: "k", debounceMs: 30_000 });
    ex.enqueue({ kind: "a", payload: 1 });
    ex.enqueue({ kind: "b", payload: 2, dedupeKey: "k", debounceMs: 30_000 }); // replaces the pending b
    const reports = await ex.run({ a: handler, b: handler, c: handler });
    expect(seen).toEqual(["a:1:9", "c:1:9", "b:2:9"]);
    expect(reports.map((r) => [r.kind, r.outcome])).toEqual([
      ["a", "done"],
      ["c", "done"],
      ["b", "done"],
    ]);
  });

  it("retries transient and unknown errors with backoff, not permanent ones; reports the user-facing reason", async () => {
    const sleeps: number[] = [];
    const ex = createExecutor({
      log: silentLogger(),
      installationId: 1,
      kinds,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    let flaky = 0;
    ex.enqueue({ kind: "flaky", payload: {} });
    ex.enqueue({ kind: "broken", payload: {}, targetNumber: 4 });
    ex.enqueue({ kind: "command.agent", payload: {} });
    const reports = await ex.run({
      flaky: async (job) => {
        flaky++;
        expect(job.attempts).toBe(flaky);
        if (flaky < 3) throw new GitHubAPIError("502", { transient: true, status: 502 } as never);
      },
      broken: async () => {
        throw new InvalidInputError("bad", { userMessage: "The config names a tool that does not exist." });
      },
    });
    expect(reports.map((r) => [r.kind, r.outcome, r.attempts])).toEqual([
      ["flaky", "done", 3],
      ["broken", "failed", 1],
      ["command.agent", "not available", 0],
    ]);
    expect(reports[1]).toMatchObject({ number: 4, reason: "The config names a tool that does not exist." });
    expect(sleeps).toHaveLength(2);
    expect(sleeps[1]!).toBeGreaterThan(sleeps[0]! * 1.2);
  });

  it("a fan-out that never ends stops at maxJobs and fails the run visibly", async () => {
    const ex = createExecutor({ log: silentLogger(), installationId: 1, kinds, maxJobs: 5 });
    ex.enqueue({ kind: "a", payload: 0 });
    const reports = await ex.run({
      a: async (job) => {
        ex.enqueue({ kind: "a", payload: Number(job.payload) + 1 });
      },
    });
    expect(reports.filter((r) => r.outcome === "done")).toHaveLength(5);
    expect(reports.at(-1)).toMatchObject({
      outcome: "failed",
      reason: "Not run: one workflow run runs at most 5 jobs.",
    });
  });

  it("runs only the kinds a workflow can: PR tools, issue tools and their commands — not workers or incidents", () => {
    for (const k of [
      "pr.auto",
      "pr.push",
      "pr.review",
      "command.review",
      "command.similar",
      "issue.triage",
      "index.update",
    ])
      expect(ACTION_KINDS.has(k)).toBe(true);
    for (const k of ["command.agent", "command.approve", "incidents.sync", "maintenance.purge"])
      expect(ACTION_KINDS.has(k)).toBe(false);
  });
});

describe("the bundle's entry (main)", () => {
  it("writes the job summary and the outputs, exit 0, for an event it skips (a bot sender)", async () => {
    const p = examplePayload("issues", "opened");
    p.sender = { ...p.sender, login: "renovate[bot]", type: "Bot" };
    const a = actionEnv("issues", p);
    const out: string[] = [];
    const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk: any) => {
      out.push(String(chunk));
      return true;
    });
    try {
      expect(await a.main()).toBe(0);
      write.mockRestore();
      // The token and the LLM key are masked in the run's log before anything else is written.
      expect(out.slice(0, 2)).toEqual([
        `::add-mask::${a.env.INPUT_GITHUB_TOKEN}\n`,
        `::add-mask::${a.env.INPUT_LLM_API_KEY}\n`,
      ]);
      expect(a.summaryFile()).toContain("Event `issues.opened` on `Codertocat/Hello-World` #1.");
      expect(a.summaryFile()).toContain(
        "The event was sent by a bot; Steward ignores bots, as the App does.",
      );
      expect(a.outputs()).toMatch(/^result<<(.+)\nskipped\n\1\n/m);
      expect(a.outputs()).toMatch(/^jobs<<(.+)\n\[\]\n\1\n/m);
    } finally {
      write.mockRestore();
      a.cleanup();
    }
  });

  it("an event the action does not handle: skipped with why; a payload it cannot read: exit 1 with why", async () => {
    const a = actionEnv("push", examplePayload("push"));
    try {
      expect(await a.main()).toBe(0);
      expect(a.summaryFile()).toContain("The action does not handle `push` events");
    } finally {
      a.cleanup();
    }
    const b = actionEnv("issues", examplePayload("issues", "opened"));
    try {
      b.env.GITHUB_EVENT_PATH = join(b.dir, "missing.json");
      expect(await b.main()).toBe(1);
      expect(b.summaryFile()).toContain(
        "Steward could not start: GITHUB_EVENT_PATH: expected the event's JSON payload",
      );
      expect(b.outputs()).toMatch(/\nfailure\n/);
    } finally {
      b.cleanup();
    }
  });
});
