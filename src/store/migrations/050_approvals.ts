import type { Migration } from "../types.ts";

// Approvals bound to what the approver saw (issue 9, part A):
// - proposals.target_number: the PR whose head SHA (head_sha) the proposal is pinned to, which may be
//   another PR than the ticket; proposals.approved_via: "checkbox" | "command" | "policy", so the
//   hand-out gate knows whether the box must still be ticked; proposals.requesters and runs.requesters:
//   every user whose instructions are in the run (folded comments included), for separate_approver.
// - delivery_bodies: a hash of each signed webhook body, so a captured body re-sent under a fresh
//   X-GitHub-Delivery id is dropped like a redelivery.
// - reply_budget: refusal replies per user and hour, so toggling a box cannot make Steward post without end.
export const approvals: Migration = {
  version: 50,
  name: "approvals-bound",
  up: `
ALTER TABLE proposals ADD COLUMN target_number INTEGER;
ALTER TABLE proposals ADD COLUMN approved_via TEXT;
ALTER TABLE proposals ADD COLUMN requesters TEXT NOT NULL DEFAULT '[]';
ALTER TABLE runs ADD COLUMN requesters TEXT NOT NULL DEFAULT '[]';

CREATE TABLE delivery_bodies (
  hash TEXT PRIMARY KEY,
  delivery_id TEXT NOT NULL,
  event TEXT NOT NULL,
  received_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX delivery_bodies_expires ON delivery_bodies (expires_at);

CREATE TABLE reply_budget (
  repo TEXT NOT NULL,
  login TEXT NOT NULL,
  window_start BIGINT NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (repo, login, window_start)
);
`,
};
