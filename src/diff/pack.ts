// Packs a parsed diff into a token budget. Every input file ends up in `files` as included,
// compressed or omitted with a reason; omitted files are named in a "not reviewed" list.
import { countTokensWithin } from "../llm/tokens.ts";
import { compressFile, extendFile, type GetContent } from "./extend.ts";
import { filterFiles, type FilterOptions } from "./filter.ts";
import { prioritise } from "./prioritise.ts";
import { renderFile, renderHeader, renderHunk, renderNotReviewed } from "./render.ts";
import type { DiffFile } from "./types.ts";

export type PackStatus = "included" | "compressed" | "omitted";

export interface PackedFile {
  path: string;
  status: PackStatus;
  /** Tokens this file's section adds to the prompt (0 when omitted). */
  tokens: number;
  reason?: string;
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

type Within = (text: string, limit: number) => number | false;

function withinFor(count?: (t: string) => number): Within {
  if (!count) return countTokensWithin;
  return (t, limit) => {
    const n = count(t);
    return n <= limit ? n : false;
  };
}

/**
 * Skips exact counting of text that is clearly too big, judged by the average density (chars per
 * token) of the text counted so far, with a 1.25× margin. Only ever says "no": whatever is included
 * is counted exactly, and the whole prompt is counted again at the end. A wrong "no" costs a file
 * that would just have fitted; counting it would cost as many tokens as the room left.
 */
function guarded(base: Within): Within {
  let chars = 0;
  let tokens = 0;
  return (t, limit) => {
    if (tokens >= 200 && (t.length * tokens) / (chars * 1.25) > limit) return false;
    const n = base(t, limit);
    if (n !== false) {
      chars += t.length;
      tokens += n;
    }
    return n;
  };
}

interface Section {
  path: string;
  text: string;
  tokens: number;
  status: PackStatus;
  reason?: string;
}

/** Tries full → compressed → the leading hunks that fit. Returns null when nothing fits. */
function fitFile(file: DiffFile, room: number, within: Within, opts: PackOptions): Section | null {
  const extended = extendFile(file, {
    getContent: opts.getContent,
    before: opts.contextBefore,
    after: opts.contextAfter,
  });
  const full = renderFile(extended);
  const t = within(full, room);
  if (t !== false) return { path: file.path, text: full, tokens: t, status: "included" };
  const small = compressFile(file);
  const note = file.status === "deleted" ? "content omitted" : "deletion-only hunks omitted";
  const compact = renderFile(small, note);
  const c =
    small.hunks.length === file.hunks.length && file.status !== "deleted" ? false : within(compact, room);
  if (c !== false) return { path: file.path, text: compact, tokens: c, status: "compressed", reason: note };
  // Partial: leading hunks in order, so the model sees a contiguous prefix of the file.
  const header = renderHeader(small, "partial");
  let used = within(header + "\n", room);
  if (used === false || small.hunks.length === 0) return null;
  const parts: string[] = [header];
  let kept = 0;
  for (const h of small.hunks) {
    const piece = renderHunk(h);
    const n = within(piece + "\n", room - used);
    if (n === false) break;
    parts.push(piece);
    used += n;
    kept++;
  }
  if (kept === 0) return null;
  const reason = `partial: ${kept} of ${small.hunks.length} hunks`;
  const text = [renderHeader(small, reason), ...parts.slice(1)].join("\n") + "\n\n";
  const n = within(text, room);
  if (n === false) return null;
  return { path: file.path, text, tokens: n, status: "compressed", reason };
}

export function packDiff(input: readonly DiffFile[], opts: PackOptions): PackResult {
  const exact = withinFor(opts.countTokens);
  const within = guarded(exact);
  const overhead = Math.max(0, opts.promptOverhead ?? 0);
  const budget = Math.max(0, Math.floor(opts.budget));
  const { kept, ignored } = filterFiles(input, opts);
  const decided = new Map<DiffFile, Section | { reason: string }>();
  for (const { file, reason } of ignored)
    decided.set(file, { reason: reason === "binary" ? reason : `ignored: ${reason}` });
  for (const f of kept) {
    if (f.patchMissing) decided.set(f, { reason: "no patch from GitHub (binary or too large)" });
  }
  const order = prioritise(
    kept.filter((f) => !decided.has(f)),
    { languages: opts.languages },
  );
  // Keep a little room so the "not reviewed" list usually reaches the model too.
  const listReserve =
    opts.listNotReviewed === false ? 0 : Math.min(600, Math.floor(0.05 * (budget - overhead)));
  let room = budget - overhead - listReserve;
  const sections: Section[] = [];
  // Below this, no file section can fit; stop tokenizing the remaining files.
  const MIN_SECTION = 8;
  for (const f of order) {
    const s = room >= MIN_SECTION ? fitFile(f, room, within, opts) : null;
    if (s) {
      sections.push(s);
      decided.set(f, s);
      room -= s.tokens;
    } else decided.set(f, { reason: "over budget" });
  }
  return assemble(input, decided, sections, order, budget, overhead, exact, opts.listNotReviewed !== false);
}

function assemble(
  input: readonly DiffFile[],
  decided: Map<DiffFile, Section | { reason: string }>,
  sections: Section[],
  order: DiffFile[],
  budget: number,
  overhead: number,
  exact: Within,
  withList: boolean,
): PackResult {
  const limit = budget - overhead;
  // Review order first (what we would have read next), then ignored/binary files in input order.
  const inOrder = new Set(order);
  const candidates = [...order, ...input.filter((f) => !inOrder.has(f))];
  const isOut = (f: DiffFile) => !("text" in decided.get(f)!);
  // Each section ends in "\n" and the next starts with "#", a seam the tokenizer's pre-split never
  // crosses, so the sum of section counts is the count of the whole. The final text is still
  // counted once, exactly; if that ever disagrees, sections are dropped until it fits.
  for (;;) {
    const body = sections.map((s) => s.text).join("");
    const bodyTokens = sections.reduce((a, s) => a + s.tokens, 0);
    const notReviewed = candidates
      .filter(isOut)
      .map((f) => ({ path: f.path, reason: (decided.get(f) as { reason: string }).reason }));
    let list = "";
    if (withList && notReviewed.length > 0) {
      // The list is in the prompt only as far as it fits; it is always in the result.
      let shown = Math.min(notReviewed.length, 200);
      for (;;) {
        const candidate = renderNotReviewed(notReviewed.slice(0, shown), notReviewed.length);
        if (exact(candidate, limit - bodyTokens) !== false) {
          list = candidate;
          break;
        }
        if (shown === 0) break;
        shown = Math.floor(shown / 2);
      }
    }
    const text = body + list;
    const textTokens = text ? exact(text, limit) : 0;
    if (textTokens === false) {
      if (list) {
        withList = false;
        continue;
      }
      const dropped = sections.pop()!;
      const file = input.find((f) => decided.get(f) === dropped)!;
      decided.set(file, { reason: "over budget" });
      continue;
    }
    const files: PackedFile[] = input.map((f) => {
      const d = decided.get(f)!;
      if ("text" in d) {
        return {
          path: f.path,
          status: d.status,
          tokens: d.tokens,
          ...(d.reason ? { reason: d.reason } : {}),
        };
      }
      return { path: f.path, status: "omitted", tokens: 0, reason: d.reason };
    });
    return { budget, promptTokens: overhead + textTokens, text, files, notReviewed };
  }
}
