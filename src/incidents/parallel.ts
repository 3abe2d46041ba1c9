import type { FileHandle } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { ScanRequest, ScanResult } from "./chunk-worker.ts";
import { ChunkScanner } from "./scan-chunk.ts";

// Parallel back-fill for large backlogs (`ingest --once`, a catch-up after downtime), pipelined
// by stage: this thread reads chunks that end at a newline and hands them to worker threads
// (buffers transferred, not copied), which run the prefilter; the chunks come back in file order
// with their candidate lines, and the caller parses, normalises and counts those into its batch
// and advances its offset by exactly that chunk, on this thread, so the batch is the same as the
// sequential path's and a checkpoint never covers bytes whose counts are not in the same
// transaction. A line longer than a chunk and the partial last line are left at the returned
// offset for the sequential cursor.
//
// The worker keeps no caches (the error path stays here), so it costs one small V8 isolate.

export interface ParallelOptions {
  /** Worker threads; 0 disables the parallel path. */
  workers: number;
  /** Use it only when at least this many bytes are waiting. */
  minBytes: number;
  chunkBytes: number;
  /** Tests: every n-th chunk is prefiltered on this thread, whatever the timing. */
  localEvery?: number;
}

/** Chunks the main thread may prefilter ahead of the workers when they fall behind. */
const LOCAL_AHEAD = 2;

export function defaultParallel(): ParallelOptions {
  return {
    // One is enough: this thread's share (parse, normalise, fingerprint, write) is the larger one.
    workers: availableParallelism() >= 2 ? 1 : 0,
    minBytes: 32 * 1024 * 1024,
    chunkBytes: 2 * 1024 * 1024,
  };
}

const WORKER_URL = new URL("./chunk-worker.ts", import.meta.url);

// Threads started ahead of need (prestartScanWorkers): unreferenced, so they never keep the process
// alive, until a pool adopts them.
const prestarted: Worker[] = [];
// Prestarted threads that exited before a pool adopted them (a module that failed to load, a
// terminate): a pool must not adopt one, as its exit was before the pool could listen for it and
// chunks posted to it would never come back.
const exited = new WeakSet<Worker>();

/**
 * Starts `n` prefilter threads now, for a caller that knows it is about to back-fill (`steward
 * ingest --once`): their start-up (a V8 isolate and two small modules) then overlaps the main
 * thread's, instead of delaying the first chunk. The next drainParallel adopts them.
 */
export function prestartScanWorkers(n = defaultParallel().workers): void {
  while (prestarted.length < n) {
    const w = new Worker(WORKER_URL);
    w.unref();
    // A thread that fails before adoption is replaced by the adopting pool with a fresh one, whose
    // failure that pool then reports.
    w.on("error", () => {});
    w.on("exit", () => exited.add(w));
    prestarted.push(w);
  }
}

/** The prestarted threads not yet adopted (for tests). */
export function prestartedScanWorkers(): readonly Worker[] {
  return prestarted;
}

class ScanPool {
  readonly #workers: Worker[] = [];
  readonly #pending = new Map<number, { resolve: (r: ScanResult) => void; reject: (e: Error) => void }>();
  readonly #statusMin: number;
  #failed: Error | null = null;
  #next = 0;

