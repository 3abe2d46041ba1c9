import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync, type SQLInputValue } from "node:sqlite";
import { Worker } from "node:worker_threads";
import type { Db, SqlValue } from "./types.ts";

// `$1` → `?1`: SQLite's numbered parameters bind positionally, so one SQL text serves both dialects.
const PLACEHOLDER = /\$(\d+)/g;
const sqlCache = new Map<string, string>();
function toSqlite(sql: string): string {
  let out = sqlCache.get(sql);
  if (out === undefined) {
    out = sql.replace(PLACEHOLDER, "?$1");
    if (sqlCache.size < 5000) sqlCache.set(sql, out);
  }
  return out;
}

function bind(params: SqlValue[] | undefined): SQLInputValue[] {
  if (!params) return [];
  return params.map((p) => (typeof p === "boolean" ? (p ? 1 : 0) : p)) as SQLInputValue[];
}

/**
 * node:sqlite is synchronous, and one connection has one transaction. A promise-chain mutex
 * serialises transactions with everything else in this process, so an `await` inside `tx()`
 * can never let another caller's statement slip into (or out of) the open transaction.
 * Across processes, WAL plus `BEGIN IMMEDIATE` and a busy timeout serialise writers.
 */
export class SqliteDb implements Db {
  readonly dialect = "sqlite" as const;
  readonly #db: DatabaseSync;
  #lock: Promise<void> = Promise.resolve();
  readonly #stmts = new Map<string, ReturnType<DatabaseSync["prepare"]>>();

  #checkpointer: Worker | undefined;

  /**
   * `backgroundCheckpoint`: hand WAL checkpoints to a worker thread instead of running them inside
   * whichever commit crosses the threshold (used by the long-running server processes).
   */
  constructor(path: string, opts: { backgroundCheckpoint?: boolean } = {}) {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    this.#db = new DatabaseSync(path, { timeout: 10_000 });
    this.#db.exec("PRAGMA journal_mode = WAL");
    this.#db.exec("PRAGMA synchronous = NORMAL");
    this.#db.exec("PRAGMA foreign_keys = ON");
    this.#db.exec("PRAGMA busy_timeout = 10000");
    this.#db.exec("PRAGMA temp_store = MEMORY");
    if (opts.backgroundCheckpoint && path !== ":memory:") {
      this.#db.exec("PRAGMA wal_autocheckpoint = 0");
      this.#checkpointer = new Worker(new URL("./checkpointer.ts", import.meta.url), {
        workerData: { path, intervalMs: 1_000 },
      });
      this.#checkpointer.unref();
      this.#checkpointer.on("error", () => {
        // Fall back to checkpoints on commit if the worker dies.
        if (this.#db.isOpen) this.#db.exec("PRAGMA wal_autocheckpoint = 1000");
      });
    }
  }

  #prepare(sql: string) {
    const text = toSqlite(sql);
    let stmt = this.#stmts.get(text);
    if (!stmt) {
      stmt = this.#db.prepare(text);
      if (this.#stmts.size < 2000) this.#stmts.set(text, stmt);
    }
    return stmt;
  }

  async #withLock<T>(fn: () => Promise<T> | T): Promise<T> {
    const prev = this.#lock;
    let release!: () => void;
    this.#lock = new Promise<void>((r) => {
      release = r;
    });
    await prev;
    try {
      return await fn();
    } finally {
      release();
    }
  }

  #queryNow<T>(sql: string, params?: SqlValue[]): T[] {
    return this.#prepare(sql).all(...bind(params)) as T[];
  }

  #execNow(sql: string, params?: SqlValue[]): number {
    if (!params?.length && !sql.includes("$") && sql.includes(";")) {
      // Multi-statement scripts (migrations) cannot be prepared as one statement.
      this.#db.exec(sql);
      return 0;
    }
    return Number(this.#prepare(sql).run(...bind(params)).changes);
  }

  query<T = Record<string, unknown>>(sql: string, params?: SqlValue[]): Promise<T[]> {
    return this.#withLock(() => this.#queryNow<T>(sql, params));
  }

  async one<T = Record<string, unknown>>(sql: string, params?: SqlValue[]): Promise<T | undefined> {
    const rows = await this.query<T>(sql, params);
    return rows[0];
  }

  exec(sql: string, params?: SqlValue[]): Promise<number> {
    return this.#withLock(() => this.#execNow(sql, params));
  }

  tx<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    return this.#withLock(async () => {
      this.#db.exec("BEGIN IMMEDIATE");
      const handle = this.#txHandle();
      try {
        const out = await fn(handle);
        this.#db.exec("COMMIT");
        return out;
      } catch (err) {
        if (this.#db.isTransaction) this.#db.exec("ROLLBACK");
        throw err;
      }
    });
  }

  #txHandle(): Db {
    const handle: Db = {
      dialect: "sqlite",
      query: async <T>(sql: string, params?: SqlValue[]) => this.#queryNow<T>(sql, params),
      one: async <T>(sql: string, params?: SqlValue[]) => this.#queryNow<T>(sql, params)[0],
      exec: async (sql: string, params?: SqlValue[]) => this.#execNow(sql, params),
      tx: async <T>(fn: (tx: Db) => Promise<T>) => fn(handle),
      ping: async () => {},
      close: async () => {},
    };
    return handle;
  }

  async ping(): Promise<void> {
    await this.query("SELECT 1 AS ok");
  }

  async close(): Promise<void> {
    const worker = this.#checkpointer;
    if (worker) {
      this.#checkpointer = undefined;
      await new Promise<void>((resolve) => {
        const done = () => resolve();
        worker.once("message", done);
        worker.once("exit", done);
        worker.postMessage("stop");
        setTimeout(done, 2_000).unref();
      });
      await worker.terminate();
    }
    await this.#withLock(() => {
      this.#stmts.clear();
      if (this.#db.isOpen) this.#db.close();
    });
  }
}
