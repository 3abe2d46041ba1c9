import { randomBytes } from "node:crypto";
import { glob, stat } from "node:fs/promises";
import { hostname } from "node:os";
import type { Logger } from "../logger.ts";
import type { Db } from "../store/types.ts";
import { applyBatch, type IncidentEvent, LeaseLostError } from "./batch.ts";
import { FileCursor, FINGERPRINT_BYTES, identify, READ_CHUNK } from "./cursor.ts";
import { resolveStart } from "./identity.ts";
import { acquireLease, releaseLease } from "./lease.ts";
import type { LifecycleConfig } from "./lifecycle.ts";
import { defaultParallel, drainParallel, type ParallelOptions } from "./parallel.ts";
import { type GroupingFor, LineProcessor } from "./processor.ts";
import type { IncidentOptions } from "./schema.ts";

// Follows files and globs. Files are tracked by device + inode with a content fingerprint (not by
// path; see identity.ts), so a renamed file keeps its checkpoint and two files never share one; each
// open file holds a lease, so two processes never read the same file.

export interface TailOptions {
  db: Db;
  patterns: string[];
  options: IncidentOptions;
  log: Logger;
  onIncidentEvent?: (e: IncidentEvent) => void;
  onProgress?: (p: IngestTotals) => void;
  pollMs?: number;
  leaseTtlMs?: number;
  /** Flush after this many lines, or this long since the last flush, whichever comes first. */
  flushLines?: number;
  flushMs?: number;
  /** A rotated-away file is read until it has been quiet this long. */
  rotateWaitMs?: number;
  lifecycle?: LifecycleConfig;
  strictJson?: boolean;
  /** Per-service grouping (the target repository's in_app / fingerprint_rules), as in `serve`. */
  groupingFor?: GroupingFor;
  owner?: string;
  now?: () => number;
  /** Large backlogs are prefiltered by worker threads (see parallel.ts); `false`: all on this thread. */
  parallel?: Partial<ParallelOptions> | false;
}

export interface IngestTotals {
  files: number;
  bytes: number;
  lines: number;
  errorLines: number;
  nonJson: number;
  tooLong: number;
  newIncidents: number;
  regressions: number;
}

interface Open {
  cursor: FileCursor;
  proc: LineProcessor;
  lease: string;
  fromOffset: number;
  lastFlushAt: number;
  lastDataAt: number;
  lastRenewAt: number;
  detached: boolean;
}

export class Tailer {
  readonly totals: IngestTotals = {
    files: 0,
    bytes: 0,
    lines: 0,
    errorLines: 0,
    nonJson: 0,
    tooLong: 0,
    newIncidents: 0,
    regressions: 0,
  };
  readonly owner: string;
  readonly #o: Required<
    Pick<TailOptions, "pollMs" | "leaseTtlMs" | "flushLines" | "flushMs" | "rotateWaitMs">
  > &
    TailOptions;
  readonly #files = new Map<string, Open>();
  readonly #blocked = new Map<string, number>();
  readonly #now: () => number;
  // One read buffer for all files: a cursor keeps no bytes between reads (it re-reads from its
  // offset) and files are drained one at a time, so memory stays flat however many files are open.
  #readBuf: Buffer | null = null;
  readonly #parallel: ParallelOptions | null;

