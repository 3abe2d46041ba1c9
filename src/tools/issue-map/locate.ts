// `/locate`: ranks repository files an issue probably concerns, without a PR. BM25 (minisearch)
// over path segments and symbol names, then boosts for files the issue names outright: an exact
// path beats a stack-frame file beats a bare file name.

import MiniSearch from "minisearch";
import { extractIssueElements } from "./extract.ts";
import type { LocateResult } from "./types.ts";

const TOP = 10;
// BM25 is scaled to 0–BM25_MAX per query so a named file always outranks a mere word match.
const BM25_MAX = 4;
const BOOST = { exactPath: 10, frameFile: 8, basename: 5 } as const;
const MAX_QUERY_TERMS = 200;

const STOP = new Set(
  "the a an and or of to in on for is it this that with when i we you be are was not but if as at by from have has can do does should would will there error bug issue use using get set new".split(
    " ",
  ),
);

/** Splits paths and identifiers into searchable words: `src/userStore.ts` → src user store ts. */
export function codeTokens(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(/[^A-Za-z0-9]+/)) {
    if (!raw) continue;
    for (const part of raw
      .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
      // `(?<![A-Z])`: an upper-case run is scanned once from its start, not once per letter.
      .replace(/(?<![A-Z])([A-Z]+)([A-Z][a-z])/g, "$1 $2")
      .split(" ")) {
      const t = part.toLowerCase();
      if (t.length >= 2 && !STOP.has(t)) out.push(t);
    }
  }
  return out;
}

function basename(p: string): string {
  const i = p.lastIndexOf("/");
  return i >= 0 ? p.slice(i + 1) : p;
}

function matchesMention(mention: string, path: string): boolean {
  const m = mention.replace(/^\/+/, "");
  return m === path || path.endsWith(`/${m}`) || (mention.includes("/") && mention.endsWith(`/${path}`));
}

export function locateFiles(
  issue: { title: string; body: string | null | undefined },
  tree: readonly string[],
  symbols?: ReadonlyMap<string, readonly string[]>,
): LocateResult[] {
  const paths = [...new Set(tree)].sort();
  if (paths.length === 0) return [];
  const elements = extractIssueElements(issue);
  const mentions = elements.filter((e) => e.kind === "path" && e.file).map((e) => e.file!);
  const frameFiles = elements.filter((e) => e.kind === "frame" && e.file).map((e) => e.file!);

  const index = new MiniSearch<{ id: number; path: string; symbols: string }>({
    fields: ["path", "symbols"],
    tokenize: (text) => codeTokens(text),
    processTerm: (t) => t,
    searchOptions: { boost: { path: 2, symbols: 1 }, combineWith: "OR" },
  });
  index.addAll(paths.map((p, id) => ({ id, path: p, symbols: (symbols?.get(p) ?? []).join(" ") })));

  const text = `${issue?.title ?? ""}\n${typeof issue?.body === "string" ? issue.body.slice(0, 20_000) : ""}\n${elements
    .map((e) => e.value)
    .join(" ")}`;
  const terms = [...new Set(codeTokens(text))].slice(0, MAX_QUERY_TERMS);

  const scores = new Map<number, { score: number; evidence: string[] }>();
  const entry = (id: number) => {
    const found = scores.get(id);
    if (found) return found;
    const fresh = { score: 0, evidence: [] as string[] };
    scores.set(id, fresh);
    return fresh;
  };
  if (terms.length > 0) {
    const hits = index.search(terms.join(" "));
    const top = hits.reduce((m, h) => Math.max(m, h.score), 0) || 1;
    for (const hit of hits) {
      const e = entry(hit.id as number);
      e.score += (BM25_MAX * hit.score) / top;
      e.evidence.push(`matches ${hit.terms.slice(0, 5).join(", ")}`);
    }
  }
  paths.forEach((p, id) => {
    const exact = mentions.find((m) => matchesMention(m, p));
    const frame = frameFiles.find((f) => matchesMention(f, p));
    const base = exact
      ? undefined
      : mentions.find((m) => basename(m) === basename(p) && basename(p).includes("."));
    const boost = (points: number, why: string) => {
      const e = entry(id);
      e.score += points;
      e.evidence.push(why);
    };
    if (exact) boost(BOOST.exactPath, `issue names ${exact}`);
    if (frame) boost(BOOST.frameFile, `stack frame in ${frame}`);
    if (base) boost(BOOST.basename, `issue names a file called ${basename(p)}`);
  });

  return [...scores.entries()]
    .map(([id, e]) => ({ path: paths[id]!, score: Math.round(e.score * 1000) / 1000, evidence: e.evidence }))
    .sort((a, b) => b.score - a.score || (a.path < b.path ? -1 : 1))
    .slice(0, TOP);
}
