import type { Migration } from "../types.ts";

// Log files are identified the way mature shippers do (Filebeat, Fluent Bit, Vector): by device and
// inode, with a fingerprint of the first KiB of content to tell a reused inode or a truncated file
// from the one that was checkpointed, and to follow a file whose inode changed (copy, move across
// devices). Checkpoints written before this carry file_key = the first-line hash and no fingerprint;
// they are adopted once, by path, so an upgrade re-reads nothing.
export const fileIdentity: Migration = {
  version: 80,
  name: "file_identity",
  up: `
ALTER TABLE log_checkpoints ADD COLUMN fingerprint TEXT;
ALTER TABLE log_checkpoints ADD COLUMN fp_bytes INTEGER NOT NULL DEFAULT 0;
CREATE INDEX log_checkpoints_fingerprint ON log_checkpoints (fingerprint);
`,
};
