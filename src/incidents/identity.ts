// Where to start reading a file Steward has just opened. Identity is device + inode (as Filebeat and
// Fluent Bit do), checked against a fingerprint of the first KiB (as Vector does), so that:
// - two files that share a first line are two files (different inodes);
// - a rename on the same device keeps its checkpoint (same inode);
// - a truncated file (copytruncate) or an inode reused after deletion starts again at 0 (the head no
//   longer matches the fingerprint, or the file is shorter than the checkpoint);
// - a file whose inode changed but whose first KiB is a checkpointed file's (a copy, a move across
//   devices) continues from that checkpoint, but only when that file is gone or no longer holds
//   that content: two live files with the same head are never merged.
import { type FileHandle, open, stat } from "node:fs/promises";
import type { Db } from "../store/types.ts";
import { type Checkpoint, checkpointsByFingerprint, getCheckpoint, retireCheckpoint } from "./batch.ts";
import { FINGERPRINT_BYTES, type FileIdentity, headHash, inodeKey, legacyFirstLineKey } from "./cursor.ts";

export type StartReason = "new" | "resumed" | "truncated" | "inode-reused" | "followed" | "upgraded";

export interface Start {
  offset: number;
  reason: StartReason;
}

export async function resolveStart(db: Db, fh: FileHandle, id: FileIdentity, path: string): Promise<Start> {
  const own = await getCheckpoint(db, id.key);
  if (own) {
    const sameHead = own.fingerprint !== null && (await headHash(fh, own.fpBytes)) === own.fingerprint;
    if (!sameHead && own.fingerprint !== null) {
      // The inode now holds other bytes: a new file on a reused inode, or this file truncated and
      // rewritten. Either way none of it was read.
      await retireCheckpoint(db, own);
      return { offset: 0, reason: own.offset > id.size ? "truncated" : "inode-reused" };
    }
    if (own.offset > id.size) return { offset: 0, reason: "truncated" };
    return { offset: own.offset, reason: "resumed" };
  }
  if (id.fpBytes === FINGERPRINT_BYTES) {
    for (const cp of await checkpointsByFingerprint(db, id.fingerprint, id.fpBytes)) {
      if (cp.offset > id.size || (await stillHolds(cp))) continue;
      return { offset: cp.offset, reason: "followed" };
    }
  }
  const legacy = await legacyFirstLineKey(fh);
  if (legacy) {
    const cp = await getCheckpoint(db, legacy);
    if (cp && cp.fingerprint === null && cp.path === path && cp.offset <= id.size)
      return { offset: cp.offset, reason: "upgraded" };
  }
  return { offset: 0, reason: "new" };
}

/** Whether the checkpoint's own file still exists at its path with the checkpointed head. */
async function stillHolds(cp: Checkpoint): Promise<boolean> {
  const st = await stat(cp.path, { bigint: true }).catch(() => null);
  if (!st?.isFile() || inodeKey(st.dev, st.ino) !== cp.fileKey) return false;
  const fh = await open(cp.path, "r").catch(() => null);
  if (!fh) return false;
  try {
    return (await headHash(fh, cp.fpBytes)) === cp.fingerprint;
  } finally {
    await fh.close();
  }
}
