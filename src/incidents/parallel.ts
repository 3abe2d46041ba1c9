import type { FileHandle } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { ScanRequest, ScanResult } from "./chunk-worker.ts";

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
}

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

  scan(buf: ArrayBuffer, len: number): Promise<ScanResult> {
    if (this.#failed) return Promise.reject(this.#failed);
    const m: ScanRequest = { id: this.#next++, buf, len, statusMin: this.#statusMin };
    return new Promise((resolve, reject) => {
      this.#pending.set(m.id, { resolve, reject });
      this.#workers[m.id % this.#workers.length]!.postMessage(m, [buf]);
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
 */
export async function drainParallel(
  fh: FileHandle,
  from: number,
  o: ParallelOptions & { statusMin: number },
  onChunk: (r: ScanResult, end: number) => Promise<void>,
): Promise<number> {
  const pool = new ScanPool(o.workers, o.statusMin);
  const depth = o.workers * 2 + 1;
  const free: ArrayBuffer[] = [];
  const queue: Array<{ result: Promise<ScanResult>; end: number }> = [];
  let readAt = from;
  let offset = from;
  const read = async (at: number) => {
    const ab = free.pop() ?? new ArrayBuffer(o.chunkBytes);
    const { bytesRead } = await fh.read(new Uint8Array(ab), 0, o.chunkBytes, at);
    return { ab, n: bytesRead };
  };
  // One read is always in flight, so reading overlaps this thread's parsing.
  let next: Promise<{ ab: ArrayBuffer; n: number }> | null = read(readAt);
  next.catch(() => {});
  try {
    for (;;) {
      while (next && queue.length < depth) {
        const { ab, n } = await next;
        next = null;
        const last = n > 0 ? Buffer.from(ab, 0, n).lastIndexOf(0x0a) : -1;
        if (last < 0) break; // EOF, or a line longer than a chunk
        readAt += last + 1;
        if (n === o.chunkBytes) {
          next = read(readAt);
          next.catch(() => {});
        }
        const result = pool.scan(ab, last + 1);
        result.catch(() => {}); // observed when its turn comes
        queue.push({ result, end: readAt });
      }
      const head = queue.shift();
      if (!head) break;
      const r = await head.result;
      await onChunk(r, head.end);
      free.push(r.buf);
      offset = head.end;
    }
  } finally {
    await next?.catch(() => {});
    await pool.close();
  }
  return offset;
}
