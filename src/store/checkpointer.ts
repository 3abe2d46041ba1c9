// Runs SQLite WAL checkpoints on a worker thread with its own connection, so the copy-back and fsync
// (100+ ms on a busy disk) never stall the event loop that acknowledges webhooks.
import { parentPort, workerData } from "node:worker_threads";
import { DatabaseSync } from "node:sqlite";

const { path, intervalMs } = workerData as { path: string; intervalMs: number };
const db = new DatabaseSync(path, { timeout: 5_000 });
db.exec("PRAGMA busy_timeout = 5000");
const timer = setInterval(() => {
  try {
    // PASSIVE never blocks writers; whatever it cannot copy now is copied next time.
    db.exec("PRAGMA wal_checkpoint(PASSIVE)");
  } catch {
    // busy or closing: try again next tick
  }
}, intervalMs);
parentPort?.on("message", (m) => {
  if (m === "stop") {
    clearInterval(timer);
    try {
      db.exec("PRAGMA wal_checkpoint(PASSIVE)");
      db.close();
    } catch {
      // already closed
    }
    parentPort?.postMessage("stopped");
  }
});
