// Times one call of a src/ function in a worker thread, so a catastrophic regex makes the test fail
// instead of hanging the suite: a synchronous match cannot be interrupted on its own thread, but a
// worker can be terminated from outside.
import { Worker } from "node:worker_threads";

export interface Timed<T> {
  /** Wall time of the call alone (the import is not counted). */
  ms: number;
  result: T;
}

const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
(async () => {
  const mod = await import(workerData.url);
  const fn = mod[workerData.name];
  parentPort.postMessage({ ready: true });
  const t0 = performance.now();
  const result = fn(...workerData.args);
  const ms = performance.now() - t0;
  parentPort.postMessage({ ms, result });
})().catch((err) => parentPort.postMessage({ error: String(err && err.stack || err) }));
`;

/**
 * Runs `name(...args)` from the module at `url` in a worker. Rejects if the call has not returned
 * `hardStopMs` after the module loaded, so a regression shows as a failed test with a clear message.
 */
export function timeInWorker<T>(
  url: URL,
  name: string,
  args: unknown[],
  hardStopMs = 10_000,
): Promise<Timed<T>> {
  return new Promise((resolve, reject) => {
    const w = new Worker(WORKER, { eval: true, workerData: { url: url.href, name, args } });
    let timer: NodeJS.Timeout | undefined;
    const done = (fn: () => void) => {
      clearTimeout(timer);
      void w.terminate();
      fn();
    };
    w.on("message", (m: { ready?: boolean; ms?: number; result?: T; error?: string }) => {
      if (m.ready) {
        timer = setTimeout(
          () =>
            done(() =>
              reject(new Error(`${name} did not return within ${hardStopMs} ms: the event loop would stall`)),
            ),
          hardStopMs,
        );
        return;
      }
      if (m.error) done(() => reject(new Error(m.error)));
      else done(() => resolve({ ms: m.ms!, result: m.result as T }));
    });
    w.on("error", (err) => done(() => reject(err)));
  });
}
