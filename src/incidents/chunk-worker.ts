import { parentPort } from "node:worker_threads";
import { LineSplitter } from "./scan.ts";

// Worker thread of the parallel back-fill (parallel.ts): the prefilter half. Finds which lines of
// a chunk can be errors and counts the rest; parses nothing and writes nothing. It imports scan.ts
// and prefilter.ts only (no zod, no normaliser), so it is ready in a few milliseconds: the main
// thread waits for its first chunk.

export interface ScanRequest {
  id: number;
  buf: ArrayBuffer;
  /** Bytes [0, len) are complete lines, the last one ending with a newline at len - 1. */
  len: number;
  /** The prefilter's error status (LineProcessor.prefilterStatus). */
  statusMin: number;
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

const counters = { lines: 0, errorLines: 0, nonJson: 0, tooLong: 0 };
let out: number[] = [];
// The thread may be started before the policy is known (prestartScanWorkers), so each request
// names its status; one splitter per status, in practice one.
const splitters = new Map<number, LineSplitter>();
const splitter = (statusMin: number) => {
  let s = splitters.get(statusMin);
  if (!s) {
    s = new LineSplitter(counters, statusMin, (_buf, start, end) => {
      out.push(start, end);
    });
    splitters.set(statusMin, s);
  }
  return s;
};

parentPort?.on("message", (m: ScanRequest) => {
  counters.lines = counters.nonJson = counters.tooLong = 0;
  out = [];
  splitter(m.statusMin).lines(Buffer.from(m.buf, 0, m.len), 0, m.len);
  const candidates = Int32Array.from(out);
  const result: ScanResult = {
    id: m.id,
    buf: m.buf,
    len: m.len,
    candidates,
    lines: counters.lines,
    nonJson: counters.nonJson,
    tooLong: counters.tooLong,
  };
  // Both go back transferred, not copied; the main thread parses the candidates from `buf`.
  parentPort?.postMessage(result, [m.buf, candidates.buffer]);
});
