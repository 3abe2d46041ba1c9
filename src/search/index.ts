// One BM25 index per repository (minisearch) plus the per-document term counts the second-stage
// ranker needs. Pure: no I/O. Persistence lives in store.ts.

import MiniSearch from "minisearch";
import {
  type Features,
  combine,
  cosine,
  countTerms,
  norm,
  sharedRare,
  type TermCounts,
  weightedVector,
} from "./rank.ts";
import { tokenize } from "./tokenize.ts";
import type { Candidate, IndexDoc, SimilarQuery } from "./types.ts";

interface Vectors {
  gen: number;
  title: Map<string, number>;
  doc: Map<string, number>;
  nTitle: number;
  nDoc: number;
}

interface Entry {
  doc: IndexDoc;
  /** Re-rank vectors, valid while `gen` equals the index generation (IDF changes on every write). */
  vec?: Vectors;
  title: TermCounts;
  body: TermCounts;
  /** Pre-tokenized fields handed to minisearch, so each text is tokenized once. */
  tok: { title: string; body: string; comments: string };
}

export interface SearchOptions {
  /** How many candidates to return. */
  limit?: number;
  /** How many BM25 hits the second stage re-ranks. */
  pool?: number;
}

const FIELD_BOOST = { title: 3, body: 1, comments: 0.4 };
/** Query terms kept (highest tf·idf first); long bodies would otherwise make every query slow. */
const MAX_QUERY_TERMS = 40;
const MIN_QUERY_TERMS = 4;
/** Query terms in more than this share of documents are dropped from the BM25 stage. */
const MAX_QUERY_DF = 0.1;
const SERIAL_VERSION = 1;

function splitTerms(s: string): string[] {
  return s ? s.split(" ") : [];
}

export class RepoIndex {
  readonly #entries = new Map<number, Entry>();
  readonly #df = new Map<string, number>();
  readonly #ms: MiniSearch<Entry>;
  #gen = 0;

