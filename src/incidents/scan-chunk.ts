import { canonicalizeLine } from "./canonical.ts";
import { type LineCounters, LineSplitter } from "./scan.ts";

// One chunk of the parallel back-fill through the prefilter: which lines can be errors, the counts
// of the rest, and each candidate line rewritten with its keys in canonical order (canonical.ts).
// Run by the worker thread (chunk-worker.ts) and, when the worker falls behind, by the main thread
// itself (parallel.ts). Imports scan.ts, prefilter.ts and canonical.ts only.

export interface ChunkScan {
  /**
   * Four numbers per candidate line: its [start, end) in the chunk, then the [start, end) of its
   * key-ordered copy in `canon`, or -1, -1 when the line is used as it is.
   */
  candidates: Int32Array<ArrayBuffer>;
  lines: number;
  nonJson: number;
  tooLong: number;
}

export class ChunkScanner {
  readonly #counters: LineCounters = { lines: 0, errorLines: 0, nonJson: 0, tooLong: 0 };
  readonly #splitter: LineSplitter;
  #out: number[] = [];
  #canon = new Uint8Array(0);
  #canonAt = 0;

  /** `statusMin`: the prefilter's error status (LineProcessor.prefilterStatus). */
  constructor(statusMin: number) {
    this.#splitter = new LineSplitter(this.#counters, statusMin, (buf, start, end) => {
      const e = canonicalizeLine(buf, start, end, this.#canon, this.#canonAt);
      if (e < 0) this.#out.push(start, end, -1, -1);
      else {
        this.#out.push(start, end, this.#canonAt, e);
        this.#canonAt = e;
      }
    });
  }

  /**
   * Bytes [0, len) of `buf` are complete lines, the last one ending with a newline at len - 1.
   * `canon` must hold at least `len` bytes: candidates are disjoint lines of the chunk and a
   * rewrite is never longer than its line.
   */
  scan(buf: ArrayBuffer, len: number, canon: ArrayBuffer): ChunkScan {
    const c = this.#counters;
    c.lines = c.nonJson = c.tooLong = 0;
    this.#out = [];
    this.#canon = new Uint8Array(canon);
    this.#canonAt = 0;
    this.#splitter.lines(Buffer.from(buf, 0, len), 0, len);
    const candidates = Int32Array.from(this.#out);
    this.#out = [];
    this.#canon = new Uint8Array(0);
    return { candidates, lines: c.lines, nonJson: c.nonJson, tooLong: c.tooLong };
  }
}
