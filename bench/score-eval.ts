// Quality of the documentation score on real, labelled bug reports.
//
// 1. Elements: NIMBUS gold set (Chaparro et al., ESEC/FSE 2017; fixtures/issues/element-eval.jsonl.gz):
//    per bug, does the description state steps to reproduce (S2R), expected (EB) and observed (OB)
//    behaviour. Precision/recall of the scorer's detectors, against a keyword baseline in the same run.
//    The score's AUC for "the description has both EB and S2R" (Chaparro's "complete") vs body length.
// 2. Weak labels: 151 npm issues (fixtures/issues/score-eval.jsonl): "poor" = maintainers asked for
//    information / needs-info label / bot close; "good" = fixed with no clarification request.
//    Baseline: body length, measured in the same run.
// Detectors were tuned on the train split only; the test split is reported separately.

import { scoreIssue } from "../src/tools/issue-score/score.ts";
import {
  atThreshold,
  auc,
  bestThreshold,
  type ElementRow,
  f3,
  loadElements,
  loadWeak,
  prf,
  type Scored,
  type Split,
  splitOf,
} from "./score-metrics.ts";

const CONFIG_THRESHOLD = 6;
const CANDIDATES = [3, 3.5, 4, 4.5, 5, 5.5, 6, 6.5, 7];
const SPLITS: Split[] = ["train", "test"];

// The naive baseline: one keyword per element anywhere in title or body.
const KEYWORD: Record<"s2r" | "eb" | "ob", RegExp> = {
  s2r: /reproduc|\bsteps?\b/i,
  eb: /expect/i,
  ob: /actual|\berror\b|\bfail|crash|\bnot work|doesn't work|\bbug\b/i,
};
const ELEMENT_ID = { s2r: "steps_to_reproduce", eb: "expected_behavior", ob: "actual_behavior" } as const;

const t0 = performance.now();
const elements = loadElements();
const elScored = elements.map((r) => ({
  r,
  res: scoreIssue({ title: r.title, body: r.body, labels: ["bug"] }),
}));
const weak = loadWeak();
const weakScored = weak.map((r) => ({
  r,
  split: splitOf(r.url),
  s: scoreIssue({ title: r.title, body: r.body, labels: r.labels }).score,
}));
const totalMs = performance.now() - t0;

console.log(`## Elements: NIMBUS gold set, ${elements.length} bug reports from 9 projects`);
console.log("| split | element | prevalence | detector P / R / F1 | keyword baseline P / R / F1 |");
console.log("|---|---|---|---|---|");
for (const split of SPLITS) {
  const rows = elScored.filter((x) => x.r.split === split);
  for (const k of ["s2r", "eb", "ob"] as const) {
    const det = prf(
      rows.map((x) => ({ gold: x.r[k], pred: x.res.elements.find((e) => e.id === ELEMENT_ID[k])!.present })),
    );
    const base = prf(rows.map((x) => ({ gold: x.r[k], pred: KEYWORD[k].test(`${x.r.title}\n${x.r.body}`) })));
    const prev = rows.filter((x) => x.r[k]).length / rows.length;
    console.log(
      `| ${split} (${rows.length}) | ${k} | ${f3(prev)} | ${f3(det.p)} / ${f3(det.r)} / ${f3(det.f1)} | ${f3(base.p)} / ${f3(base.r)} / ${f3(base.f1)} |`,
    );
  }
}

const complete = (r: ElementRow) => r.eb && r.s2r;
console.log("\n## Score vs NIMBUS completeness (description has both EB and S2R)");
console.log(
  "| split | n (complete) | score AUC | body-length AUC | ratio | best threshold on train → balanced acc |",
);
console.log("|---|---|---|---|---|---|");
const elTrain: Scored[] = elScored
  .filter((x) => x.r.split === "train")
  .map((x) => ({ s: x.res.score, pos: complete(x.r) }));
const elT = bestThreshold(elTrain, CANDIDATES);
for (const split of SPLITS) {
  const rows = elScored.filter((x) => x.r.split === split);
  const sc = rows.map((x) => ({ s: x.res.score, pos: complete(x.r) }));
  const len = rows.map((x) => ({ s: x.r.body.length, pos: complete(x.r) }));
  const nPos = sc.filter((x) => x.pos).length;
  console.log(
    `| ${split} | ${rows.length} (${nPos}) | ${f3(auc(sc))} | ${f3(auc(len))} | ${f3(auc(sc) / auc(len))} | ${elT} → ${f3(atThreshold(sc, elT).balanced)} (at ${CONFIG_THRESHOLD}: ${f3(atThreshold(sc, CONFIG_THRESHOLD).balanced)}) |`,
  );
}

console.log(`\n## Weak labels: ${weak.length} npm issues (InEx-Bug), positive class = good`);
console.log(
  "| split | n (good/poor) | score AUC | body-length AUC | balanced acc @5 / @6 | good flagged @6 |",
);
console.log("|---|---|---|---|---|---|");
for (const split of [...SPLITS, "all"] as const) {
  const rows = weakScored.filter((x) => split === "all" || x.split === split);
  const sc = rows.map((x) => ({ s: x.s, pos: x.r.weak_label === "good" }));
  const len = rows.map((x) => ({ s: x.r.body.length, pos: x.r.weak_label === "good" }));
  const nGood = sc.filter((x) => x.pos).length;
  const at6 = atThreshold(sc, 6);
  console.log(
    `| ${split} | ${rows.length} (${nGood}/${rows.length - nGood}) | ${f3(auc(sc))} | ${f3(auc(len))} | ${f3(atThreshold(sc, 5).balanced)} / ${f3(at6.balanced)} | ${f3(1 - at6.tpr)} |`,
  );
}
console.log(
  `\nscored ${elements.length + weak.length} issues in ${totalMs.toFixed(0)} ms (including loading)`,
);
