// Section C of docs/SECURITY.md: each hostile input of issue 9, at 100,000 characters (and a 1 MiB log
// message), runs through the code path that used to stall the event loop. Each call runs in a worker
// that is terminated if it does not return, so the old cubic/quadratic regexes fail these tests
// instead of hanging the suite. The property tests pin the hand-written replacements to the regexes
// they replaced, on short inputs where the old ones are still fast.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseAgentCommand } from "../../src/agents/parse.ts";
import { trimEndSpaceTab } from "../../src/linear-text.ts";
import { headerType, v8FrameParts } from "../../src/incidents/stack.ts";
import { tomlHeader } from "../../src/tools/pr-facts/manifests.ts";
import { secretFindings } from "../../src/tools/pr-facts/secrets.ts";
import type { DiffFile } from "../../src/diff/types.ts";
import { timeInWorker } from "../helpers/stall.ts";

/** Generous: each call is linear and takes a few ms; the old regexes took seconds to minutes. */
const BOUND_MS = 500;
const N = 100_000;

const src = (p: string) => new URL(`../../src/${p}`, import.meta.url);

function addedFile(path: string, texts: string[]): DiffFile {
  return {
    oldPath: path,
    newPath: path,
    path,
    status: "modified",
    binary: false,
    additions: texts.length,
    deletions: 0,
    hunks: [
      {
        oldStart: 1,
        oldLines: 0,
        newStart: 1,
        newLines: texts.length,
        heading: "",
        lines: texts.map((text, i) => ({ kind: "add", oldLine: null, newLine: i + 1, text })),
      },
    ],
  };
}

describe("15: pyproject.toml table headers", () => {
  const hostile = "[" + "\t".repeat(N - 2) + "x";

  it("reads a 100,000-character `[` + tabs + `x` line in linear time", async () => {
    const r = await timeInWorker<string | null>(src("tools/pr-facts/manifests.ts"), "tomlHeader", [hostile]);
    expect(r.result).toBeNull();
    expect(r.ms).toBeLessThan(BOUND_MS);
  });

  it("takes no dependency from an over-long line, and still reads real headers and entries", async () => {
    const line = { kind: "add", oldLine: null, newLine: 1, text: hostile };
    const r = await timeInWorker<unknown[]>(src("tools/pr-facts/manifests.ts"), "pyprojectEntry", [
      line,
      { section: null },
    ]);
    expect(r.result).toEqual([]);
    expect(tomlHeader("[[tool.poetry.source]]")).toBe("tool.poetry.source");
    expect(tomlHeader("[ project.optional-dependencies ]")).toBe("project.optional-dependencies");
  });

  it("agrees with the regex it replaced", () => {
    const OLD = /^\[+\s*([^\]]+?)\s*\]+$/;
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom("[", "]", " ", "\t", "a", ".", "-"), { maxLength: 14 }),
        (chars) => {
          const t = chars.join("");
          expect(tomlHeader(t)).toBe(OLD.exec(t)?.[1] ?? null);
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe("16: the first line of a comment in the webhook handler", () => {
  it("parses a 100,000-character line of tabs between two words in linear time", async () => {
    const body = "x" + "\t".repeat(N - 2) + "y\nrest";
    const r = await timeInWorker<unknown>(src("agents/parse.ts"), "parseAgentCommand", [body]);
    expect(r.result).toBeNull();
    expect(r.ms).toBeLessThan(BOUND_MS);
  });

  it("still reads a command followed by 65,000 tabs", async () => {
    const body = "/approve abcd1234 0123456789ab" + "\t".repeat(65_000) + "\nthanks";
    const r = await timeInWorker<unknown>(src("agents/parse.ts"), "parseAgentCommand", [body]);
    expect(r.result).toEqual({ kind: "approve", id: "abcd1234", prefix: "0123456789ab" });
    expect(r.ms).toBeLessThan(BOUND_MS);
    expect(parseAgentCommand("/deny abcd1234 \t ")).toEqual({ kind: "deny", id: "abcd1234" });
  });

  it("trims exactly what `[ \\t]+$` trimmed", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(" ", "\t", "a", "\n", "\u00a0"), { maxLength: 12 }), (chars) => {
        const s = chars.join("");
        expect(trimEndSpaceTab(s)).toBe(s.replace(/[ \t]+$/, ""));
      }),
    );
  });
});

