// The section C acceptance run, shared by test/e2e/stall.test.ts and `npm run bench:stall`: the real
// `steward serve` (GitHub simulator, LLM fake, a tailed log file) receives a PR carrying each hostile
// line of issue 9 at 100,000 characters, a 65,000-character comment and a 1 MiB log message, while a
// separate process polls /healthz every 20 ms. A baseline of the same poller against the idle server,
// measured first in the same run, gives a ratio that survives a loaded machine. STALL_NODE_OPTIONS is
// passed to `steward serve` as NODE_OPTIONS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/p" to find a stall).
import { type ChildProcess, spawn } from "node:child_process";
import { appendFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { wrap } from "../incidents/records.ts";
import { waitFor, World } from "./harness.ts";
import { pullRequestPayload, userComments } from "./payloads.ts";
import type { SimIssue, SimPullFile, SimRepo } from "./sim/state.ts";

const N = 100_000;
const MIB = 1024 * 1024;

/** The hostile lines of issue 9, section C, each exactly N characters. */
export const HOSTILE = {
  /** 15: pyproject.toml table header, cubic in `^\[+\s*([^\]]+?)\s*\]+$`. */
  pyprojectHeader: "[" + "\t".repeat(N - 2) + "x",
  /** 16: trailing-whitespace trim `[ \t]+$`, quadratic. */
  tabs: "a" + "\t".repeat(N - 2) + "b",
  /** 17: the hard-coded-password rule's `\b[A-Za-z0-9_.-]*` prefix, quadratic. */
  secretRule: "N" + ".0".repeat((N - 2) / 2) + "=",
  /** 17: the V8 frame regex, quadratic. */
  v8Frame: "at y" + "n ()".repeat((N - 4) / 4),
};

function addedFile(filename: string, lines: string[]): SimPullFile {
  return {
    filename,
    status: "added",
    additions: lines.length,
    deletions: 0,
    changes: lines.length,
    patch: `@@ -0,0 +1,${lines.length} @@\n${lines.map((l) => `+${l}`).join("\n")}`,
  };
}

export interface StallResult {
  baseline: { polls: number; worstMs: number; p50Ms: number; eventLoopLagMaxMs: number };
  hostile: { polls: number; worstMs: number; p50Ms: number; failed: number; eventLoopLagMaxMs: number };
  /** What Steward did with the hostile input (so the run is known to have processed it). */
  processed: { prComments: number; incidentIssues: number; logRecordBytes: number };
}

class Poller {
  readonly latencies: number[] = [];
  #child: ChildProcess;
  constructor(url: string) {
    this.#child = spawn(
      process.execPath,
      [resolve(import.meta.dirname, "../helpers/healthz-poller.ts"), url],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let buf = "";
    this.#child.stdout?.on("data", (d) => {
      buf += d;
      const lines = buf.split("\n");
      buf = lines.pop() ?? "";
      for (const l of lines) if (l) this.latencies.push(Number(l));
    });
  }
  mark(): number {
    return this.latencies.length;
  }
  async stop(): Promise<void> {
    const exited = new Promise((r) => this.#child.once("exit", r));
    this.#child.kill("SIGTERM");
    await exited;
  }
}

function summary(ms: number[]) {
  const ok = ms.filter((x) => x >= 0).sort((a, b) => a - b);
  return {
    polls: ms.length,
    worstMs: ok.length ? (ok[ok.length - 1] as number) : Number.NaN,
    p50Ms: ok.length ? (ok[Math.floor(ok.length / 2)] as number) : Number.NaN,
    failed: ms.length - ok.length,
  };
}