  constructor() {
    this.#ms = new MiniSearch<Entry>({
      fields: ["title", "body", "comments"],
      idField: "number",
      extractField: (e, f) => (f === "number" ? e.doc.number : e.tok[f as keyof Entry["tok"]]),
      tokenize: splitTerms,
      processTerm: (t) => t,
      autoVacuum: false,
      searchOptions: {
        boost: FIELD_BOOST,
        tokenize: splitTerms,
        processTerm: (t) => t,
        bm25: { k: 1.2, b: 0.75, d: 0.5 },
      },
    });
  }

  get size(): number {
    return this.#entries.size;
  }

  has(number: number): boolean {
    return this.#entries.has(number);
  }

  get(number: number): IndexDoc | undefined {
    return this.#entries.get(number)?.doc;
  }

  docs(): IterableIterator<IndexDoc> {
    return [...this.#entries.values()].map((e) => e.doc)[Symbol.iterator]();
  }

  /** Adds or replaces a document. */
  upsert(doc: IndexDoc): void {
    if (this.#entries.has(doc.number)) this.remove(doc.number);
    this.#gen++;
    const title = tokenize(doc.title, 1_000);
    const body = tokenize(doc.body);
    const comments = tokenize(doc.comments);
    const entry: Entry = {
      doc,
      title: countTerms(title, 60),
      body: countTerms(body),
      tok: { title: title.join(" "), body: body.join(" "), comments: comments.join(" ") },
    };
    this.#entries.set(doc.number, entry);
    for (const t of new Set([...entry.title.keys(), ...entry.body.keys()]))
      this.#df.set(t, (this.#df.get(t) ?? 0) + 1);
    this.#ms.add(entry);
  }

  remove(number: number): boolean {
    const e = this.#entries.get(number);
    if (!e) return false;
    this.#ms.discard(number);
    this.#gen++;
    this.#entries.delete(number);
    for (const t of new Set([...e.title.keys(), ...e.body.keys()])) {
      const n = (this.#df.get(t) ?? 1) - 1;
      if (n <= 0) this.#df.delete(t);
      else this.#df.set(t, n);
    }
    return true;
  }

  idf = (t: string): number => {
    const n = this.#entries.size;
    const df = this.#df.get(t) ?? 0;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  };

  /**
   * Candidates for `q`: never `q.number` itself, only documents created before `q.createdAt` (or in the
   * same second with a lower number).
   */
  search(q: SimilarQuery, opts: SearchOptions = {}): Candidate[] {
    const limit = opts.limit ?? 10;
    const pool = opts.pool ?? 50;
    const qTitle = countTerms(tokenize(q.title, 1_000), 60);
    const qBody = countTerms(tokenize(q.body));
    const all = new Map<string, number>();
    for (const [t, c] of qBody) all.set(t, c);
    for (const [t, c] of qTitle) all.set(t, (all.get(t) ?? 0) + 3 * c);
    // Very common terms have long posting lists and add little: they cost most of a query's time.
    const maxDf = Math.max(20, this.#entries.size * MAX_QUERY_DF);
    const ranked = [...all]
      .map(([t, c]): [string, number] => [t, (1 + Math.log(c)) * this.idf(t)])
      .filter(([, w]) => w > 0)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    const rare = ranked.filter(([t]) => (this.#df.get(t) ?? 0) <= maxDf);
    const terms = (rare.length >= MIN_QUERY_TERMS ? rare : ranked).slice(0, MAX_QUERY_TERMS);
    if (terms.length === 0) return [];
    const weight = new Map(terms.map(([t, w]) => [t, w]));
    const maxW = terms[0][1];
    const hits = this.#ms
      .search(terms.map(([t]) => t).join(" "), {
        boostTerm: (t) => 0.5 + (weight.get(t) ?? 0) / maxW,
        filter: (r) => this.#eligible(r.id as number, q),
      })
      .slice(0, pool);
    if (hits.length === 0) return [];

    const qTitleVec = weightedVector(qTitle, this.idf);
    const qDocVec = weightedVector(qBody, this.idf, 1, weightedVector(qTitle, this.idf, 2));
    const nqt = norm(qTitleVec);
    const nqd = norm(qDocVec);
    const topBm25 = hits[0].score;
    const minIdf = Math.log(1 + this.#entries.size / 50);
    const out: Candidate[] = hits.map((h) => {
      const e = this.#entries.get(h.id as number) as Entry;
      const v = this.#vectors(e);
      const shared = sharedRare(all, e.title, e.body, this.idf, minIdf);
      const f: Features = {
        titleCos: cosine(qTitleVec, v.title, nqt, v.nTitle),
        docCos: cosine(qDocVec, v.doc, nqd, v.nDoc),
        crossCos: cosine(qTitleVec, v.doc, nqt, v.nDoc),
        bm25Rel: h.score / topBm25,
        sharedCount: shared.length,
      };
      return { number: e.doc.number, score: round(combine(f)), bm25: h.score, shared };
    });
    out.sort((a, b) => b.score - a.score || b.bm25 - a.bm25 || a.number - b.number);
    return out.slice(0, limit);
  }

  #vectors(e: Entry): Vectors {
    if (e.vec?.gen === this.#gen) return e.vec;
    const title = weightedVector(e.title, this.idf);
    const doc = weightedVector(e.body, this.idf, 1, weightedVector(e.title, this.idf, 2));
    e.vec = { gen: this.#gen, title, doc, nTitle: norm(title), nDoc: norm(doc) };
    return e.vec;
  }

  #eligible(number: number, q: SimilarQuery): boolean {
    if (number === q.number) return false;
    if (q.createdAt === undefined) return true;
    const c = this.#entries.get(number)?.doc.createdAt;
    if (c === undefined || c < q.createdAt) return true;
    // GitHub's timestamps have whole seconds: two issues filed in the same second are ordered by
    // number, which a repository hands out in filing order.
    return c === q.createdAt && q.number !== undefined && number < q.number;
  }

  /** Documents only: rebuilding from them is fast (see bench/similar.ts) and keeps the format stable. */
  toJSON(): { version: number; docs: IndexDoc[] } {
    return { version: SERIAL_VERSION, docs: [...this.#entries.values()].map((e) => e.doc) };
  }

  static fromDocs(docs: Iterable<IndexDoc>): RepoIndex {
    const idx = new RepoIndex();
    for (const d of docs) idx.upsert(d);
    return idx;
  }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