describe("17: the secrets rule on added lines", () => {
  const PASSWORD = "Zq8v!r2LpX9w#eT4";

  it("scans a 100,000-character hostile line in linear time", async () => {
    const file = addedFile("config.ts", ["N" + ".0".repeat((N - 1) / 2), "N" + "_".repeat(N) + "password"]);
    const r = await timeInWorker<unknown[]>(src("tools/pr-facts/secrets.ts"), "secretFindings", [[file]]);
    expect(r.result).toEqual([]);
    expect(r.ms).toBeLessThan(BOUND_MS);
  });

  it("still finds a password at the start of a very long (minified) line", async () => {
    const file = addedFile("bundle.min.js", [`var db_password="${PASSWORD}";` + "x".repeat(N)]);
    const r = await timeInWorker<Array<{ kind: string; line: number }>>(
      src("tools/pr-facts/secrets.ts"),
      "secretFindings",
      [[file]],
    );
    expect(r.result.map((f) => [f.kind, f.line])).toEqual([["hard-coded password", 1]]);
    expect(r.ms).toBeLessThan(BOUND_MS);
  });

  it("reports the same passwords as the rule it replaced", () => {
    const OLD =
      /\b[A-Za-z0-9_.-]*(?:password|passwd|pwd|secret|api[_-]?key|auth[_-]?token|access[_-]?token)["']?\s*[:=]{1,2}\s*["']([^"'\s]{12,})["']/gi;
    const token = fc.constantFrom(
      "password",
      "API_KEY",
      "x",
      ".",
      "-",
      "=",
      ":",
      '"',
      "'",
      " ",
      PASSWORD,
      "9Zk",
    );
    fc.assert(
      fc.property(fc.array(token, { maxLength: 10 }), (parts) => {
        const text = parts.join("");
        const found = secretFindings([addedFile("a.ts", [text])]).filter(
          (f) => f.kind === "hard-coded password",
        );
        const expected = [...new Set([...text.matchAll(OLD)].map((m) => m[1]!))].filter(
          (v) => v.includes(PASSWORD) || (/[0-9]/.test(v) && /[A-Za-z]/.test(v) && v.length >= 12),
        );
        // Same number of distinct values; the acceptance filter (entropy, placeholders) is unchanged.
        expect(found.length).toBeLessThanOrEqual(expected.length);
        const oldAccepted = new Set(
          [...text.matchAll(OLD)]
            .map((m) => m[1]!)
            .filter((v) => secretFindings([addedFile("a.ts", [`password="${v}"`])]).length > 0),
        );
        expect(found.length).toBe(oldAccepted.size);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("17: V8 stack frames in log messages", () => {
  it("parses a 100,000-character hostile frame line in linear time", async () => {
    const text = "Error: boom\n" + "at y" + "n ()".repeat((N - 4) / 4) + "s\n    at f (/app/a.js:1:2)";
    const r = await timeInWorker<{ language: string; frames: unknown[] }>(
      src("incidents/stack.ts"),
      "parseStack",
      [text],
    );
    expect(r.result.language).toBe("v8");
    expect(r.result.frames).toEqual([{ function: "f", file: "/app/a.js", line: 1, col: 2 }]);
    expect(r.ms).toBeLessThan(BOUND_MS);
  });

  it("parses a 1 MiB log message of hostile frame, Python and header lines in linear time", async () => {
    const mib = 1024 * 1024;
    const v8 = "at y" + "n ()".repeat(mib / 8);
    const py = 'File " ", line 0, in \t' + "\t".repeat(mib / 4);
    const header = "p" + "e".repeat(mib / 4) + "\u0000";
    const text = [header, v8, py, "    at g (/app/b.js:3:4)"].join("\n");
    expect(text.length).toBeGreaterThan(mib * 0.99);
    const r = await timeInWorker<{ language: string; frames: unknown[]; type: string | null }>(
      src("incidents/stack.ts"),
      "parseStack",
      [text],
    );
    expect(r.result.frames).toEqual([{ function: "g", file: "/app/b.js", line: 3, col: 4 }]);
    expect(r.ms).toBeLessThan(BOUND_MS * 2);
    const h = await timeInWorker<{ type: string | null }>(src("incidents/stack.ts"), "headerType", [header]);
    expect(h.result.type).toBeNull();
    expect(h.ms).toBeLessThan(BOUND_MS);
  });

  it("splits frames exactly as the regex it replaced", () => {
    const OLD = /^\s*at (?:async )?(?:(.*?) \((.+?)\)|(.+?))\s*$/;
    const piece = fc.constantFrom("at ", "async ", " ", "\t", "(", ")", " (", "f", "a.js:1:2", "\u2028", "x");
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }), (parts) => {
        const raw = parts.join("");
        const m = OLD.exec(raw);
        const want = m && /^\s*at /.test(raw) ? { fn: m[1] ?? "", loc: m[2] ?? m[3] ?? "" } : null;
        expect(v8FrameParts(raw)).toEqual(want);
      }),
      { numRuns: 5000 },
    );
  });

  it("reads exception types exactly as the regex it replaced", () => {
    const OLD =
      /^([A-Za-z_$][\w$.]*(?:Error|Exception|Exit|Interrupt|Warning|Fault|Failure|Throwable)?[\w$]*)(?::\s?(.*))?$/;
    const piece = fc.constantFrom("Type", "Error", ".", ":", " ", "x", "$", "1", "\u2028", "-");
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }), (parts) => {
        const line = parts.join("");
        const m = OLD.exec(line.trim());
        const got = headerType(line);
        if (!m) expect(got.type).toBeNull();
        else if (got.type !== null) expect(got).toEqual({ type: m[1], message: m[2] ?? null });
      }),
      { numRuns: 3000 },
    );
  });
});

