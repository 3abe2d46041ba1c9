/** One issue or pull request as the similar-issues index sees it. */
export interface IndexDoc {
  number: number;
  kind: "issue" | "pr";
  title: string;
  body: string;
  /** All comment bodies joined; may be empty. */
  comments: string;
  state?: "open" | "closed";
  /** Epoch ms; when unknown the document is a candidate for every query. */
  createdAt?: number;
  updatedAt?: number;
  /** PR numbers that closed this issue. */
  closedBy?: number[];
}

/** What a query is compared with: a new issue, possibly not in the index yet. */
export interface SimilarQuery {
  /** Never returned as its own candidate. */
  number?: number;
  title: string;
  body: string;
  /** Only documents created strictly before this (epoch ms) are candidates. */
  createdAt?: number;
}

export interface Candidate {
  number: number;
  /** Calibrated similarity in [0, 1]; comparable across repositories. */
  score: number;
  /** First-stage BM25 score (not comparable across queries). */
  bm25: number;
  /** Reasons worth showing: shared error types and identifiers. */
  shared: string[];
}
