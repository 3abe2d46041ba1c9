// The driver-level contract that both the SQLite and the Postgres implementations satisfy.
//
// SQL is written once, in the common subset of both dialects:
//  - placeholders are `$1, $2, …` (the SQLite driver rewrites them to `?1, ?2, …`);
//  - timestamps are epoch milliseconds in BIGINT/INTEGER columns (never dialect date types);
//  - JSON is TEXT holding JSON.stringify output (parse it in the repository code);
//  - booleans are INTEGER 0/1;
//  - upserts use `INSERT … ON CONFLICT (…) DO UPDATE/NOTHING`, and `RETURNING` works on both.
// Where a statement truly differs (e.g. `FOR UPDATE SKIP LOCKED`), branch on `db.dialect`.

export type Dialect = "sqlite" | "postgres";

export type SqlValue = string | number | bigint | null | Uint8Array | boolean;

export interface Db {
  readonly dialect: Dialect;
  /** Rows of a SELECT (or of a statement with RETURNING). */
  query<T = Record<string, unknown>>(sql: string, params?: SqlValue[]): Promise<T[]>;
  /** The first row, or undefined. */
  one<T = Record<string, unknown>>(sql: string, params?: SqlValue[]): Promise<T | undefined>;
  /** Runs a statement; returns how many rows it changed. */
  exec(sql: string, params?: SqlValue[]): Promise<number>;
  /**
   * Runs `fn` in one transaction: commit when it resolves, roll back when it throws.
   * Inside `fn`, use only the `tx` handle it is given. Nested calls on `tx` run inline.
   */
  tx<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  /** Cheap liveness probe for /healthz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface Migration {
  version: number;
  name: string;
  /** SQL run in one transaction. A string applies to both dialects; an object gives one per dialect. */
  up: string | { sqlite: string; postgres: string };
}
