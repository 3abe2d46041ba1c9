// Keeps bodies under GitHub's size limit on purpose, never by accident: a long body is split into
// "(part i/n)" pieces at line boundaries, closing a code fence at the end of a part and re-opening
// it at the start of the next, or truncated with an explicit note saying how much was left out.

import { InvalidInputError } from "../errors.ts";
import { type Fence, nextFence, splitLines } from "./fences.ts";
import { BODY_TARGET } from "./limits.ts";

/** Below this a part could not hold a fence re-open, a header and a closing fence. */
export const MIN_BODY_LIMIT = 256;

export interface PartPlan {
  /** Fence opener line (with "\n") repeated from the previous part, or "". */
  reopen: string;
  /** A slice of the original body; the slices concatenate to the original. */
  content: string;
  /** Fence closer added so the part does not end inside a code block, or "". */
  close: string;
}

function closeFor(fence: Fence | undefined, content: string): string {
  if (!fence) return "";
  return `${content === "" || content.endsWith("\n") ? "" : "\n"}${fence.closer}`;
}

function reopenFor(fence: Fence | undefined): string {
  return fence ? `${fence.opener}\n` : "";
}

/** Cut index ≤ n that does not split a surrogate pair. */
function safeCut(text: string, n: number): number {
  if (n <= 0) return 0;
  if (n >= text.length) return text.length;
  const code = text.charCodeAt(n - 1);
  return code >= 0xd800 && code <= 0xdbff ? n - 1 : n;
}

/**
 * Greedy plan: each part's `reopen + content + close` is at most `budget` characters. Lines are
 * kept whole unless a single line alone exceeds the budget, then it is cut (surrogate-safe).
 */
export function planParts(body: string, budget: number): PartPlan[] {
  const parts: PartPlan[] = [];
  let fence: Fence | undefined;
  let cur: PartPlan = { reopen: "", content: "", close: "" };
  const flush = () => {
    cur.close = closeFor(fence, cur.content);
    parts.push(cur);
    cur = { reopen: reopenFor(fence), content: "", close: "" };
  };
  for (const line of splitLines(body)) {
    const after = nextFence(fence, line);
    let pending = line;
    while (pending !== "") {
      const withLine = cur.content + pending;
      if (cur.reopen.length + withLine.length + closeFor(after, withLine).length <= budget) {
        cur.content = withLine;
        pending = "";
        break;
      }
      if (cur.content !== "") {
        flush();
        continue;
      }
      // The line alone does not fit: cut it. The piece does not finish the line, so the fence
      // state is still the one before the line.
      const room = budget - cur.reopen.length - (fence ? fence.closer.length + 1 : 0);
      let cut = safeCut(pending, room);
      if (cut <= 0) cut = Math.min(pending.length, 2);
      cur.content = pending.slice(0, cut);
      pending = pending.slice(cut);
      flush();
    }
    fence = after;
  }
  if (cur.content !== "" || parts.length === 0) {
    cur.close = closeFor(fence, cur.content);
    parts.push(cur);
  }
  return parts;
}

export function partHeader(i: number, n: number): string {
  return `_(part ${i}/${n})_\n\n`;
}

function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < MIN_BODY_LIMIT) {
    throw new InvalidInputError(`body limit must be an integer of at least ${MIN_BODY_LIMIT}, got ${limit}`);
  }
}

/**
 * `[body]` when it fits in `limit`; otherwise parts of at most `limit` characters, each starting
 * with "_(part i/n)_" and never ending inside a code fence.
 */
export function fitBody(body: string, limit: number = BODY_TARGET): string[] {
  checkLimit(limit);
  if (body.length <= limit) return [body];
  for (let digits = 1; digits <= 6; digits++) {
    const budget = limit - partHeader(10 ** digits - 1, 10 ** digits - 1).length;
    const plan = planParts(body, budget);
    if (String(plan.length).length > digits) continue;
    return plan.map((p, i) => partHeader(i + 1, plan.length) + p.reopen + p.content + p.close);
  }
  throw new InvalidInputError(`body of ${body.length} characters needs too many parts at limit ${limit}`);
}

export function truncationNote(omitted: number): string {
  return `\n\n…truncated: ${omitted} characters omitted`;
}

/**
 * `body` when it fits; otherwise the longest line-aligned prefix that fits together with a closing
 * fence (when the cut falls inside a code block) and the note "…truncated: N characters omitted".
 */
export function truncateBody(body: string, limit: number = BODY_TARGET): string {
  checkLimit(limit);
  if (body.length <= limit) return body;
  const budget = limit - truncationNote(body.length).length;
  const first = planParts(body, budget)[0]!;
  return first.content + first.close + truncationNote(body.length - first.content.length);
}
