// The plain BM25 baseline the benchmark must beat: one field (title twice + body once),
// minisearch's default tokenizer, no stop words, no re-ranking, earlier issues only.

import MiniSearch from "minisearch";
import type { SimilarQuery } from "./types.ts";

interface BaseDoc {
  number: number;
  text: string;
  createdAt?: number;
}

export class BaselineIndex {
  readonly #created = new Map<number, number | undefined>();
  readonly #ms = new MiniSearch<BaseDoc>({ fields: ["text"], idField: "number" });

  add(doc: { number: number; title: string; body: string; createdAt?: number }): void {
    this.#created.set(doc.number, doc.createdAt);
    this.#ms.add({
      number: doc.number,
      text: `${doc.title}\n${doc.title}\n${doc.body}`,
      createdAt: doc.createdAt,
    });
  }

  search(q: SimilarQuery, limit = 10): Array<{ number: number; score: number }> {
    return this.#ms
      .search(`${q.title} ${q.body}`, {
        filter: (r) => {
          const n = r.id as number;
          if (n === q.number) return false;
          const c = this.#created.get(n);
          return q.createdAt === undefined || c === undefined || c < q.createdAt;
        },
      })
      .slice(0, limit)
      .map((r) => ({ number: r.id as number, score: r.score }));
  }
}