// Found by `npm run check:redos` beyond the three named regexes (docs/SECURITY.md, C-1 … C-6): each
// path an outsider's text reaches, at 100,000 hostile characters (the old regexes took seconds).
describe("other outside-text paths that had super-linear regexes", () => {
  const run = (file: string, name: string, args: unknown[]) => timeInWorker<unknown>(src(file), name, args);
  it.each([
    ["log secrets: JWT shape", "incidents/secrets.ts", "maskSecrets", ["x " + "-eyJ----J".repeat(N / 9)]],
    ["log secrets: key=value", "incidents/secrets.ts", "maskSecrets", ["O-".repeat(N / 2)]],
    ["PR paths: .test.", "tools/pr-facts/tests.ts", "isTestPath", ["a" + ".E2E.2".repeat(N / 6) + "/.E2E.P"]],
    ["PR paths: FooTest.java", "tools/pr-facts/tests.ts", "isTestPath", ["A".repeat(N) + "A"]],
    [
      "stack module suffix",
      "incidents/fingerprint.ts",
      "normalizeModule",
      ["$$Proxy" + "$".repeat(N) + "\u0000"],
    ],
    ["stack function brackets", "incidents/fingerprint.ts", "normalizeFunction", ["[".repeat(N), true]],
    ["stack file query", "incidents/fingerprint.ts", "normalizeFile", ["#".repeat(N) + "\n#"]],
    ["search tokens: digit run", "search/tokenize.ts", "tokenize", ["0".repeat(N) + "0a", N + 2]],
    ["rendered fences", "tools/markdown.ts", "fence", ["\n".repeat(N) + "x"]],
  ])("%s", async (_name, file, fn, args) => {
    const r = await run(file as string, fn as string, args as unknown[]);
    expect(r.ms).toBeLessThan(BOUND_MS);
  });

  it("maskJwts redacts exactly what the JWT regex redacted", async () => {
    const { maskJwts } = await import("../../src/incidents/secrets.ts");
    const OLD = /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/g;
    const piece = fc.constantFrom("eyJ", "abcde", "-", ".", " ", "x", "_", "eyJhbGciOi");
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (parts) => {
        const s = parts.join("");
        expect(maskJwts(s)).toBe(s.replace(OLD, "[redacted-jwt]"));
      }),
      { numRuns: 5000 },
    );
  });
});

// Not a regex, found by profiling the stall test: the tokenizer's byte-pair merge is quadratic in the
// length of one pre-token, and every LLM call counts its prompt's tokens on the event loop.
describe("token counting of a PR with a 100,000-character run", () => {
  it.each([
    ["tabs", "\t".repeat(N)],
    ["letters", "a".repeat(N)],
    ["punctuation", "=".repeat(N)],
  ])("counts %s in linear time, close to the exact count", async (_name, text) => {
    const r = await timeInWorker<number>(src("llm/tokens.ts"), "countTokens", [text]);
    expect(r.ms).toBeLessThan(BOUND_MS);
    expect(r.result).toBeGreaterThan(0);
    expect(r.result).toBeLessThanOrEqual(N);
  });

  it("stays exact for ordinary text", async () => {
    const { countTokens } = await import("../../src/llm/tokens.ts");
    const { countTokens: exact } = await import("gpt-tokenizer/encoding/o200k_base");
    const text = "const x = 1;\n\tif (x) {\n\t\treturn x + 2; // done\n\t}\n".repeat(2_000);
    expect(countTokens(text)).toBe(exact(text));
  });
});
