import type { Migration } from "../types.ts";

// Auto-increment ids are the one column type that differs between the dialects.
const id = { sqlite: "INTEGER PRIMARY KEY AUTOINCREMENT", postgres: "BIGSERIAL PRIMARY KEY" };

function sql(d: "sqlite" | "postgres"): string {
  return `
CREATE TABLE deliveries (
  id TEXT PRIMARY KEY,
  event TEXT NOT NULL,
  received_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX deliveries_expires ON deliveries (expires_at);

CREATE TABLE jobs (
  id ${id[d]},
  kind TEXT NOT NULL,
  dedupe_key TEXT,
  installation_id BIGINT,
  repo TEXT,
  target_number INTEGER,
  delivery_id TEXT,
  payload TEXT NOT NULL,
  state TEXT NOT NULL,
  run_at BIGINT NOT NULL,
  lease_until BIGINT,
  lease_owner TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL DEFAULT 5,
  last_error TEXT,
  generation INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  started_at BIGINT,
  finished_at BIGINT
);
CREATE UNIQUE INDEX jobs_pending_key ON jobs (dedupe_key) WHERE state = 'queued';
CREATE INDEX jobs_claim ON jobs (state, run_at);
CREATE INDEX jobs_lease ON jobs (state, lease_until);
CREATE INDEX jobs_running_key ON jobs (dedupe_key, state);
CREATE INDEX jobs_installation ON jobs (installation_id, state);

CREATE TABLE job_runs (
  id ${id[d]},
  job_id BIGINT NOT NULL,
  attempt INTEGER NOT NULL,
  worker TEXT NOT NULL,
  started_at BIGINT NOT NULL,
  finished_at BIGINT,
  outcome TEXT,
  error TEXT
);
CREATE INDEX job_runs_job ON job_runs (job_id);

CREATE TABLE llm_usage (
  id ${id[d]},
  job_id BIGINT,
  installation_id BIGINT,
  tool TEXT NOT NULL,
  model TEXT NOT NULL,
  day TEXT NOT NULL,
  prompt_tokens INTEGER NOT NULL,
  completion_tokens INTEGER NOT NULL,
  cost_usd DOUBLE PRECISION NOT NULL DEFAULT 0,
  outcome TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX llm_usage_day ON llm_usage (installation_id, day);
CREATE INDEX llm_usage_job ON llm_usage (job_id);

CREATE TABLE notices (
  key TEXT PRIMARY KEY,
  created_at BIGINT NOT NULL
);

CREATE TABLE kv (
  namespace TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  expires_at BIGINT,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (namespace, key)
);

CREATE TABLE leases (
  name TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  expires_at BIGINT NOT NULL
);
`;
}

export const foundation: Migration = {
  version: 1,
  name: "foundation",
  up: { sqlite: sql("sqlite"), postgres: sql("postgres") },
};
