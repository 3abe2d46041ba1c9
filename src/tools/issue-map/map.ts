// Maps an issue's elements onto a PR's changed files and hunks. Deterministic and scored, so the PR
// JSON can say which parts of the issue the change touches and which it may have missed.

import type { DiffFile, Hunk } from "../../diff/types.ts";
import type { ChangeLink, IssueElement, IssueMapping } from "./types.ts";

export const LINK_SCORES = {
  path: 1,
  basename: 0.7,
  frameFunction: 0.55,
  identifier: 0.4,
  error: 0.3,
} as const;

/** Caps the lines read per file, so a generated 100k-line file does not dominate the cost. */
const MAX_LINES_PER_FILE = 20_000;

interface FileIndex {
  file: DiffFile;
  path: string;
  basename: string;
  /** Identifier token → first hunk it appears in. */
  tokens: Map<string, Hunk>;
  /** Lowercased hunk text, one entry per hunk, for error-message search. */
  texts: { hunk: Hunk; text: string }[];
}

function basename(p: string): string {
  const i = p.lastIndexOf("/");
  return i >= 0 ? p.slice(i + 1) : p;
}

function indexFile(file: DiffFile): FileIndex {
  const tokens = new Map<string, Hunk>();
  const texts: FileIndex["texts"] = [];
  let budget = MAX_LINES_PER_FILE;
  for (const hunk of file.hunks) {
    const parts: string[] = [hunk.heading];
    for (const line of hunk.lines) {
      if (budget-- <= 0) break;
      parts.push(line.text);
    }
    const text = parts.join("\n");
    for (const m of text.matchAll(/[A-Za-z_$][\w$]*/g)) if (!tokens.has(m[0])) tokens.set(m[0], hunk);
    texts.push({ hunk, text: text.toLowerCase() });
  }
  return { file, path: file.path, basename: basename(file.path), tokens, texts };
}

/** True when `mention` names `path`: equal, or a suffix that starts at a segment boundary. */
function pathMatches(mention: string, path: string): boolean {
  const m = mention.replace(/^\/+/, "");
  if (m === path) return true;
  if (path.endsWith(`/${m}`)) return true;
  // Absolute paths from a user's machine: /home/me/project/src/a.ts names src/a.ts.
  return mention.includes("/") && mention.endsWith(`/${path}`);
}

function hunkAt(file: DiffFile, line: number | undefined): Hunk | undefined {
  if (line === undefined) return undefined;
  return file.hunks.find((h) => line >= h.newStart && line < h.newStart + Math.max(h.newLines, 1));
}

function lastSegment(identifier: string): string {
  const parts = identifier.split(/\.|::|#|->/).filter(Boolean);
  return parts[parts.length - 1] ?? identifier;
}

function linkFor(el: IssueElement, idx: FileIndex): ChangeLink | null {
  const hunkRef = (h: Hunk | undefined) => (h ? { newStart: h.newStart, newLines: h.newLines } : undefined);
  const candidates: ChangeLink[] = [];
  if (el.file) {
    if (pathMatches(el.file, idx.path)) {
      candidates.push({
        element: el,
        path: idx.path,
        hunk: hunkRef(hunkAt(idx.file, el.line)),
        score: LINK_SCORES.path,
        evidence: `${el.kind === "frame" ? "frame file" : "path"} ${el.file} is changed`,
      });
    } else if (basename(el.file) === idx.basename && idx.basename.includes(".")) {
      candidates.push({
        element: el,
        path: idx.path,
        score: LINK_SCORES.basename,
        evidence: `file name ${idx.basename} matches ${el.file}`,
      });
    }
  }
  if (el.kind === "frame" && el.func && el.func !== "<anonymous>") {
    const h = idx.tokens.get(el.func);
    if (h)
      candidates.push({
        element: el,
        path: idx.path,
        hunk: hunkRef(h),
        score: LINK_SCORES.frameFunction,
        evidence: `function ${el.func} appears in a changed hunk`,
      });
  }
  if (el.kind === "identifier") {
    const name = lastSegment(el.value);
    const h = idx.tokens.get(name);
    if (h)
      candidates.push({
        element: el,
        path: idx.path,
        hunk: hunkRef(h),
        score: LINK_SCORES.identifier,
        evidence: `identifier ${name} appears in a changed hunk`,
      });
  }
  if (el.kind === "error") {
    // Messages are often templated ("x is not a function"); match on the longest literal run.
    const literal = el.value
      .toLowerCase()
      .split(/['"`{}$%]|\b\d+\b/)
      .reduce((a, b) => (b.trim().length > a.length ? b.trim() : a), "");
    // The issue shows a rendered message, the code a template: drop trailing words (the
    // interpolated values) until a prefix of at least 12 characters is found.
    const words = literal.split(/\s+/).slice(0, 12);
    for (let k = words.length; k >= 2; k--) {
      const probe = words.slice(0, k).join(" ");
      if (probe.length < 12) break;
      const hit = idx.texts.find((t) => t.text.includes(probe));
      if (hit) {
        candidates.push({
          element: el,
          path: idx.path,
          hunk: hunkRef(hit.hunk),
          score: LINK_SCORES.error,
          evidence: `error text "${probe}" appears in a changed hunk`,
        });
        break;
      }
    }
  }
  if (candidates.length === 0) return null;
  return candidates.reduce((a, b) => (b.score > a.score ? b : a));
}

export function mapIssueToChanges(
  elements: readonly IssueElement[],
  changedFiles: readonly DiffFile[],
): IssueMapping {
  const indexes = changedFiles.map(indexFile);
  const links: ChangeLink[] = [];
  const unaddressed: IssueElement[] = [];
  for (const el of elements) {
    const found = indexes.map((idx) => linkFor(el, idx)).filter((l): l is ChangeLink => l !== null);
    if (found.length === 0) unaddressed.push(el);
    links.push(...found);
  }
  links.sort(
    (a, b) =>
      b.score - a.score ||
      (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) ||
      (a.element.value < b.element.value ? -1 : a.element.value > b.element.value ? 1 : 0),
  );
  const coverage = elements.length === 0 ? 0 : (elements.length - unaddressed.length) / elements.length;
  return { links, unaddressed, coverage: Math.round(coverage * 1000) / 1000 };
}
