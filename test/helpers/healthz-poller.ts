// A separate process that polls a /healthz URL every 20 ms (the next request 20 ms after the last
// answer) and prints each latency in ms on its own line ("-1" for a failed request). It must be a
// separate process: a poller inside the server's own event loop would stall with it and see nothing.
// Usage: node test/helpers/healthz-poller.ts URL
const url = process.argv[2];
if (!url) throw new Error("usage: healthz-poller.ts URL");
let running = true;
process.on("SIGTERM", () => {
  running = false;
});
while (running) {
  const t0 = performance.now();
  let ms: number;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(120_000) });
    await res.arrayBuffer();
    ms = res.status === 200 ? performance.now() - t0 : -1;
  } catch {
    ms = -1;
  }
  process.stdout.write(`${ms.toFixed(1)}\n`);
  await new Promise((r) => setTimeout(r, 20));
}
