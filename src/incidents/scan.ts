import { LineScanner, maybeError } from "./prefilter.ts";

// The line loop of ingest: splits complete lines, counts them, and hands on each `{…}` line that can
// be an error (every `{…}` line when there is no prefilter). Shared by the main thread's LineProcessor
// and the back-fill's worker thread (chunk-worker.ts), which imports this and prefilter.ts only.

export const MAX_LINE_BYTES = 1024 * 1024;
const SUB_BLOCK = 32 * 1024;

export interface LineCounters {
  lines: number;
  errorLines: number;
  nonJson: number;
  tooLong: number;
}

export type OnCandidate = (buf: Buffer, start: number, end: number) => void;

export class LineSplitter {
  readonly counters: LineCounters;
  readonly #scanner: LineScanner | null;
  readonly #statusMin: number;
  readonly #onCandidate: OnCandidate;

  /** `statusMin`: the prefilter's error status (0: status never makes an error); null: no prefilter. */
  constructor(counters: LineCounters, statusMin: number | null, onCandidate: OnCandidate) {
    this.counters = counters;
    this.#scanner = statusMin === null ? null : new LineScanner(statusMin);
    this.#statusMin = statusMin ?? 0;
    this.#onCandidate = onCandidate;
  }

  get prefiltering(): boolean {
    return this.#scanner !== null;
  }

  /** The prefilter's error status, or null without a prefilter. */
  get statusMin(): number | null {
    return this.#scanner ? this.#statusMin : null;
  }

  /** One complete line, without its newline. */
  line(buf: Buffer, start: number, end: number): void {
    this.#line(buf, start, end, false);
  }

  /**
   * A block of complete lines: every line in [start, end) ends with a newline (the last one at
   * end - 1). Needles are searched once per block, not once per line.
   */
  lines(buf: Buffer, start: number, end: number): void {
    let from = start;
    while (from < end) {
      // Sub-blocks of ~32 KiB: their latin1 copies stay small, young-generation strings (a 4 MiB
      // string goes to large-object space and costs far more to create than to copy).
      let to = from + SUB_BLOCK >= end ? end : buf.lastIndexOf(0x0a, from + SUB_BLOCK - 1) + 1;
      if (to <= from) to = buf.indexOf(0x0a, from + SUB_BLOCK) + 1; // one line longer than a sub-block
      if (to <= from || to > end) to = end;
      this.#block(buf, from, to);
      from = to;
    }
  }

  #block(buf: Buffer, start: number, end: number): void {
    // latin1: one character per byte, so positions in `text` are byte positions minus `start`.
    // String#indexOf is much cheaper per call than Buffer#indexOf, and there is one call per line.
    const text = buf.toString("latin1", start, end);
    this.#scanner?.reset(buf, text, start);
    let s = start;
    while (s < end) {
      let nl = text.indexOf("\n", s - start);
      nl = nl < 0 ? end : nl + start;
      this.#line(buf, s, nl, true);
      s = nl + 1;
    }
  }

  #line(buf: Buffer, start: number, end: number, inBlock: boolean): void {
    this.counters.lines++;
    if (end - start > MAX_LINE_BYTES) {
      this.counters.tooLong++;
      return;
    }
    while (start < end && (buf[start] === 0x20 || buf[start] === 0x09)) start++;
    while (end > start && (buf[end - 1] === 0x0d || buf[end - 1] === 0x20 || buf[end - 1] === 0x09)) end--;
    if (start === end) return; // blank lines are neither JSON nor garbage
    if (buf[start] !== 0x7b || buf[end - 1] !== 0x7d) {
      this.counters.nonJson++;
      return;
    }
    // Lines that cannot be errors skip decoding and JSON.parse, most of the cost of a healthy log.
    const scan = this.#scanner;
    if (scan && !(inBlock ? scan.candidate(start, end) : maybeError(buf, start, end, this.#statusMin)))
      return;
    this.#onCandidate(buf, start, end);
  }
}
