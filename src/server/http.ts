import type { ServerResponse } from "node:http";
import { countByState } from "../jobs/queue.ts";
import { metrics, registry } from "../metrics.ts";
import type { Db } from "../store/types.ts";
import type { RouteHandler } from "./types.ts";

export function sendJson(res: ServerResponse, status: number, body: unknown): true {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
  return true;
}

/** GET /healthz: 200 once the store answers, 503 otherwise. */
export function healthRoute(db: Db): RouteHandler {
  return async (req, res, url) => {
    if (url.pathname !== "/healthz" || req.method !== "GET") return false;
    try {
      await db.ping();
      return sendJson(res, 200, { status: "ok", store: db.dialect });
    } catch {
      return sendJson(res, 503, { status: "unavailable", store: db.dialect, error: "store unreachable" });
    }
  };
}

/** GET /metrics in Prometheus text format, with job counts sampled from the store. */
export function metricsRoute(db: Db): RouteHandler {
  return async (req, res, url) => {
    if (url.pathname !== "/metrics" || req.method !== "GET") return false;
    try {
      const counts = await countByState(db);
      for (const [state, n] of Object.entries(counts)) metrics.jobsByState.set({ state }, n);
    } catch {
      metrics.errors.inc({ where: "metrics" });
    }
    const text = await registry.metrics();
    res.writeHead(200, { "content-type": registry.contentType });
    res.end(text);
    return true;
  };
}
