import { parentPort } from "node:worker_threads";
import { type ChunkScan, ChunkScanner } from "./scan-chunk.ts";

// Worker thread of the parallel back-fill (parallel.ts): the prefilter half (scan-chunk.ts). Finds
// which lines of a chunk can be errors and counts the rest, and writes each candidate line with its
// keys in canonical order (canonical.ts) so the main thread's JSON.parse meets few object shapes;
// parses nothing and stores nothing. It imports scan-chunk.ts, scan.ts, prefilter.ts and
// canonical.ts only (no zod, no normaliser), so it is ready in a few milliseconds: the main thread
// waits for its first chunk.

export interface ScanRequest {
  id: number;
  buf: ArrayBuffer;
  /** Bytes [0, len) are complete lines, the last one ending with a newline at len - 1. */
  len: number;
  /** The prefilter's error status (LineProcessor.prefilterStatus). */
  statusMin: number;
  /** Where the rewritten candidate lines go: at least `len` bytes, handed back in the result. */
  canon: ArrayBuffer;
}

export interface ScanResult extends ChunkScan {
  id: number;
  buf: ArrayBuffer;
  len: number;
  canon: ArrayBuffer;
}

// The thread may be started before the policy is known (prestartScanWorkers), so each request
// names its status; one scanner per status, in practice one.
const scanners = new Map<number, ChunkScanner>();

parentPort?.on("message", (m: ScanRequest) => {
  let scanner = scanners.get(m.statusMin);
  if (!scanner) {
    scanner = new ChunkScanner(m.statusMin);
    scanners.set(m.statusMin, scanner);
  }
  const scan = scanner.scan(m.buf, m.len, m.canon);
  const result: ScanResult = { id: m.id, buf: m.buf, len: m.len, canon: m.canon, ...scan };
  // All go back transferred, not copied; the main thread parses the candidates from `canon` or `buf`.
  parentPort?.postMessage(result, [m.buf, m.canon, scan.candidates.buffer]);
});
