import type { Migration } from "../types.ts";

const id = { sqlite: "INTEGER PRIMARY KEY AUTOINCREMENT", postgres: "BIGSERIAL PRIMARY KEY" };

// `service` is '' (never NULL) when a record names none, so the UNIQUE key also holds for it.
// "offset" is quoted: OFFSET is a reserved word in Postgres.
function sql(d: "sqlite" | "postgres"): string {
  return `
CREATE TABLE incidents (
  id ${id[d]},
  fingerprint TEXT NOT NULL,
  fp_version TEXT NOT NULL,
  service TEXT NOT NULL DEFAULT '',
  exception_type TEXT,
  title TEXT NOT NULL,
  first_seen BIGINT NOT NULL,
  last_seen BIGINT NOT NULL,
  count BIGINT NOT NULL DEFAULT 0,
  status TEXT NOT NULL DEFAULT 'open',
  regression_count INTEGER NOT NULL DEFAULT 0,
  issue_number INTEGER,
  repo TEXT,
  linked_prs TEXT NOT NULL DEFAULT '[]',
  sample TEXT NOT NULL,
  last_release TEXT,
  fix_release TEXT,
  fix_merged_at BIGINT,
  resolved_at BIGINT,
  regressed_at BIGINT,
  stats_comment_at BIGINT,
  stats_count BIGINT NOT NULL DEFAULT 0,
  synced_status TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (fingerprint, fp_version, service)
);
CREATE INDEX incidents_status ON incidents (status, updated_at);
CREATE INDEX incidents_issue ON incidents (repo, issue_number);

CREATE TABLE incident_releases (
  service TEXT NOT NULL,
  release TEXT NOT NULL,
  first_seen BIGINT NOT NULL,
  PRIMARY KEY (service, release)
);

CREATE TABLE log_checkpoints (
  file_key TEXT PRIMARY KEY,
  identity TEXT NOT NULL,
  path TEXT NOT NULL,
  "offset" BIGINT NOT NULL,
  lines BIGINT NOT NULL DEFAULT 0,
  error_lines BIGINT NOT NULL DEFAULT 0,
  non_json BIGINT NOT NULL DEFAULT 0,
  too_long BIGINT NOT NULL DEFAULT 0,
  updated_at BIGINT NOT NULL
);
`;
}

export const incidents: Migration = {
  version: 30,
  name: "incidents",
  up: { sqlite: sql("sqlite"), postgres: sql("postgres") },
};
