import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main } from "../../../src/cli/main.ts";
import type { CliIO } from "../../../src/cli/types.ts";
import { maskValue } from "../../../src/incidents/secrets.ts";
import { parseCommand } from "../../../src/tools/commands.ts";
import { backends } from "../../helpers/db.ts";
import { Harness, MAYA } from "./harness.ts";

// Issue 9 A6: `deploy` to environment `constructor` or `__proto__` passed the "is configured" check,
// because the lookup reached Object.prototype. Every place a key from outside picks a config entry uses
// an own-property lookup (found by grepping src/: deploy environments, comment `--options`, CLI command
// names, and the copies of log records and config whose keys come from outside).

const PROTO_KEYS = ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf", "isPrototypeOf"];

describe.each(backends)("A6 prototype keys are not config entries ($name)", ({ open }) => {
  let h: Harness;
  beforeEach(async () => {
    h = await new Harness(await open()).start();
    h.gh.config = "agents:\n  deploy:\n    staging: ['./deploy.sh', 'staging']\n";
  });
  afterEach(async () => h.stop());

  it("deploy to constructor / __proto__ / toString … is refused as not configured; nothing posted", async () => {
    await h.agent("deploy it", MAYA);
    const { runId, token } = await h.claim();
    for (const environment of PROTO_KEYS) {
      const r = await h.call(`/runs/${runId}/proposals`, token, {
        commands: [{ type: "deploy", environment }],
      });
      expect(r, environment).toEqual({
        status: 400,
        body: {
          error: { code: "invalid", message: `deploy: environment '${environment}' is not configured` },
        },
      });
    }
    expect(h.gh.own("proposal")).toEqual([]);
    expect(await h.t.db.query("SELECT id FROM proposals")).toEqual([]);
    // A configured environment still works, and hands out exactly the configured argv.
    const p = await h.propose(runId, token, { type: "deploy", environment: "staging" });
    expect(p.status).toBe("pending");
  });
});

describe("A6 other own-property lookups", () => {
  it("`/review --constructor=1` and `--__proto__=1` are unknown options with a clear error, not a crash", () => {
    for (const key of ["constructor", "__proto__", "toString"])
      expect(parseCommand(`/review --${key}=1`)).toEqual({
        kind: "error",
        command: "review",
        message: expect.stringContaining(`is not a known option; allowed: --num_findings`),
      });
  });

  it("`steward constructor` is an unknown command", async () => {
    const err: string[] = [];
    const io: CliIO = {
      stdout: () => {},
      stderr: (s) => err.push(s),
      env: {},
      cwd: process.cwd(),
      isTTY: false,
    };
    for (const name of ["constructor", "__proto__", "toString"]) {
      err.length = 0;
      expect(await main([name], io)).toBe(2);
      expect(err.join("")).toBe(`steward: unknown command '${name}'. Run 'steward --help' for the list.\n`);
    }
  });

  it("a log record key `__proto__` stays a (masked) key of the sample, never its prototype", () => {
    const rec = JSON.parse('{"msg":"x","__proto__":{"level":"fatal","password":"hunter2hunter2"}}');
    const masked = maskValue(rec) as Record<string, unknown>;
    expect(Object.getPrototypeOf(masked)).toBe(Object.prototype);
    expect(Object.hasOwn(masked, "__proto__")).toBe(true);
    expect((masked as { level?: unknown }).level).toBeUndefined();
    expect(JSON.stringify(masked)).toBe('{"msg":"x","__proto__":{"level":"fatal","password":"[redacted]"}}');
  });
});
