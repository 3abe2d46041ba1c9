import type { Migration } from "../types.ts";

// Similar-issues documents, one row per issue/PR per repository; the in-memory BM25 index is
// rebuilt from these rows (src/search/store.ts). repo_index_meta records the back-fill progress.
export const search: Migration = {
  version: 20,
  name: "search",
  up: `
CREATE TABLE repo_index (
  repo TEXT NOT NULL,
  number INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('issue', 'pr')),
  title TEXT NOT NULL,
  body TEXT NOT NULL DEFAULT '',
  comments TEXT NOT NULL DEFAULT '',
  state TEXT,
  created_at BIGINT,
  updated_at BIGINT,
  closed_by TEXT NOT NULL DEFAULT '[]',
  PRIMARY KEY (repo, number)
);

CREATE TABLE repo_index_meta (
  repo TEXT PRIMARY KEY,
  backfilled_at BIGINT,
  cursor TEXT,
  doc_count INTEGER NOT NULL DEFAULT 0
);
`,
};
