import { Counter, Histogram, Registry, collectDefaultMetrics, Gauge } from "prom-client";

// One registry for the process, exposed at GET /metrics in Prometheus text format.
export const registry = new Registry();
// The default metrics include event-loop lag, Steward's stall alarm: everything (webhooks, the worker
// API, /healthz) shares one loop, so a slow synchronous step shows here first. prom-client samples it
// with perf_hooks.monitorEventLoopDelay at this resolution and exports, since the previous scrape,
// steward_nodejs_eventloop_lag_{min,max,mean,stddev,p50,p90,p99}_seconds, plus
// steward_nodejs_eventloop_lag_seconds (the delay of one setImmediate at scrape time). docs/SECURITY.md (C).
export const EVENT_LOOP_RESOLUTION_MS = 10;
collectDefaultMetrics({
  register: registry,
  prefix: "steward_",
  eventLoopMonitoringPrecision: EVENT_LOOP_RESOLUTION_MS,
});

export const metrics = {
  deliveries: new Counter({
    name: "steward_webhook_deliveries_total",
    help: "Webhook deliveries by event and outcome (enqueued, duplicate, replay, ignored, bot, invalid).",
    labelNames: ["event", "outcome"],
    registers: [registry],
  }),
  jobsTotal: new Counter({
    name: "steward_jobs_total",
    help: "Finished job attempts by kind and outcome (done, retry, dead).",
    labelNames: ["kind", "outcome"],
    registers: [registry],
  }),
  jobDuration: new Histogram({
    name: "steward_job_duration_seconds",
    help: "Wall time of job attempts.",
    labelNames: ["kind"],
    buckets: [0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300],
    registers: [registry],
  }),
  jobsByState: new Gauge({
    name: "steward_jobs",
    help: "Jobs in the store by state (sampled at scrape time).",
    labelNames: ["state"],
    registers: [registry],
  }),
  llmTokens: new Counter({
    name: "steward_llm_tokens_total",
    help: "LLM tokens by direction (prompt, completion) and tool.",
    labelNames: ["direction", "tool"],
    registers: [registry],
  }),
  errors: new Counter({
    name: "steward_errors_total",
    help: "Errors by where they happened.",
    labelNames: ["where"],
    registers: [registry],
  }),
};
