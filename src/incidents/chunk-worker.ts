import { parentPort, workerData } from "node:worker_threads";
import { LineProcessor } from "./processor.ts";
import type { IncidentOptions } from "./schema.ts";

// Worker thread of the parallel back-fill (parallel.ts): the prefilter half. Finds which lines of
// a chunk can be errors and counts the rest; parses nothing and writes nothing.

export interface ScanRequest {
  id: number;
  buf: ArrayBuffer;
  /** Bytes [0, len) are complete lines, the last one ending with a newline at len - 1. */
  len: number;
}

export interface ScanResult {
  id: number;
  buf: ArrayBuffer;
  len: number;
  /** [start, end) pairs of the candidate lines, relative to `buf`. */
  candidates: Int32Array;
  lines: number;
  nonJson: number;
  tooLong: number;
}

const data = workerData as { options: IncidentOptions };
const proc = new LineProcessor(data.options);

parentPort?.on("message", (m: ScanRequest) => {
  proc.resetCounters();
  const candidates = Int32Array.from(proc.scan(Buffer.from(m.buf, 0, m.len), 0, m.len));
  const c = proc.counters;
  const out: ScanResult = {
    id: m.id,
    buf: m.buf,
    len: m.len,
    candidates,
    lines: c.lines,
    nonJson: c.nonJson,
    tooLong: c.tooLong,
  };
  // Both go back transferred, not copied; the main thread parses the candidates from `buf`.
  parentPort?.postMessage(out, [m.buf, candidates.buffer]);
});
