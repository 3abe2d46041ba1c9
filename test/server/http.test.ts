import { createServer, type Server } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { healthRoute, metricsRoute } from "../../src/server/http.ts";
import type { Db } from "../../src/store/types.ts";
import type { RouteHandler } from "../../src/server/types.ts";
import { sqliteTestDb } from "../helpers/db.ts";

async function serve(handlers: RouteHandler[]): Promise<{ server: Server; url: string }> {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    for (const h of handlers) if (await h(req, res, url)) return;
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const addr = server.address();
  return { server, url: `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}` };
}

describe("health and metrics routes", () => {
  let server: Server | undefined;
  afterEach(() => server?.close());

  it("/healthz answers 503 with a reason when the store does not answer", async () => {
    const broken = {
      dialect: "postgres",
      ping: async () => Promise.reject(new Error("ECONNREFUSED")),
    } as unknown as Db;
    const s = await serve([healthRoute(broken)]);
    server = s.server;
    const res = await fetch(`${s.url}/healthz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      status: "unavailable",
      store: "postgres",
      error: "store unreachable",
    });
    expect((await fetch(`${s.url}/elsewhere`)).status).toBe(404);
  });

  it("/metrics samples job counts from the store", async () => {
    const t = await sqliteTestDb();
    try {
      await t.db.exec(
        "INSERT INTO jobs (kind, payload, state, run_at, created_at, updated_at) VALUES ('k', '{}', 'dead', 0, 0, 0)",
      );
      const s = await serve([metricsRoute(t.db)]);
      server = s.server;
      const res = await fetch(`${s.url}/metrics`);
      expect(res.headers.get("content-type")).toContain("text/plain");
      const text = await res.text();
      expect(text).toMatch(/^steward_jobs\{state="dead"\} 1$/m);
      expect(text).toMatch(/^steward_jobs\{state="queued"\} 0$/m);
      expect(text).toContain("# TYPE steward_job_duration_seconds histogram");
      expect(text).toContain("# TYPE steward_llm_tokens_total counter");
    } finally {
      await t.cleanup();
    }
  });

  it("/metrics exports event-loop lag, and a 300 ms synchronous stall shows in its max", async () => {
    const t = await sqliteTestDb();
    try {
      const s = await serve([metricsRoute(t.db)]);
      server = s.server;
      // A scrape resets the lag histogram, so the stall below is the largest delay in the next one.
      await (await fetch(`${s.url}/metrics`)).text();
      // A synchronous step on the loop, as a catastrophic regex would be, run from a timer like a job.
      await new Promise<void>((done) =>
        setTimeout(() => {
          const until = performance.now() + 300;
          while (performance.now() < until) {
            // busy
          }
          done();
        }, 20),
      );
      await new Promise((r) => setTimeout(r, 50));
      const text = await (await fetch(`${s.url}/metrics`)).text();
      for (const q of ["min", "max", "mean", "p50", "p90", "p99"]) {
        expect(text).toContain(`# TYPE steward_nodejs_eventloop_lag_${q}_seconds gauge`);
      }
      expect(text).toContain("# TYPE steward_nodejs_eventloop_lag_seconds gauge");
      const max = Number(/^steward_nodejs_eventloop_lag_max_seconds (\S+)$/m.exec(text)?.[1]);
      expect(max).toBeGreaterThan(0.25);
      expect(max).toBeLessThan(30);
    } finally {
      await t.cleanup();
    }
  });
});
