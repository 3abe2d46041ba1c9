import { createHash } from "node:crypto";
import { type FileHandle, open } from "node:fs/promises";
import { MAX_LINE_BYTES, type LineProcessor } from "./processor.ts";

// Reads one file by true byte offsets (positioned reads into a fixed Buffer, split on 0x0A) and
// feeds complete lines to a processor. A partial last line is never consumed: the next read starts
// again at its first byte, so it is processed exactly once, when its newline has arrived.

/** How much of a file's head its fingerprint covers, once the file is that long. */
export const FINGERPRINT_BYTES = 1024;
/** Read size: big reads amortise the syscall and the per-block needle searches. Must exceed MAX_LINE_BYTES. */
export const READ_CHUNK = 4 * MAX_LINE_BYTES;

export interface FileIdentity {
  /** `inode:<dev>:<ino>`: the checkpoint key. Stable while the file grows or is renamed on its device. */
  key: string;
  dev: number;
  ino: number;
  size: number;
  /** sha256 (hex) of the first `fpBytes` bytes: tells a reused inode or a rewritten file apart. */
  fingerprint: string;
  /** min(size, 1 KiB) when identified; only a full-KiB fingerprint is trusted across inodes. */
  fpBytes: number;
}

export function inodeKey(dev: number | bigint, ino: number | bigint): string {
  return `inode:${dev}:${ino}`;
}

/** sha256 of the file's first `n` bytes, or null when the file is shorter than `n`. */
export async function headHash(fh: FileHandle, n: number): Promise<string | null> {
  const head = Buffer.alloc(n);
  const { bytesRead } = await fh.read(head, 0, n, 0);
  if (bytesRead < n) return null;
  return createHash("sha256").update(head).digest("hex");
}

/** Device, inode and a fingerprint of the first KiB (or of all of a shorter file). */
export async function identify(fh: FileHandle): Promise<FileIdentity> {
  const st = await fh.stat({ bigint: true });
  const head = Buffer.alloc(FINGERPRINT_BYTES);
  const { bytesRead } = await fh.read(head, 0, FINGERPRINT_BYTES, 0);
  const fingerprint = createHash("sha256").update(head.subarray(0, bytesRead)).digest("hex");
  return {
    key: inodeKey(st.dev, st.ino),
    dev: Number(st.dev),
    ino: Number(st.ino),
    size: Number(st.size),
    fingerprint,
    fpBytes: bytesRead,
  };
}

/**
 * The key checkpoints had before file identity used inodes: sha256 of the first line (capped at
 * 1 KiB). Only used to adopt such a checkpoint once, for the same path, after an upgrade.
 */
export async function legacyFirstLineKey(fh: FileHandle): Promise<string | null> {
  const head = Buffer.alloc(FINGERPRINT_BYTES);
  const { bytesRead } = await fh.read(head, 0, FINGERPRINT_BYTES, 0);
  const nl = head.subarray(0, bytesRead).indexOf(0x0a);
  const end = nl >= 0 ? nl : bytesRead === FINGERPRINT_BYTES ? FINGERPRINT_BYTES : -1;
  if (end < 0) return null;
  return createHash("sha256").update(head.subarray(0, end)).digest("hex");
}

export class FileCursor {
  readonly fh: FileHandle;
  /** Re-identified as the file grows past a short fingerprint (see Tailer's flush). */
  id: FileIdentity;
  path: string;
  /** Offset just past the last complete line handed to the processor. */
  offset: number;
  #buf: Buffer;

  constructor(fh: FileHandle, id: FileIdentity, path: string, offset: number, buf?: Buffer) {
    this.fh = fh;
    this.id = id;
    this.path = path;
    this.offset = offset;
    this.#buf = buf ?? Buffer.allocUnsafe(READ_CHUNK);
  }

  static async open(path: string): Promise<{ fh: FileHandle; id: FileIdentity }> {
    const fh = await open(path, "r");
    try {
      return { fh, id: await identify(fh) };
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  /**
   * Reads one chunk and processes its complete lines. Returns how far the read position moved
   * (0 at EOF, or when only a partial line is available).
   */
  async step(proc: LineProcessor): Promise<number> {
    const buf = this.#buf;
    const readAt = this.offset + this.#skipped;
    const { bytesRead: n } = await this.fh.read(buf, 0, buf.length, readAt);
    if (n === 0) return 0;
    let s = 0;
    if (this.#skipped > 0) {
      const nl = buf.subarray(0, n).indexOf(0x0a);
      if (nl < 0) {
        this.#skipped += n;
        return n;
      }
      proc.counters.lines++;
      proc.counters.tooLong++;
      this.#skipped = 0;
      s = nl + 1;
    }
    const first = s;
    // Bytes past `n` are stale (from an earlier read), so the last newline is searched below `n`.
    const last = n > s ? buf.lastIndexOf(0x0a, n - 1) : -1;
    if (last >= s) {
      proc.lines(buf, s, last + 1);
      s = last + 1;
    }
    if (s === 0 && first === 0 && n === buf.length) {
      // A full chunk and no newline: the line is over the limit. Skip to its end; `offset` (what a
      // checkpoint records) stays at the line's start, so a crash mid-skip re-skips the same line.
      this.#skipped = n;
      return n;
    }
    this.offset = readAt + s;
    return s;
  }

  #skipped = 0;

  get skipping(): boolean {
    return this.#skipped > 0;
  }

  async size(): Promise<number> {
    return Number((await this.fh.stat()).size);
  }

  async close(): Promise<void> {
    await this.fh.close().catch(() => {});
  }
}