export async function runStall(opts: { baselineMs?: number } = {}): Promise<StallResult> {
  const dir = mkdtempSync(join(tmpdir(), "steward-stall-"));
  const log = join(dir, "app.log");
  writeFileSync(log, "");
  const w = new World({
    env: {
      STEWARD_INGEST_PATHS: log,
      STEWARD_INCIDENTS_REPO: "acme/api",
      ...(process.env.STALL_NODE_OPTIONS ? { NODE_OPTIONS: process.env.STALL_NODE_OPTIONS } : {}),
    },
  });
  const repo: SimRepo = w.sim.state.addRepo("acme/api", { installationId: 7 });
  repo.permissions.set("alice", "write");
  repo.permissions.set("eve", "read");
  await w.start();
  const poller = new Poller(`http://127.0.0.1:${w.port}/healthz`);
  let logBytes = 0;
  try {
    await waitFor(() => (poller.mark() >= 5 ? true : undefined), "the poller's first answers");
    const b0 = poller.mark();
    await new Promise((r) => setTimeout(r, opts.baselineMs ?? 3_000));
    const baseline = summary(poller.latencies.slice(b0));

    // Steward's own view: a /metrics scrape resets the event-loop delay histogram, so the max read
    // after the hostile phase is the longest the loop was held during it.
    const lagMax = async () => {
      const text = await (await fetch(`http://127.0.0.1:${w.port}/metrics`)).text();
      return Number(/^steward_nodejs_eventloop_lag_max_seconds (\S+)$/m.exec(text)?.[1]) * 1000;
    };
    const baselineLagMs = await lagMax();
    const h0 = poller.mark();
    // A PR whose added lines are each hostile line (the secrets scan, the manifest readers and the
    // review all read them); the author has write access, so automatic describe and review run.
    const pr: SimIssue = w.sim.state.openPull(repo, {
      title: "Add build settings",
      body: "Hostile lines for section C.",
      author: "alice",
      head: "b/hostile",
      files: [
        addedFile("pyproject.toml", ["[project]", HOSTILE.pyprojectHeader, 'dependencies = ["requests>=2"]']),
        addedFile("src/config.py", [HOSTILE.secretRule, HOSTILE.tabs, 'password = "x"']),
        addedFile("docs/trace.txt", ["Error: boom", HOSTILE.v8Frame, "    at f (/app/a.js:1:2)"]),
      ],
    });
    await w.deliver("pull_request", pullRequestPayload(w, repo, pr, "opened"));
    // 16: a 65,000-character comment whose first line is a run of tabs between two words.
    await userComments(w, repo, pr.number, "eve", "a" + "\t".repeat(64_998) + "b");
    // 17: a 1 MiB log message carrying the V8-hostile frame line.
    // The exception message is the hostile frame line (0.45 MiB) and the stack carries it again under
    // a real header: one log record of about 0.9 MiB, under the 1 MiB a log line may have.
    const frameLine = "at y" + "n ()".repeat(Math.floor((0.45 * MIB) / 4));
    const stack = `Error: boom\n${frameLine}\n    at handler (/app/src/routes.js:10:5)`;
    const record = JSON.stringify(
      wrap("pino", stack, { service: "api", type: "Error", message: frameLine, time: Date.now() }),
    );
    appendFileSync(log, `${record}\n`);
    logBytes = Buffer.byteLength(record);
    await w.idle(120_000);
    const incidents = await waitFor(
      () => {
        const n = [...repo.issues.values()].filter((i) => !i.pull && i.title.startsWith("[incident]")).length;
        return n > 0 ? n : undefined;
      },
      "the incident issue for the 1 MiB message",
      120_000,
    );
    await w.idle(120_000);
    const hostile = { ...summary(poller.latencies.slice(h0)), eventLoopLagMaxMs: Math.round(await lagMax()) };
    const prComments = w.sim.state
      .commentsOn(repo, pr.number)
      .filter((c) => c.user.login === w.sim.botLogin).length;
    return {
      baseline: {
        polls: baseline.polls,
        worstMs: baseline.worstMs,
        p50Ms: baseline.p50Ms,
        eventLoopLagMaxMs: Math.round(baselineLagMs),
      },
      hostile,
      processed: { prComments, incidentIssues: incidents, logRecordBytes: logBytes },
    };
  } finally {
    await poller.stop();
    await w.stop();
  }
}
