// Persistence for the similar-issues index: one row per document in repo_index, back-fill progress
// in repo_index_meta. The BM25 index itself is never stored; it is rebuilt from rows (fast).

import { z } from "zod";
import { InvalidInputError } from "../errors.ts";
import type { Db } from "../store/types.ts";
import { RepoIndex } from "./index.ts";
import type { IndexDoc } from "./types.ts";

const rowSchema = z.object({
  number: z.coerce.number().int(),
  kind: z.enum(["issue", "pr"]),
  title: z.string(),
  body: z.string(),
  comments: z.string(),
  state: z.enum(["open", "closed"]).nullable(),
  created_at: z.coerce.number().nullable(),
  updated_at: z.coerce.number().nullable(),
  closed_by: z.string(),
});

const closedBySchema = z.array(z.number().int());

function toDoc(raw: unknown): IndexDoc {
  const r = rowSchema.parse(raw);
  let closedBy: number[] = [];
  try {
    closedBy = closedBySchema.parse(JSON.parse(r.closed_by));
  } catch (err) {
    throw new InvalidInputError(`repo_index row #${r.number}: closed_by must be a JSON array of PR numbers`, {
      cause: err,
    });
  }
  return {
    number: r.number,
    kind: r.kind,
    title: r.title,
    body: r.body,
    comments: r.comments,
    state: r.state ?? undefined,
    createdAt: r.created_at ?? undefined,
    updatedAt: r.updated_at ?? undefined,
    closedBy,
  };
}

export async function upsertDoc(db: Db, repo: string, doc: IndexDoc): Promise<void> {
  await db.exec(
    `INSERT INTO repo_index (repo, number, kind, title, body, comments, state, created_at, updated_at, closed_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (repo, number) DO UPDATE SET kind = excluded.kind, title = excluded.title, body = excluded.body,
       comments = excluded.comments, state = excluded.state, created_at = excluded.created_at,
       updated_at = excluded.updated_at, closed_by = excluded.closed_by`,
    [
      repo,
      doc.number,
      doc.kind,
      doc.title,
      doc.body,
      doc.comments,
      doc.state ?? null,
      doc.createdAt ?? null,
      doc.updatedAt ?? null,
      JSON.stringify(doc.closedBy ?? []),
    ],
  );
}

export async function removeDoc(db: Db, repo: string, number: number): Promise<boolean> {
  return (await db.exec("DELETE FROM repo_index WHERE repo = $1 AND number = $2", [repo, number])) > 0;
}

export async function getDoc(db: Db, repo: string, number: number): Promise<IndexDoc | undefined> {
  const row = await db.one("SELECT * FROM repo_index WHERE repo = $1 AND number = $2", [repo, number]);
  return row ? toDoc(row) : undefined;
}

export async function loadDocs(db: Db, repo: string): Promise<IndexDoc[]> {
  const rows = await db.query("SELECT * FROM repo_index WHERE repo = $1 ORDER BY number", [repo]);
  return rows.map(toDoc);
}

/** Rebuilds the repository's index from its rows. */
export async function loadRepoIndex(db: Db, repo: string): Promise<RepoIndex> {
  return RepoIndex.fromDocs(await loadDocs(db, repo));
}

export interface IndexMeta {
  repo: string;
  backfilledAt: number | null;
  cursor: string | null;
  docCount: number;
}

export async function getMeta(db: Db, repo: string): Promise<IndexMeta | undefined> {
  const r = await db.one<{ repo: string; backfilled_at: unknown; cursor: string | null; doc_count: unknown }>(
    "SELECT * FROM repo_index_meta WHERE repo = $1",
    [repo],
  );
  if (!r) return undefined;
  return {
    repo: r.repo,
    backfilledAt: r.backfilled_at === null ? null : Number(r.backfilled_at),
    cursor: r.cursor,
    docCount: Number(r.doc_count),
  };
}

/** Records back-fill progress: the page cursor while it runs, the time once it is complete. */
export async function setBackfillProgress(
  db: Db,
  repo: string,
  p: { cursor: string | null; backfilledAt?: number | null },
): Promise<void> {
  const count = await db.one<{ n: unknown }>("SELECT COUNT(*) AS n FROM repo_index WHERE repo = $1", [repo]);
  await db.exec(
    `INSERT INTO repo_index_meta (repo, backfilled_at, cursor, doc_count) VALUES ($1, $2, $3, $4)
     ON CONFLICT (repo) DO UPDATE SET backfilled_at = excluded.backfilled_at, cursor = excluded.cursor, doc_count = excluded.doc_count`,
    [repo, p.backfilledAt ?? null, p.cursor, Number(count?.n ?? 0)],
  );
}

export async function setBackfilled(db: Db, repo: string, at: number): Promise<void> {
  await setBackfillProgress(db, repo, { cursor: null, backfilledAt: at });
}
