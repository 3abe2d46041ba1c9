import type { Migration } from "../types.ts";

// OTLP/HTTP logs intake: one row per accepted request body, written in the same transaction as the
// incident counts that body produced. An exporter that retries a batch (its answer was lost, or
// Steward died after the commit) sends the same bytes again; the hash finds this row and the batch
// is answered from it instead of being counted twice. Rows older than the dedupe window are purged.
export const otlp: Migration = {
  version: 70,
  name: "otlp",
  up: `
CREATE TABLE otlp_batches (
  body_hash TEXT PRIMARY KEY,
  received_at BIGINT NOT NULL,
  records INTEGER NOT NULL,
  error_records INTEGER NOT NULL,
  rejected INTEGER NOT NULL,
  reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX otlp_batches_received ON otlp_batches (received_at);
`,
};