  constructor(o: TailOptions) {
    this.#o = {
      pollMs: 250,
      leaseTtlMs: 30_000,
      flushLines: 100_000,
      flushMs: 1000,
      rotateWaitMs: 2000,
      ...o,
    };
    this.owner = o.owner ?? `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
    this.#now = o.now ?? Date.now;
    const par = o.parallel === false ? null : { ...defaultParallel(), ...o.parallel };
    this.#parallel = par && par.workers >= 1 ? par : null;
  }

  #sharedBuffer(): Buffer {
    if (!this.#readBuf) this.#readBuf = Buffer.allocUnsafe(READ_CHUNK);
    return this.#readBuf;
  }

  get openFiles(): number {
    return this.#files.size;
  }

  /** Files seen but skipped because another process holds their lease. */
  get blockedFiles(): number {
    const now = this.#now();
    let n = 0;
    for (const until of this.#blocked.values()) if (until > now) n++;
    return n;
  }

  async expand(): Promise<string[]> {
    const out = new Set<string>();
    for (const p of this.#o.patterns) {
      if (!/[*?[{]/.test(p)) out.add(p);
      else for await (const m of glob(p)) out.add(m);
    }
    return [...out];
  }

  /** One pass: discover files, read every open file to EOF, handle rotation/truncation/leases. */
  async poll(): Promise<void> {
    const now = this.#now();
    const byIno = new Map<string, string>();
    for (const p of await this.expand()) {
      const st = await stat(p).catch(() => null);
      if (st?.isFile()) byIno.set(`${st.dev}:${st.ino}`, p);
    }
    const openInos = new Set<string>();
    for (const f of this.#files.values()) {
      const k = `${f.cursor.id.dev}:${f.cursor.id.ino}`;
      openInos.add(k);
      const p = byIno.get(k);
      f.detached = p === undefined;
      if (p) f.cursor.path = p;
    }
    for (const [k, p] of byIno) {
      if (openInos.has(k) || (this.#blocked.get(k) ?? 0) > now) continue;
      await this.#open(p, k);
    }
    for (const [key, f] of [...this.#files]) {
      try {
        await this.#drain(f);
        if ((await f.cursor.size()) < f.cursor.offset) {
          // copytruncate: same inode, now shorter. Re-identify on the next poll from byte 0.
          this.#o.log.info({ path: f.cursor.path }, "log file truncated; restarting at offset 0");
          await this.#close(key, f, true);
          continue;
        }
        const t = this.#now();
        if (f.detached && t - f.lastDataAt >= this.#o.rotateWaitMs) await this.#close(key, f, true);
        else if (t - f.lastRenewAt >= this.#o.leaseTtlMs / 3) {
          if (!(await acquireLease(this.#o.db, f.lease, this.owner, this.#o.leaseTtlMs, t)))
            throw new LeaseLostError(f.lease);
          f.lastRenewAt = t;
        }
      } catch (err) {
        if (!(err instanceof LeaseLostError)) throw err;
        this.#o.log.warn({ path: f.cursor.path }, "ingest lease lost; another process took over this file");
        await this.#close(key, f, false);
      }
    }
  }

  async #open(path: string, inoKey: string): Promise<void> {
    const { fh, id } = await FileCursor.open(path).catch(() => ({ fh: null, id: null }));
    if (!fh) return;
    if (this.#files.has(id.key)) {
      await fh.close();
      return;
    }
    const lease = `ingest:${id.key}`;
    const now = this.#now();
    if (!(await acquireLease(this.#o.db, lease, this.owner, this.#o.leaseTtlMs, now))) {
      await fh.close();
      this.#blocked.set(inoKey, now + Math.min(this.#o.leaseTtlMs, 5000));
      return;
    }
    const start = await resolveStart(this.#o.db, fh, id, path);
    const offset = start.offset;
    if (start.reason !== "new" && start.reason !== "resumed")
      this.#o.log.info({ path, offset, reason: start.reason }, "log file identified");
    const proc = new LineProcessor(this.#o.options, {
      strictJson: this.#o.strictJson,
      now: this.#now,
      groupingFor: this.#o.groupingFor,
    });
    this.#files.set(id.key, {
      cursor: new FileCursor(fh, id, path, offset, this.#sharedBuffer()),
      proc,
      lease,
      fromOffset: offset,
      lastFlushAt: now,
      lastDataAt: now,
      lastRenewAt: now,
      detached: false,
    });
    this.totals.files++;
    this.#o.log.debug({ path, offset }, "following log file");
  }

  async #drain(f: Open): Promise<void> {
    const par = this.#parallel;
    const statusMin = f.proc.prefilterStatus;
    if (par && statusMin !== null && !f.cursor.skipping) {
      if ((await f.cursor.size()) - f.cursor.offset >= par.minBytes)
        await this.#drainParallel(f, { ...par, statusMin });
    }
    for (;;) {
      const moved = await f.cursor.step(f.proc);
      if (moved <= 0) break;
      f.lastDataAt = this.#now();
      if (this.#flushDue(f)) await this.#flush(f);
    }
    if (f.cursor.offset !== f.fromOffset || f.proc.counters.lines > 0) await this.#flush(f);
  }

  /** A large backlog: whole chunks through parallel.ts; the caller's loop does the rest. */
  async #drainParallel(f: Open, o: ParallelOptions & { statusMin: number }): Promise<void> {
    // Each chunk's counts join the batch together with its end offset: whichever flush writes
    // them also writes the checkpoint that covers exactly these bytes.
    await drainParallel(f.cursor.fh, f.cursor.offset, o, async (r, end) => {
      const buf = Buffer.from(r.buf, 0, r.len);
      const canon = Buffer.from(r.canon);
      const cand = r.candidates;
      for (let i = 0; i < cand.length; i += 4) {
        const cs = cand[i + 2]!;
        if (cs < 0) f.proc.candidate(buf, cand[i]!, cand[i + 1]!);
        else f.proc.rewrittenCandidate(canon, cs, cand[i + 3]!, buf, cand[i]!, cand[i + 1]!);
      }
      const c = f.proc.counters;
      c.lines += r.lines;
      c.nonJson += r.nonJson;
      c.tooLong += r.tooLong;
      f.cursor.offset = end;
      f.lastDataAt = this.#now();
      if (this.#flushDue(f)) await this.#flush(f);
    });
  }

  #flushDue(f: Open): boolean {
    return (
      f.proc.counters.lines >= this.#o.flushLines ||
      f.proc.buffer.size >= 10_000 ||
      f.lastDataAt - f.lastFlushAt >= this.#o.flushMs
    );
  }

  async #flush(f: Open): Promise<void> {
    const c = f.proc.counters;
    const now = this.#now();
    // A file first seen shorter than 1 KiB gets a fuller fingerprint once it has grown past it.
    if (f.cursor.id.fpBytes < Math.min(FINGERPRINT_BYTES, f.cursor.offset)) {
      const again = await identify(f.cursor.fh);
      if (again.key === f.cursor.id.key) f.cursor.id = again;
    }
    const id = f.cursor.id;
    const events = await withRetry(() =>
      applyBatch(this.#o.db, f.proc.buffer, {
        now,
        lifecycle: this.#o.lifecycle,
        lease: { name: f.lease, owner: this.owner, ttlMs: this.#o.leaseTtlMs },
        checkpoint: {
          fileKey: id.key,
          identity: `dev:${id.dev} ino:${id.ino} head-sha256/${id.fpBytes}:${id.fingerprint.slice(0, 16)}`,
          fingerprint: id.fingerprint,
          fpBytes: id.fpBytes,
          path: f.cursor.path,
          offset: f.cursor.offset,
          lines: c.lines,
          errorLines: c.errorLines,
          nonJson: c.nonJson,
          tooLong: c.tooLong,
        },
      }),
    );
    const t = this.totals;
    t.bytes += f.cursor.offset - f.fromOffset;
    t.lines += c.lines;
    t.errorLines += c.errorLines;
    t.nonJson += c.nonJson;
    t.tooLong += c.tooLong;
    f.fromOffset = f.cursor.offset;
    f.lastFlushAt = now;
    f.lastRenewAt = now;
    f.proc.buffer.clear();
    f.proc.resetCounters();
    for (const e of events) {
      if (e.kind === "new") t.newIncidents++;
      if (e.kind === "regressed") t.regressions++;
      this.#o.onIncidentEvent?.(e);
    }
    this.#o.onProgress?.(t);
  }

  async #close(key: string, f: Open, release: boolean): Promise<void> {
    this.#files.delete(key);
    await f.cursor.close();
    if (release) await releaseLease(this.#o.db, f.lease, this.owner).catch(() => {});
  }

  async closeAll(): Promise<void> {
    for (const [key, f] of [...this.#files]) {
      await this.#drain(f).catch(() => {});
      await this.#close(key, f, true);
    }
  }
}

/** Postgres may abort one of two crossing transactions (deadlock/serialization); the batch is intact, so redo it. */
async function withRetry<T>(fn: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (i >= 4 || (code !== "40P01" && code !== "40001" && code !== "SQLITE_BUSY")) throw err;
      await new Promise((r) => setTimeout(r, 20 * (i + 1)));
    }
  }
}
