import type { Migration } from "../types.ts";

// The worker loop: runs (one queued per ticket), proposals (hash-bound commands awaiting approval),
// an append-only audit log, and assistance questions a worker asks the humans on the ticket.
const id = { sqlite: "INTEGER PRIMARY KEY AUTOINCREMENT", postgres: "BIGSERIAL PRIMARY KEY" };

function sql(d: "sqlite" | "postgres"): string {
  return `
CREATE TABLE runs (
  id ${id[d]},
  repo TEXT NOT NULL,
  installation_id BIGINT,
  ticket_number INTEGER NOT NULL,
  state TEXT NOT NULL,
  instructions TEXT NOT NULL,
  requested_by TEXT NOT NULL,
  trigger_comment_id BIGINT,
  coalesced_comment_ids TEXT NOT NULL DEFAULT '[]',
  delivered_comment_ids TEXT NOT NULL DEFAULT '[]',
  context TEXT NOT NULL DEFAULT '{}',
  branch TEXT,
  head_sha TEXT,
  status_comment_id BIGINT,
  worker_id TEXT,
  token_hash TEXT,
  lease_until BIGINT,
  follow_up_pending INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  started_at BIGINT,
  finished_at BIGINT,
  result TEXT
);
CREATE UNIQUE INDEX runs_one_queued ON runs (repo, ticket_number) WHERE state = 'queued';
CREATE INDEX runs_claim ON runs (state, created_at);
CREATE INDEX runs_ticket ON runs (repo, ticket_number, state);
CREATE UNIQUE INDEX runs_token ON runs (token_hash) WHERE token_hash IS NOT NULL;

CREATE TABLE proposals (
  id TEXT PRIMARY KEY,
  run_id BIGINT NOT NULL,
  repo TEXT NOT NULL,
  ticket_number INTEGER NOT NULL,
  comment_id BIGINT,
  command TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  risk TEXT NOT NULL,
  head_sha TEXT,
  requested_by TEXT NOT NULL,
  expires_at BIGINT NOT NULL,
  status TEXT NOT NULL,
  approved_by TEXT,
  approved_role TEXT,
  decided_delivery_id TEXT,
  decided_at BIGINT,
  created_at BIGINT NOT NULL,
  result TEXT
);
CREATE INDEX proposals_run ON proposals (run_id, status);
CREATE INDEX proposals_ticket ON proposals (repo, ticket_number, status);

CREATE TABLE audit (
  id ${id[d]},
  at BIGINT NOT NULL,
  delivery_id TEXT,
  repo TEXT,
  proposal_id TEXT,
  sha256 TEXT,
  sender_login TEXT,
  sender_id BIGINT,
  role TEXT,
  decision TEXT NOT NULL,
  reason TEXT NOT NULL,
  result TEXT
);
CREATE INDEX audit_proposal ON audit (proposal_id);

CREATE TABLE assistance (
  id ${id[d]},
  run_id BIGINT NOT NULL,
  question TEXT NOT NULL,
  comment_id BIGINT,
  answer TEXT,
  answered_by TEXT,
  state TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  answered_at BIGINT
);
CREATE INDEX assistance_run ON assistance (run_id);
`;
}

export const agents: Migration = {
  version: 40,
  name: "agents",
  up: { sqlite: sql("sqlite"), postgres: sql("postgres") },
};
