// The forms a file can take in the prompt, richest first, rendered and counted lazily and once:
// full (extended context) → raw (git's context) → tight (context cut to a line or two) → lean
// (tight without deletion-only hunks) → partial (the hunks that fit).
import { describeRanges, hunkRange, type LineRange, trimContext } from "./compact.ts";
import { compressFile, extendFile, isDeletionOnly } from "./extend.ts";
import type { Fits, PackOptions, PackStatus } from "./pack.ts";
import { renderFile, renderHeader, renderHunk } from "./render.ts";
import type { DiffFile, Hunk } from "./types.ts";

export interface Section {
  path: string;
  text: string;
  tokens: number;
  status: PackStatus;
  reason?: string;
  leftOut?: LineRange[];
  /** 0 full, 1 raw, 2 tight, 3 lean, 4 partial. */
  level: number;
  /** Changed (added or deleted) lines in the section. */
  changed: number;
}

export interface FileForms {
  full(fits: Fits, room: number): Section | null;
  /** The richest whole-file form up to tight, else lean: every hunk with an addition. */
  compact(fits: Fits, room: number): Section | null;
  /** The hunks that fit (deletion-only hunks and the rest are named as left out). */
  partial(fits: Fits, room: number): Section | null;
  /** The richest form above `cur` that fits in `room` (which includes `cur`'s own tokens). */
  richer(cur: Section, fits: Fits, room: number): Section | null;
  /** Changed lines per character of the compact form: how much a token of this file carries. */
  density(): number;
}

interface Form {
  text: string;
  changed: number;
  status: PackStatus;
  reason?: string;
  level: number;
  tokens?: number;
}

const lines = (n: number) => `${n} line${n === 1 ? "" : "s"}`;
const changedIn = (hunks: readonly Hunk[]) =>
  hunks.reduce((a, h) => a + h.lines.reduce((b, l) => b + (l.kind === "ctx" ? 0 : 1), 0), 0);

export function formsOf(file: DiffFile, opts: PackOptions, count: (t: string) => number): FileForms {
  const keep = Math.max(0, opts.compactContext ?? 1);
  let built: (Form | null)[] | null = null;
  let tight: DiffFile | null = null;
  // Built on first use: most files of a huge diff never get past "does not fit".
  const build = (): (Form | null)[] => {
    if (built) return built;
    const ext = extendFile(file, {
      getContent: opts.getContent,
      before: opts.contextBefore,
      after: opts.contextAfter,
    });
    const all = changedIn(file.hunks);
    const full: Form = { text: renderFile(ext), status: "included", level: 0, changed: all };
    const raw: Form | null =
      ext === file
        ? null
        : {
            text: renderFile(file, "extra context omitted"),
            status: "compressed",
            reason: "extra context omitted",
            level: 1,
            changed: all,
          };
    tight = trimContext(file, keep);
    const cut = `context cut to ${lines(keep)}`;
    const tightForm: Form | null =
      tight === file
        ? null
        : { text: renderFile(tight, cut), status: "compressed", reason: cut, level: 2, changed: all };
    const small = compressFile(tight);
    const dropped = tight.hunks.filter(isDeletionOnly).map(hunkRange);
    let lean: Form | null = null;
    if (file.status === "deleted" && file.hunks.length > 0) {
      lean = {
        text: renderFile(small, "content omitted"),
        status: "compressed",
        reason: "content omitted",
        level: 3,
        changed: 0,
      };
    } else if (dropped.length > 0) {
      const note = [tight === file ? "" : cut, `deletion-only hunks omitted (${describeRanges(dropped)})`]
        .filter(Boolean)
        .join("; ");
      lean = {
        text: renderFile(small, note),
        status: "compressed",
        reason: note,
        level: 3,
        changed: changedIn(small.hunks),
      };
    }
    built = [full, raw, tightForm, lean];
    return built;
  };
  const tryForm = (f: Form | null, fits: Fits, room: number): Section | null => {
    if (!f) return null;
    if (f.tokens !== undefined) return f.tokens <= room ? section(f, f.tokens) : null;
    const n = fits(f.text, room);
    if (n === false) return null;
    f.tokens = n;
    return section(f, n);
  };
  const section = (f: Form, tokens: number): Section => ({
    path: file.path,
    text: f.text,
    tokens,
    status: f.status,
    level: f.level,
    changed: f.changed,
    ...(f.reason ? { reason: f.reason } : {}),
  });
  return {
    full: (fits, room) => tryForm(build()[0]!, fits, room),
    compact(fits, room) {
      const [full, raw, t, lean] = build();
      return tryForm(t ?? raw ?? full!, fits, room) ?? tryForm(lean ?? null, fits, room);
    },
    partial(fits, room) {
      build();
      return partialOf(file, tight!, keep, fits, room, count);
    },
    density() {
      const [full, raw, t] = build();
      const f = t ?? raw ?? full!;
      return f.changed / Math.max(1, f.text.length);
    },
    richer(cur, fits, room) {
      const forms = build();
      for (let l = 0; l < cur.level && l < 3; l++) {
        const s = tryForm(forms[l]!, fits, room);
        if (s) return s;
      }
      return null;
    },
  };
}

/** The hunks of `tight` that fit, in file order; the rest are named by line range in the reason. */
function partialOf(
  file: DiffFile,
  tight: DiffFile,
  keep: number,
  fits: Fits,
  room: number,
  count: (t: string) => number,
): Section | null {
  const hunks = tight.hunks;
  if (hunks.length === 0) return null;
  const reasonFor = (kept: Set<Hunk>) => {
    const out = hunks.filter((h) => !kept.has(h)).map(hunkRange);
    const notes = [`partial: ${kept.size} of ${hunks.length} hunks`, `left out: ${describeRanges(out)}`];
    if (tight !== file) notes.push(`context cut to ${lines(keep)}`);
    return { reason: notes.join("; "), leftOut: out };
  };
  // Header budget: as long as it can get (every hunk left out).
  const header = count(renderHeader(tight, reasonFor(new Set()).reason)) + 1;
  let used = header;
  const chosen: Hunk[] = [];
  const texts = new Map<Hunk, string>();
  for (const h of hunks) {
    if (isDeletionOnly(h) || room - used < 4) continue;
    const text = renderHunk(h);
    const n = fits(`${text}\n`, room - used);
    if (n === false) continue;
    chosen.push(h);
    texts.set(h, text);
    used += n;
  }
  // The sum is an estimate of the whole; the section is counted exactly and trimmed until it fits.
  while (chosen.length > 0) {
    const { reason, leftOut } = reasonFor(new Set(chosen));
    const text = `${[renderHeader(tight, reason), ...chosen.map((h) => texts.get(h)!)].join("\n")}\n\n`;
    const n = count(text);
    if (n <= room) {
      const changed = changedIn(chosen);
      return { path: file.path, text, tokens: n, status: "compressed", reason, leftOut, level: 4, changed };
    }
    chosen.pop();
  }
  return null;
}
