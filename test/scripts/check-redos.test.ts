// `npm run check:redos` on a throw-away project: it must fail with file:line on a super-linear regex
// and on an unjustified dynamic RegExp, list justified ones, and pass linear ones.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const SCRIPT = resolve(import.meta.dirname, "../../scripts/check-redos.mjs");

describe("scripts/check-redos.mjs", { timeout: 180_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "steward-redos-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({ compilerOptions: { strict: true }, include: ["src"] }),
  );
  mkdirSync(join(dir, "src"));
  writeFileSync(
    join(dir, "src", "a.ts"),
    [
      "export const nested = /^(a+)+$/;",
      "export const trailing = (s: string) => s.replace(/[ \\t]+$/, '');",
      "// redos-ok: the input is a constant below",
      "export const justified = /^(b+)+$/.test('bbb');",
      "export const dynamic = (p: string) => new RegExp(p);",
      "export const linear = /^[a-z]+$/;",
      "export const viaString = (s: string) => s.match('(c|c)*d');",
      "",
    ].join("\n"),
  );

  it("fails with file:line for each super-linear or unchecked regex and reports the justified one", () => {
    const r = spawnSync(process.execPath, [SCRIPT, "--root", dir, "--json"], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout);
    const where = report.failures.map((f: { where: string }) => f.where.replace(/:\d+$/, ""));
    expect(where).toEqual(["src/a.ts:1", "src/a.ts:2", "src/a.ts:5", "src/a.ts:7"]);
    expect(report.failures[0].finding).toMatch(/exponential/);
    expect(report.failures[1].finding).toMatch(/polynomial/);
    expect(report.failures[2].finding).toMatch(/dynamic pattern/);
    expect(report.justified).toEqual([
      expect.objectContaining({ where: "src/a.ts:4:26", justification: "the input is a constant below" }),
    ]);
    expect(report.checked).toBe(6);
  });
});
