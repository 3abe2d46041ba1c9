import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { ConfigurationError } from "../errors.ts";
import { migrate } from "./migrate.ts";
import { SqliteDb } from "./sqlite.ts";
import type { Db } from "./types.ts";

export type { Db } from "./types.ts";

export const DEFAULT_DATABASE_URL = "sqlite:./data/steward.db";

/** Parses DATABASE_URL into a backend choice. `sqlite:PATH` (relative to cwd) or `postgres://…`. */
export function parseDatabaseUrl(
  url: string,
  cwd = process.cwd(),
): { kind: "sqlite"; path: string } | { kind: "postgres"; url: string } {
  if (url.startsWith("postgres://") || url.startsWith("postgresql://")) return { kind: "postgres", url };
  if (url.startsWith("sqlite:")) {
    const rest = url.slice("sqlite:".length).replace(/^\/\/(?=\/)/, "");
    if (rest === ":memory:") return { kind: "sqlite", path: ":memory:" };
    if (!rest) throw new ConfigurationError("DATABASE_URL: expected sqlite:PATH, got an empty path");
    return { kind: "sqlite", path: resolve(cwd, rest) };
  }
  throw new ConfigurationError(
    `DATABASE_URL: expected "sqlite:./data/steward.db" or "postgres://user:pass@host:5432/db", got "${url.split(":")[0]}:…"`,
  );
}

/**
 * Opens the store named by DATABASE_URL and applies pending migrations. Only the commands that own
 * the store (serve, worker, ingest) pass `create: true`; every other command opens an existing store
 * or says there is none, so a mistyped DATABASE_URL never leaves a new database behind.
 */
export async function openDb(
  url: string = DEFAULT_DATABASE_URL,
  opts: { poolSize?: number; backgroundCheckpoint?: boolean; create?: boolean } = {},
): Promise<Db> {
  const target = parseDatabaseUrl(url);
  const create = opts.create ?? true;
  if (!create && target.kind === "sqlite" && target.path !== ":memory:" && !existsSync(target.path))
    throw missingStore(`${target.path} does not exist`);
  const db =
    target.kind === "sqlite"
      ? new SqliteDb(target.path, { backgroundCheckpoint: opts.backgroundCheckpoint })
      : // pg loads only when used: the SQLite CLI paths (ingest, incidents) start faster without it.
        new (await import("./postgres.ts")).PgDb(target.url, { max: opts.poolSize });
  try {
    if (!create && !(await hasStore(db))) {
      throw missingStore(
        target.kind === "sqlite"
          ? `${target.path} is not a Steward database`
          : "that database holds no Steward store",
      );
    }
    await migrate(db);
  } catch (err) {
    await db.close().catch(() => {});
    throw err;
  }
  return db;
}

function missingStore(why: string): ConfigurationError {
  return new ConfigurationError(
    `DATABASE_URL: no Steward store: ${why}. Check DATABASE_URL; \`steward serve\`, \`worker\` or \`ingest\` create the store (this command does not).`,
  );
}

/** True when the migrations table exists: the database was created by Steward. */
async function hasStore(db: Db): Promise<boolean> {
  const row =
    db.dialect === "sqlite"
      ? await db.one("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
      : await db.one(
          "SELECT to_regclass('schema_migrations') IS NOT NULL AS ok WHERE to_regclass('schema_migrations') IS NOT NULL",
        );
  return row !== undefined && row !== null;
}
