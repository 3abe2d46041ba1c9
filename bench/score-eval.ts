// Agreement of the documentation score with weakly labelled real issues (fixtures/issues/score-eval.jsonl,
// see fixtures/issues/README.md): "poor" = maintainers had to ask for information / needs-info label /
// closed by a bot; "good" = fixed by a PR or commit with no clarification request. Baseline: body
// length alone, measured on the same issues in the same run.

import { readFileSync } from "node:fs";
import { scoreIssue } from "../src/tools/issue-score/score.ts";

const DEFAULT_THRESHOLD = 5;

interface Row {
  title: string;
  body: string;
  labels: string[];
  weak_label: "good" | "poor";
  label_reason: string;
}

const rows: Row[] = readFileSync(new URL("../fixtures/issues/score-eval.jsonl", import.meta.url), "utf8")
  .trim()
  .split("\n")
  .map((l) => JSON.parse(l));

/** Probability that a random good issue outranks a random poor one (ties count half). */
function auc(xs: { s: number; good: boolean }[]): number {
  let num = 0;
  let den = 0;
  for (const a of xs) {
    if (!a.good) continue;
    for (const b of xs) {
      if (b.good) continue;
      den++;
      num += a.s > b.s ? 1 : a.s === b.s ? 0.5 : 0;
    }
  }
  return den ? num / den : Number.NaN;
}

function atThreshold(xs: { s: number; good: boolean }[], t: number) {
  const good = xs.filter((x) => x.good);
  const poor = xs.filter((x) => !x.good);
  const tpr = good.filter((x) => x.s >= t).length / good.length;
  const tnr = poor.filter((x) => x.s < t).length / poor.length;
  const acc = (good.filter((x) => x.s >= t).length + poor.filter((x) => x.s < t).length) / xs.length;
  return { acc, balanced: (tpr + tnr) / 2, tpr, tnr };
}

const t0 = performance.now();
const scored = rows.map((r) => ({
  r,
  s: scoreIssue({ title: r.title, body: r.body, labels: r.labels }).score,
}));
const scoreMs = performance.now() - t0;
const lengths = rows.map((r) => r.body.length).sort((a, b) => a - b);
const medianLen = lengths[Math.floor(lengths.length / 2)]!;

const f = (n: number) => n.toFixed(3);
function report(name: string, keep: (r: Row) => boolean) {
  const s = scored.filter((x) => keep(x.r)).map((x) => ({ s: x.s, good: x.r.weak_label === "good" }));
  const len = scored
    .filter((x) => keep(x.r))
    .map((x) => ({ s: x.r.body.length, good: x.r.weak_label === "good" }));
  const a = atThreshold(s, DEFAULT_THRESHOLD);
  const b = atThreshold(len, medianLen);
  const nGood = s.filter((x) => x.good).length;
  console.log(`\n${name}: ${s.length} issues (${nGood} good, ${s.length - nGood} poor)`);
  console.log(
    `| metric | score (threshold ${DEFAULT_THRESHOLD}) | baseline: body length (threshold = median ${medianLen} chars) |`,
  );
  console.log("|---|---|---|");
  console.log(`| AUC | ${f(auc(s))} | ${f(auc(len))} |`);
  console.log(`| accuracy | ${f(a.acc)} | ${f(b.acc)} |`);
  console.log(`| balanced accuracy | ${f(a.balanced)} | ${f(b.balanced)} |`);
  console.log(`| recall good / recall poor | ${f(a.tpr)} / ${f(a.tnr)} | ${f(b.tpr)} / ${f(b.tnr)} |`);
  console.log(`| AUC ratio score/baseline | ${f(auc(s) / auc(len))} | |`);
}

report("All weak labels", () => true);
report(
  "Only 'maintainer asked for info' as poor",
  (r) => r.weak_label === "good" || r.label_reason.startsWith("asked:"),
);
report(
  "Only needs-info labels and bot closes as poor",
  (r) => r.weak_label === "good" || !r.label_reason.startsWith("asked:"),
);
console.log(`\nscored ${rows.length} issues in ${scoreMs.toFixed(1)} ms`);
