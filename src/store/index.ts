import { resolve } from "node:path";
import { ConfigurationError } from "../errors.ts";
import { migrate } from "./migrate.ts";
import { PgDb } from "./postgres.ts";
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

/** Opens the store named by DATABASE_URL and applies pending migrations. */
export async function openDb(
  url: string = DEFAULT_DATABASE_URL,
  opts: { poolSize?: number; backgroundCheckpoint?: boolean } = {},
): Promise<Db> {
  const target = parseDatabaseUrl(url);
  const db =
    target.kind === "sqlite"
      ? new SqliteDb(target.path, { backgroundCheckpoint: opts.backgroundCheckpoint })
      : new PgDb(target.url, { max: opts.poolSize });
  try {
    await migrate(db);
  } catch (err) {
    await db.close().catch(() => {});
    throw err;
  }
  return db;
}
