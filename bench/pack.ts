// bench:pack — (a) packing speed on a 100,000-line, 2,000-file diff built from real hunks;
// (b) share of changed lines that reach the model on real public-repo ranges, Steward vs a
// PR-Agent-like packer (32k cap, largest file first, no context extension), in the same run.
import { readFileSync } from "node:fs";
import { cpus } from "node:os";
import { gunzipSync } from "node:zlib";
import { filterFiles } from "../src/diff/filter.ts";
import { packDiff } from "../src/diff/pack.ts";
import { parseDiff } from "../src/diff/parse.ts";
import { compressFile } from "../src/diff/extend.ts";
import { renderFile } from "../src/diff/render.ts";
import type { DiffFile } from "../src/diff/types.ts";
import { countTokens } from "../src/llm/tokens.ts";

const REAL = [
  "flask-2.3.0..3.0.0.diff.gz",
  "express-4.21.2..v5.0.0.diff.gz",
  "cobra-v1.8.0..v1.10.0.diff.gz",
  "ky-v1.14.3..v2.0.0.diff.gz",
];
const load = (n: string) => gunzipSync(readFileSync(new URL(`../fixtures/diffs/real/${n}`, import.meta.url)));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time<T>(runs: number, fn: () => T): { ms: number; value: T } {
  let value = fn(); // warm-up
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    value = fn();
    ms.push(performance.now() - t);
  }
  return { ms: median(ms), value };
}

/** 2,000 files × 50 lines: real hunks from the fixtures, renamed and lightly perturbed per copy. */
function syntheticDiff(): string {
  const hunks: string[] = [];
  for (const n of REAL) {
    for (const f of parseDiff(load(n)).files) {
      for (const h of f.hunks) {
        if (h.lines.length >= 6 && h.lines.length <= 40)
          hunks.push(
            h.lines.map((l) => (l.kind === "add" ? "+" : l.kind === "del" ? "-" : " ") + l.text).join("\n"),
          );
      }
    }
  }
  const exts = ["ts", "py", "go", "js", "md"];
  const out: string[] = [];
  let k = 0;
  for (let i = 0; i < 2000; i++) {
    const path = `pkg${i % 37}/mod${i}/file${i}.${exts[i % exts.length]}`;
    out.push(`diff --git a/${path} b/${path}`, `--- a/${path}`, `+++ b/${path}`);
    let lines = 0;
    let start = 10;
    while (lines < 47) {
      const body = hunks[k++ % hunks.length]!.split("\n").map((l) => l.replaceAll("value", `value${i}`));
      const take = body.slice(0, Math.min(body.length, 47 - lines));
      const o = take.filter((l) => l[0] !== "+").length;
      const nn = take.filter((l) => l[0] !== "-").length;
      out.push(`@@ -${start},${o} +${start},${nn} @@`, ...take);
      lines += take.length + 1;
      start += 40 + Math.max(o, nn);
    }
  }
  return out.join("\n") + "\n";
}

/** Changed lines that appear in a packed prompt (rendered as "<num> +text" / "      -text"). */
function changedInText(text: string): number {
  let n = 0;
  for (const line of text.split("\n")) if (/^[ \d]{5} [+-]/.test(line)) n++;
  return n;
}

const changed = (files: DiffFile[]) => files.reduce((a, f) => a + f.additions + f.deletions, 0);

/** PR-Agent's compressed path: 32k cap, deletion-only hunks dropped, largest file first, budget−1500. */
function prAgentLike(files: DiffFile[], budget: number): number {
  const cap = Math.min(budget, 32_000);
  const all = files.map((f) => ({ f, text: renderFile(f) }));
  const whole = all.map((x) => x.text).join("");
  if (countTokens(whole) + 1_500 <= cap) return changed(files);
  const compressed = files
    .filter((f) => f.status !== "deleted")
    .map((f) => compressFile(f))
    .map((f) => ({ f, text: renderFile(f), tokens: countTokens(renderFile(f)) }))
    .sort((a, b) => b.tokens - a.tokens);
  let used = 0;
  let reached = 0;
  for (const x of compressed) {
    if (used + x.tokens > cap - 1_500) continue;
    if (used > cap - 1_000) break;
    used += x.tokens;
    reached += changedInText(x.text);
  }
  return reached;
}

const lines: string[] = [];
const say = (s: string) => {
  console.log(s);
  lines.push(s);
};

// (a) speed
const text = syntheticDiff();
const lineCount = text.split("\n").length - 1;
const parsed = time(3, () => parseDiff(text)).value;
say(
  `(a) synthetic diff: ${parsed.files.length} files, ${lineCount} lines, ${(text.length / 1e6).toFixed(1)} MB`,
);
const split = time(5, () => text.split("\n").length);
const tokenizeAll = time(1, () => countTokens(text));
const parseT = time(3, () => parseDiff(text));
say(
  `    baseline: split into lines ${split.ms.toFixed(1)} ms; tokenize whole text ${tokenizeAll.ms.toFixed(0)} ms (${tokenizeAll.value} tokens); parse ${parseT.ms.toFixed(0)} ms`,
);
for (const budget of [32_000, 128_000, 1_000_000]) {
  const r = time(5, () => packDiff(parsed.files, { budget }));
  const exact = countTokens(r.value.text);
  const ok = exact <= budget && exact === r.value.promptTokens;
  say(
    `    pack @${budget}: ${r.ms.toFixed(0)} ms (${(r.ms / split.ms).toFixed(0)}× split, ${(r.ms / tokenizeAll.ms).toFixed(2)}× full tokenize); ` +
      `promptTokens ${r.value.promptTokens} exact ${exact} ≤ budget: ${ok ? "yes" : "NO"}; ` +
      `${r.value.files.filter((f) => f.status !== "omitted").length} files in, ${r.value.notReviewed.length} named as not reviewed`,
  );
  if (!ok) process.exitCode = 1;
}

// (b) coverage on real ranges
say(
  "(b) share of changed lines reaching the model (reviewable files; no file contents, so no extra context)",
);
say("    | diff | changed lines | budget | Steward | PR-Agent-like |");
say("    |---|---|---|---|---|");
for (const n of REAL) {
  const files = filterFiles(parseDiff(load(n)).files).kept;
  const total = changed(files);
  for (const budget of [8_000, 32_000, 128_000]) {
    const p = packDiff(files, { budget });
    const ours = changedInText(p.text) / total;
    const theirs = prAgentLike(files, budget) / total;
    say(
      `    | ${n.replace(".diff.gz", "")} | ${total} | ${budget / 1000}k | ${(ours * 100).toFixed(1)}% | ${(theirs * 100).toFixed(1)}% |`,
    );
  }
}
say(
  `machine: ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), node ${process.version}, ${new Date().toISOString().slice(0, 10)}`,
);
