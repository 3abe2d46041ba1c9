// README's "full set with its defaults" is what `steward config check --print` prints for an empty
// file, and a risk below its floor is flagged and printed as the floor (issue 10, defect 11).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { main } from "../../src/cli/main.ts";
import type { CliIO } from "../../src/cli/types.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

function fakeIO(cwd: string) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { stdout: (s) => out.push(s), stderr: (s) => err.push(s), env: {}, cwd, isTTY: false };
  return { io, out: () => out.join(""), err: () => err.join("") };
}

/** `~` in the README means "optional, unset"; such keys are absent from the printed config. */
function dropNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropNulls);
  if (v === null || typeof v !== "object") return v;
  return Object.fromEntries(
    Object.entries(v)
      .filter(([, x]) => x !== null)
      .map(([k, x]) => [k, dropNulls(x)]),
  );
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "steward-readme-cfg-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function printed(text: string) {
  writeFileSync(join(dir, "steward.yml"), text);
  const t = fakeIO(dir);
  const code = await main(["config", "check", "steward.yml", "--print"], t.io);
  return { code, config: parse(t.out().replace(/^ok: .*\n/, "")), err: t.err() };
}

describe("README's steward.yml", () => {
  it("is exactly what config check --print shows for an empty file", async () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const at = readme.indexOf("this is the full set with its defaults:");
    expect(at).toBeGreaterThan(0);
    const block = /```yaml\n([\s\S]*?)```/.exec(readme.slice(at))![1]!;
    const p = await printed("");
    expect(p.code).toBe(0);
    expect(dropNulls(parse(block))).toEqual(p.config);
  });
});

describe("agents.risk floors", () => {
  it("a risk below its floor is flagged and --print shows the floor that applies", async () => {
    const p = await printed("agents:\n  risk:\n    merge_pr: triage\n    label: admin\n");
    expect(p.code).toBe(0);
    expect(p.err).toBe(
      'warning: agents.risk.merge_pr: "triage" is below the built-in floor "maintain", so "maintain" applies (a repository file may raise a risk, never lower it)\n',
    );
    expect(p.config.agents.risk.merge_pr).toBe("maintain");
    expect(p.config.agents.risk.label).toBe("admin");
  });
});
