import pg from "pg";
import type { Db, SqlValue } from "./types.ts";

// BIGINT (epoch-ms timestamps, counters) comes back as a JS number, matching SQLite.
pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));
pg.types.setTypeParser(1700, (v) => Number.parseFloat(v));

function bind(params: SqlValue[] | undefined): unknown[] {
  if (!params) return [];
  return params.map((p) => (typeof p === "boolean" ? (p ? 1 : 0) : p));
}

/** Client-side limit of one statement; Steward's statements take milliseconds. */
const QUERY_TIMEOUT_MS = 60_000;

type Queryable = Pick<pg.Pool, "query"> | pg.PoolClient;

function handleFor(q: Queryable, pool: PgDb): Db {
  const handle: Db = {
    dialect: "postgres",
    query: async <T>(sql: string, params?: SqlValue[]) =>
      (await q.query(sql, bind(params) as unknown[])).rows as T[],
    one: async <T>(sql: string, params?: SqlValue[]) =>
      (await q.query(sql, bind(params) as unknown[])).rows[0] as T | undefined,
    exec: async (sql: string, params?: SqlValue[]) =>
      (await q.query(sql, bind(params) as unknown[])).rowCount ?? 0,
    tx: async <T>(fn: (tx: Db) => Promise<T>) => fn(handle),
    ping: () => pool.ping(),
    close: async () => {},
  };
  return handle;
}

export class PgDb implements Db {
  readonly dialect = "postgres" as const;
  readonly pool: pg.Pool;
  readonly #root: Db;

  constructor(connectionString: string, opts: { max?: number } = {}) {
    this.pool = new pg.Pool({
      connectionString,
      max: opts.max ?? 10,
      connectionTimeoutMillis: 5_000,
      // A statement on a connection the server dropped (restart, failover, pg_terminate_backend) must
      // fail, not hang the job runner's claim loop forever.
      query_timeout: QUERY_TIMEOUT_MS,
      keepAlive: true,
    });
    // An idle client that errors (server restart) must not crash the process.
    this.pool.on("error", () => {});
    this.#root = handleFor(this.pool, this);
  }

  query<T = Record<string, unknown>>(sql: string, params?: SqlValue[]): Promise<T[]> {
    return this.#root.query<T>(sql, params);
  }
  one<T = Record<string, unknown>>(sql: string, params?: SqlValue[]): Promise<T | undefined> {
    return this.#root.one<T>(sql, params);
  }
  exec(sql: string, params?: SqlValue[]): Promise<number> {
    return this.#root.exec(sql, params);
  }

  async tx<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    // A checked-out client has no pool listener: without this, the server dropping the connection
    // mid-transaction ("Connection terminated unexpectedly") is an unhandled 'error' that kills the process.
    const onError = (err: Error) => {
      broken = err;
    };
    client.on("error", onError);
    try {
      await client.query("BEGIN");
      const out = await fn(handleFor(client, this));
      await client.query("COMMIT");
      return out;
    } catch (err) {
      await client.query("ROLLBACK").catch((e) => {
        // The connection itself is gone: it must not go back to the pool.
        broken = e instanceof Error ? e : new Error(String(e));
      });
      throw err;
    } finally {
      client.off("error", onError);
      client.release(broken);
    }
  }

  async ping(): Promise<void> {
    await this.pool.query("SELECT 1");
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