  constructor(n: number, statusMin: number) {
    this.#statusMin = statusMin;
    const adopted = prestarted.splice(0, n);
    for (let i = 0; i < n; i++) {
      const ready = adopted[i];
      const w = ready && !exited.has(ready) ? ready : new Worker(WORKER_URL);
      w.ref();
      w.on("message", (r: ScanResult) => {
        const p = this.#pending.get(r.id);
        this.#pending.delete(r.id);
        p?.resolve(r);
      });
      const fail = (err: Error) => {
        this.#failed ??= err;
        for (const p of this.#pending.values()) p.reject(err);
        this.#pending.clear();
      };
      w.on("error", fail);
      w.on("exit", (code) => {
        if (code !== 0) fail(new Error(`ingest worker exited with code ${code}`));
      });
      this.#workers.push(w);
    }
  }

  scan(buf: ArrayBuffer, len: number, canon: ArrayBuffer): Promise<ScanResult> {
    if (this.#failed) return Promise.reject(this.#failed);
    const m: ScanRequest = { id: this.#next++, buf, len, statusMin: this.#statusMin, canon };
    return new Promise((resolve, reject) => {
      this.#pending.set(m.id, { resolve, reject });
      this.#workers[m.id % this.#workers.length]!.postMessage(m, [buf, canon]);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }
}

/**
 * Processes complete lines from `from` while whole chunks are available. `onChunk` runs once per
 * chunk, in file order, with the offset just past the chunk's last line; it may await (a batch
 * write) while the workers and the next read keep going. Returns the offset where the sequential
 * path takes over.
 *
 * Balance: the workers get up to `2 × workers + 1` chunks at a time. When the chunk this thread
 * needs next is still in a worker's hands, this thread does not wait: it prefilters the next chunk
 * read itself (the same ChunkScanner the workers run), up to LOCAL_AHEAD chunks ahead, so neither
 * side idles while the other is the bottleneck, whichever it is on this machine and this log.
 */
export async function drainParallel(
  fh: FileHandle,
  from: number,
  o: ParallelOptions & { statusMin: number },
  onChunk: (r: ScanResult, end: number) => Promise<void>,
): Promise<number> {
  const pool = new ScanPool(o.workers, o.statusMin);
  let local: ChunkScanner | null = null;
  const depth = o.workers * 2 + 1;
  const ahead = depth + LOCAL_AHEAD;
  const free: ArrayBuffer[] = [];
  const freeCanon: ArrayBuffer[] = [];
  const canonBuffer = () => freeCanon.pop() ?? new ArrayBuffer(o.chunkBytes);
  interface Entry {
    result: Promise<ScanResult>;
    end: number;
    done: boolean;
  }
  const queue: Entry[] = [];
  let inWorkers = 0;
  let chunks = 0;
  let readAt = from;
  let offset = from;
  const read = async (at: number) => {
    const ab = free.pop() ?? new ArrayBuffer(o.chunkBytes);
    const { bytesRead } = await fh.read(new Uint8Array(ab), 0, o.chunkBytes, at);
    return { ab, n: bytesRead };
  };
  // One read is always in flight, so reading overlaps this thread's parsing.
  let next = read(readAt) as Promise<{ ab: ArrayBuffer; n: number }> | null;
  next?.catch(() => {});
  /** The next whole-lines chunk, or null at the end (EOF, or a line longer than a chunk). */
  const take = async (): Promise<{ ab: ArrayBuffer; len: number; end: number } | null> => {
    if (!next) return null;
    const { ab, n } = await next;
    next = null;
    const last = n > 0 ? Buffer.from(ab, 0, n).lastIndexOf(0x0a) : -1;
    if (last < 0) return null;
    readAt += last + 1;
    if (n === o.chunkBytes) {
      next = read(readAt);
      next.catch(() => {});
    }
    chunks++;
    return { ab, len: last + 1, end: readAt };
  };
  const scanHere = (c: { ab: ArrayBuffer; len: number; end: number }): Entry => {
    local ??= new ChunkScanner(o.statusMin);
    const canon = canonBuffer();
    const r: ScanResult = { id: -1, buf: c.ab, len: c.len, canon, ...local.scan(c.ab, c.len, canon) };
    return { result: Promise.resolve(r), end: c.end, done: true };
  };
  try {
    for (;;) {
      while (next && inWorkers < depth && queue.length < ahead) {
        const c = await take();
        if (!c) break;
        if (o.localEvery && chunks % o.localEvery === 0) {
          queue.push(scanHere(c));
          continue;
        }
        const entry: Entry = { result: pool.scan(c.ab, c.len, canonBuffer()), end: c.end, done: false };
        inWorkers++;
        const settle = () => {
          entry.done = true;
          inWorkers--;
        };
        entry.result.then(settle, settle); // the rejection itself is observed when its turn comes
        queue.push(entry);
      }
      const head = queue[0];
      if (!head) break;
      if (!head.done && next && queue.length < ahead) {
        // Workers answer through events, not microtasks: let any answer that has arrived in first.
        await new Promise(setImmediate);
        if (!head.done) {
          const c = await take();
          if (c) queue.push(scanHere(c));
          continue;
        }
      }
      queue.shift();
      const r = await head.result;
      await onChunk(r, head.end);
      free.push(r.buf);
      freeCanon.push(r.canon);
      offset = head.end;
    }
  } finally {
    await next?.catch(() => {});
    await pool.close();
  }
  return offset;
}
