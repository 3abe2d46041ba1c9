// Final assembly of a pack: the prompt text (sections in review order, then the "not reviewed"
// list as far as it fits), the per-file statuses and the exact prompt token count.
import type { Section } from "./forms.ts";
import type { PackedFile, PackResult } from "./pack.ts";
import { renderNotReviewed } from "./render.ts";
import type { DiffFile } from "./types.ts";

export type Decided = Section | { reason: string };

/** Entries spelled out in the prompt's list; the rest are counted ("…and N more files"). */
const LISTED = 25;

export interface AssembleInput {
  input: readonly DiffFile[];
  decided: Map<DiffFile, Decided>;
  order: DiffFile[];
  budget: number;
  overhead: number;
  count: (t: string) => number;
  /**
   * Section counts add up to the count of their concatenation: every section ends in "\n" and the
   * next starts with "#", a seam o200k's pre-split never crosses (property-tested). A custom
   * counter gives no such promise, so the whole text is then counted again.
   */
  additive: boolean;
  withList: boolean;
}

export function assemble(a: AssembleInput): PackResult {
  const { input, decided, order, budget, overhead, count } = a;
  const limit = budget - overhead;
  let withList = a.withList;
  // Review order first (what we would have read next), then ignored/binary files in input order.
  const inOrder = new Set(order);
  const candidates = [...order, ...input.filter((f) => !inOrder.has(f))];
  for (;;) {
    const sections = order.map((f) => decided.get(f)!).filter((d): d is Section => "text" in d);
    const body = sections.map((s) => s.text).join("");
    const bodyTokens = sections.reduce((n, s) => n + s.tokens, 0);
    const notReviewed: { path: string; reason: string }[] = [];
    const listed: { path: string; reason: string }[] = [];
    let partly = 0;
    for (const f of candidates) {
      const d = decided.get(f)!;
      if (!("text" in d)) {
        notReviewed.push({ path: f.path, reason: d.reason });
        listed.push({ path: f.path, reason: d.reason });
      } else if (d.leftOut) {
        partly++;
        listed.push({ path: f.path, reason: d.reason! });
      }
    }
    let list = "";
    let listTokens = 0;
    if (withList && listed.length > 0) {
      // In the prompt only as far as it fits; always in the result.
      for (let shown = Math.min(listed.length, LISTED); ; shown = Math.floor(shown / 2)) {
        const text = renderNotReviewed(listed.slice(0, shown), notReviewed.length, partly);
        const n = count(text);
        if (n <= limit - bodyTokens) {
          list = text;
          listTokens = n;
          break;
        }
        if (shown === 0) break;
      }
    }
    const text = body + list;
    let textTokens = bodyTokens + listTokens;
    if (!a.additive && text) textTokens = count(text);
    if (text && textTokens > limit) {
      // Only reachable with a custom counter that is not additive.
      if (list) {
        withList = false;
        continue;
      }
      const last = order.findLast((f) => "text" in decided.get(f)!)!;
      decided.set(last, { reason: "over budget" });
      continue;
    }
    const files: PackedFile[] = input.map((f) => {
      const d = decided.get(f)!;
      if (!("text" in d)) return { path: f.path, status: "omitted", tokens: 0, reason: d.reason };
      return {
        path: f.path,
        status: d.status,
        tokens: d.tokens,
        ...(d.reason ? { reason: d.reason } : {}),
        ...(d.leftOut ? { leftOut: d.leftOut } : {}),
      };
    });
    return { budget, promptTokens: overhead + textTokens, text, files, notReviewed };
  }
}
