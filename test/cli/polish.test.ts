// CLI polish and wrong input (issue 10, defects 8 and 10): --version, one "Usage:", binary and empty
// files refused by `issues score`, a plain-text log refused by `ingest`, mostly-skipped logs warned
// about, the ingest bar in human units, titles in `issues similar`, and agent-runner naming its URL.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { formatBarValue, humanBytes, humanCount, judgeTotals, progressBar } from "../../src/cli/ingest.ts";
import { main } from "../../src/cli/main.ts";
import type { CliIO } from "../../src/cli/types.ts";
import { freePort, spawnSteward, waitFor } from "../helpers/server.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

function fakeIO(env: Record<string, string> = {}, cwd = ROOT) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { stdout: (s) => out.push(s), stderr: (s) => err.push(s), env, cwd, isTTY: false };
  return { io, out: () => out.join(""), err: () => err.join("") };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "steward-polish-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("steward --version and usage errors", () => {
  it("--version prints the package version", async () => {
    const version = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version;
    for (const flag of ["--version", "-v"]) {
      const t = fakeIO();
      expect(await main([flag], t.io)).toBe(0);
      expect(t.out()).toBe(`steward ${version}\n`);
    }
  });

  it("a usage error says Usage once", async () => {
    const t = fakeIO();
    expect(await main(["review", "--bogus"], t.io)).toBe(2);
    expect(t.err()).toBe(
      "steward review: unknown option --bogus\nUsage: steward review (--diff-file FILE | --pr URL) [--budget TOKENS] [--dry-run] [--json]\n",
    );
    for (const name of [
      "jobs",
      "incidents",
      "audit",
      "ingest",
      "issues",
      "config",
      "agent-runner",
      "replay",
    ]) {
      const u = fakeIO();
      await main([name, "--no-such-flag"], u.io);
      expect(u.err()).not.toContain("Usage: Usage:");
    }
  });
});

describe("issues score refuses what is not an issue", () => {
  it("a binary file", async () => {
    const t = fakeIO();
    expect(await main(["issues", "score", "--file", "node_modules/.bin/node"], t.io)).toBe(1);
    expect(t.err()).toBe(
      "steward issues: --file node_modules/.bin/node is a binary file, not an issue (Markdown text or JSON)\n",
    );
    expect(t.out()).toBe("");
  });

  it("an empty file", async () => {
    writeFileSync(join(dir, "empty.md"), "  \n");
    const t = fakeIO({}, dir);
    expect(await main(["issues", "score", "--file", "empty.md"], t.io)).toBe(1);
    expect(t.err()).toBe("steward issues: --file empty.md is empty: there is no issue text to score\n");
  });
});

describe("ingest says when the input is not a JSON-lines log", () => {
  const db = () => ({ DATABASE_URL: `sqlite:${join(dir, "s.db")}` });

  it("a plain-text log is an error, exit 1", async () => {
    const file = join(dir, "plain.log");
    writeFileSync(
      file,
      "2024-01-01 12:00:00 INFO started\n2024-01-01 12:00:01 ERROR TypeError: x is undefined\n    at foo (a.js:1)\n",
    );
    const t = fakeIO(db());
    expect(await main(["ingest", file, "--once"], t.io)).toBe(1);
    expect(t.err()).toBe(
      `steward ingest: ${file} does not look like a JSON-lines log: 3 of 3 lines were not JSON records and no error record was found. Steward reads one JSON object per line (pino, bunyan, winston, structlog, zap, slog, logback, ECS, OpenTelemetry); see docs/incidents.md.\n`,
    );
  });

  it("the README is an error too", async () => {
    const t = fakeIO(db());
    expect(await main(["ingest", join(ROOT, "README.md"), "--once"], t.io)).toBe(1);
    expect(t.err()).toContain("README.md does not look like a JSON-lines log");
  });

  it("mostly skipped but with error records: a warning, exit 0", async () => {
    const file = join(dir, "mixed.log");
    const rec = JSON.stringify({ level: 50, time: 1, msg: "boom", err: { type: "E", message: "m" } });
    writeFileSync(file, `${rec}\nplain 1\nplain 2\nplain 3\n`);
    const t = fakeIO(db());
    expect(await main(["ingest", file, "--once"], t.io)).toBe(0);
    expect(t.err()).toBe(
      `steward ingest: warning: ${file}: 3 of 4 lines were not JSON records and were skipped; only the JSON lines were read.\n`,
    );
  });

  it("--follow warns at the end when the file was not a JSON-lines log", async () => {
    const file = join(dir, "plain.log");
    writeFileSync(file, "2024-01-01 INFO started\n2024-01-01 ERROR boom\n");
    const p = spawnSteward(["ingest", "--follow", file, "--poll-ms", "50"], db());
    await waitFor(() => p.output().includes("(Ctrl-C to stop)") || undefined, "ingest to start");
    await new Promise((r) => setTimeout(r, 1000));
    expect(await p.stop("SIGINT")).toBe(0);
    // The child's stdio can drain after its exit event.
    await waitFor(() => p.output().includes("non-JSON lines skipped") || undefined, "the totals line", 5_000);
    expect(p.output()).toContain(
      `steward ingest: warning: ${file} does not look like a JSON-lines log: 2 of 2 lines were not JSON records and no error record was found.`,
    );
  }, 30_000);

  it("a healthy JSON log (no errors) is fine", () => {
    const t = {
      files: 1,
      bytes: 10,
      lines: 100,
      errorLines: 0,
      nonJson: 2,
      tooLong: 0,
      newIncidents: 0,
      regressions: 0,
    };
    expect(judgeTotals("a.log", t)).toEqual({ level: "ok" });
  });
});

describe("ingest progress bar in human units", () => {
  it("formats bytes and rates", () => {
    expect(humanBytes(512)).toBe("512 B");
    expect(humanBytes(1536)).toBe("1.5 KB");
    expect(humanBytes(3 * 1024 ** 3)).toBe("3.0 GB");
    expect(humanCount(950)).toBe("950");
    expect(humanCount(12_400)).toBe("12.4k");
    expect(humanCount(3_100_000)).toBe("3.1M");
    expect(formatBarValue(50, {}, "percentage")).toBe("50");
  });

  it("renders the bar with them", () => {
    let text = "";
    const stream = Object.assign(
      new Writable({
        write(chunk, _e, cb) {
          text += String(chunk);
          cb();
        },
      }),
      { isTTY: true, columns: 200, cursorTo: () => true, clearLine: () => true, moveCursor: () => true },
    );
    const bar = progressBar(2 * 1024 ** 3, stream);
    bar.update(512 * 1024 ** 2, { lps: humanCount(123_456), incidents: 2 });
    bar.stop();
    expect(text).toContain("25% | 512.0 MB of 2.0 GB | 123.5k lines/s | 2 new incidents");
  });
});

describe("agent-runner connection errors", () => {
  it("name the URL it could not reach", async () => {
    const port = await freePort();
    const t = fakeIO({ STEWARD_URL: `http://127.0.0.1:${port}`, WORKER_SHARED_SECRET: "s".repeat(32) });
    expect(await main(["agent-runner", "--command", "true", "--once"], t.io)).toBe(1);
    expect(t.err()).toBe(
      `steward agent-runner: cannot reach Steward at http://127.0.0.1:${port}/api/workers/claim: ECONNREFUSED (check STEWARD_URL)\n`,
    );
  });
});
