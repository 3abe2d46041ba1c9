// `.env.example` documents every variable Steward reads (issue 10, defect 11). The list of reads is
// taken from the source itself, so a new variable without a line in .env.example fails here.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = new URL("../../", import.meta.url).pathname;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : /\.(ts|js)$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

/** Every environment variable a file reads, by the ways Steward's code reads them. */
function envReads(text: string): string[] {
  const names = new Set<string>();
  const add = (re: RegExp) => {
    for (const m of text.matchAll(re)) names.add(m[1]!);
  };
  // process.env.X, io.env.X, opts.env.X, deps.env.X, env.X
  add(/\benv\.([A-Z][A-Z0-9_]{2,})\b/g);
  // env["X"]
  add(/\benv\[["'`]([A-Z][A-Z0-9_]{2,})["'`]\]/g);
  // const { X: x, Y: y } = env
  for (const m of text.matchAll(/\{([^{}]{1,400})\}\s*=\s*(?:\w+\.)?env\b/g))
    for (const k of m[1]!.matchAll(/\b([A-Z][A-Z0-9_]{2,})\b/g)) names.add(k[1]!);
  // Keys of the zod schemas that parse the environment (src/config/env.ts, src/llm/schema.ts …).
  if (/from "zod"/.test(text) && /\benv\b/i.test(text)) add(/^\s+([A-Z][A-Z0-9_]{2,}):\s/gm);
  return [...names];
}

const example = readFileSync(join(ROOT, ".env.example"), "utf8");
const documented = (name: string) => new RegExp(`^#?\\s*${name}=`, "m").test(example);

describe(".env.example", () => {
  const reads = new Map<string, string[]>();
  // src/, and bin/steward.js (the entry point, plain JavaScript).
  for (const f of [...sourceFiles(join(ROOT, "src")), ...sourceFiles(join(ROOT, "bin"))]) {
    for (const name of envReads(readFileSync(f, "utf8")))
      reads.set(name, [...(reads.get(name) ?? []), f.slice(ROOT.length)]);
  }

  it("finds the reads (the scan itself works)", () => {
    for (const n of [
      "APP_ID",
      "LLM_API_KEY",
      "STEWARD_COMMAND_DEBOUNCE_MS",
      "DATABASE_URL",
      "GITHUB_EVENT_PATH",
    ])
      expect(reads.has(n), n).toBe(true);
  });

  it("lists every variable read under src/ and bin/", () => {
    const missing = [...reads]
      .filter(([n]) => !documented(n))
      .map(([n, files]) => `${n} (${files.join(", ")})`);
    expect(missing).toEqual([]);
  });

  it("documents the per-channel notification variables", () => {
    for (const suffix of ["", "_SECRET", "_FORMAT"])
      expect(example).toContain(`STEWARD_NOTIFY_<CHANNEL>${suffix}`);
  });

  it("lists nothing Steward does not read", () => {
    const listed = [...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]{2,})=/gm)].map((m) => m[1]!);
    const extra = listed.filter(
      (n) => !reads.has(n) && !n.startsWith("STEWARD_NOTIFY_") && n !== "TEST_DATABASE_URL",
    );
    expect(extra).toEqual([]);
  });
});
