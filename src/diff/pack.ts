// Packs a parsed diff into a token budget. Every input file ends up in `files` as included,
// compressed or omitted with a reason; what did not reach the model (whole files, or the hunks
// left out of a partly included file) is named in a "not reviewed" list.
//
// Order of sacrifice when the diff does not fit: extra context first, then git's context beyond
// `compactContext` lines, then deletion-only hunks, then hunks (largest files are split, smaller
// files fill what is left), and only then whole files. Leftover room buys context back, in
// review order.
import type { GetContent } from "./extend.ts";
import { makeCounter } from "./count.ts";
import { filterFiles, type FilterOptions } from "./filter.ts";
import { type FileForms, formsOf, type Section } from "./forms.ts";
import { assemble, type Decided } from "./pack-list.ts";
import { classify, mainExtensions, prioritise } from "./prioritise.ts";
import type { DiffFile } from "./types.ts";
import type { LineRange } from "./compact.ts";

export type PackStatus = "included" | "compressed" | "omitted";

export interface PackedFile {
  path: string;
  status: PackStatus;
  /** Tokens this file's section adds to the prompt (0 when omitted). */
  tokens: number;
  reason?: string;
  /** Hunks of a partly included file that the model did not see, as line ranges. */
  leftOut?: LineRange[];
}

export interface PackOptions extends FilterOptions {
  /** Total prompt tokens allowed: see `reviewBudget`. */
  budget: number;
  /** Tokens of the prompt around the diff (instructions, PR title…), counted against `budget`. */
  promptOverhead?: number;
  /** Exact counter; defaults to o200k_base. */
  countTokens?: (text: string) => number;
  /** GitHub languages API bytes, for ordering. */
  languages?: Record<string, number>;
  getContent?: GetContent;
  contextBefore?: number;
  contextAfter?: number;
  /** Context lines kept around changes when the diff does not fit whole. Default 1. */
  compactContext?: number;
  /** Put the "not reviewed" list into `text` (as far as it fits). Default true. */
  listNotReviewed?: boolean;
}

export interface PackResult {
  budget: number;
  promptTokens: number;
  text: string;
  files: PackedFile[];
  /** Files that did not reach the model, in review order, with why. */
  notReviewed: { path: string; reason: string }[];
}

/** Prompt budget from the model's real context window. Never a fixed cap. */
export function reviewBudget(o: {
  contextWindow: number;
  promptTokens: number;
  outputReserve: number;
}): number {
  return Math.max(0, Math.floor(o.contextWindow - o.promptTokens - o.outputReserve));
}

/**
 * `fits(text, room)`: the exact count if it is at most `room`, else false. Skips counting text
 * that is clearly too big, judged by the chars-per-token density seen so far with a 1.25× margin:
 * it only ever says "no", so what is included is always counted exactly.
 */
export type Fits = (text: string, room: number) => number | false;

function fitter(count: (t: string) => number): Fits {
  let chars = 0;
  let tokens = 0;
  return (t, room) => {
    if (room < 0) return false;
    if (tokens >= 200 && (t.length * tokens) / (chars * 1.25) > room) return false;
    const n = count(t);
    chars += t.length;
    tokens += n;
    return n <= room ? n : false;
  };
}

// Densest-first packing replaces review order only when it carries this much more changed lines:
// a small gain is not worth reading tests or docs instead of the main source.
const DENSE_GAIN = 1.1;

// Below this, no file section can fit; stop trying.
const MIN_SECTION = 8;

/** Whole files in compact form in `order` (a misfit waits), then the hunks of waiting files that fit. */
function fill(
  order: readonly DiffFile[],
  forms: Map<DiffFile, FileForms>,
  fits: Fits,
  room: number,
): { chosen: Map<DiffFile, Section>; changed: number } {
  const chosen = new Map<DiffFile, Section>();
  const waiting: DiffFile[] = [];
  let changed = 0;
  const take = (f: DiffFile, s: Section) => {
    chosen.set(f, s);
    room -= s.tokens;
    changed += s.changed;
  };
  for (const f of order) {
    const s = room >= MIN_SECTION ? forms.get(f)!.compact(fits, room) : null;
    if (s) take(f, s);
    else waiting.push(f);
  }
  for (const f of waiting) {
    const s = room >= MIN_SECTION ? forms.get(f)!.partial(fits, room) : null;
    if (s) take(f, s);
  }
  return { chosen, changed };
}

export function packDiff(input: readonly DiffFile[], opts: PackOptions): PackResult {
  const count = opts.countTokens ?? makeCounter();
  const fits = fitter(count);
  const overhead = Math.max(0, opts.promptOverhead ?? 0);
  const budget = Math.max(0, Math.floor(opts.budget));
  const withList = opts.listNotReviewed !== false;
  const { kept, ignored } = filterFiles(input, opts);
  const decided = new Map<DiffFile, Decided>();
  for (const { file, reason } of ignored)
    decided.set(file, { reason: reason === "binary" ? reason : `ignored: ${reason}` });
  for (const f of kept) {
    if (f.patchMissing) decided.set(f, { reason: "no patch from GitHub (binary or too large)" });
  }
  const order = prioritise(
    kept.filter((f) => !decided.has(f)),
    { languages: opts.languages },
  );
  // A little room so the "not reviewed" list usually reaches the model too.
  const listReserve = withList ? Math.min(300, Math.floor(0.04 * (budget - overhead))) : 0;
  let room = budget - overhead - listReserve;
  const forms = new Map<DiffFile, FileForms>(order.map((f) => [f, formsOf(f, opts, count)]));
  const take = (f: DiffFile, s: Section) => {
    const old = decided.get(f);
    room -= s.tokens - (old && "text" in old ? old.tokens : 0);
    decided.set(f, s);
  };

  // 1. Everything whole with full context, when it fits: each file is counted once.
  let whole = 0;
  let allFit = true;
  for (const f of order) {
    const s = forms.get(f)!.full(fits, room - whole);
    if (!s) {
      allFit = false;
      break;
    }
    whole += s.tokens;
  }
  if (allFit) for (const f of order) take(f, forms.get(f)!.full(fits, room)!);
  else {
    // 2–3. Fill in review order; also fill densest-first (changed lines per character; code and
    // tests compete, the rest still comes last), and keep that only if it carries clearly more
    // changed lines: review order wins whenever it costs little.
    const inReviewOrder = fill(order, forms, fits, room);
    const main = mainExtensions(opts.languages);
    const densest = order
      .map((f, i) => ({ f, i, d: forms.get(f)!.density(), rest: classify(f.path, main) === "other" ? 1 : 0 }))
      .sort((x, y) => x.rest - y.rest || y.d - x.d || x.i - y.i)
      .map((x) => x.f);
    const dense = fill(densest, forms, fits, room);
    const best = dense.changed > inReviewOrder.changed * DENSE_GAIN ? dense : inReviewOrder;
    for (const f of order) {
      const s = best.chosen.get(f);
      if (s) take(f, s);
      else decided.set(f, { reason: "over budget" });
    }
    // 4. Leftover room buys context back, in review order.
    for (const f of order) {
      if (room < 1) break;
      const cur = decided.get(f)!;
      if (!("text" in cur) || cur.level === 4) continue;
      const s = forms.get(f)!.richer(cur, fits, room + cur.tokens);
      if (s) take(f, s);
    }
  }
  return assemble({
    input,
    decided,
    order,
    budget,
    overhead,
    count,
    additive: !opts.countTokens,
    withList,
  });
}
