import { readFileSync } from "node:fs";
import { join } from "node:path";

// Wraps a stack trace into the JSON record shape each supported logger writes.

export const TRACE_DIR = join(import.meta.dirname, "../../fixtures/incidents/traces");
export function trace(name: string): string {
  return readFileSync(join(TRACE_DIR, name), "utf8");
}

export type Shape =
  | "pino"
  | "winston"
  | "python"
  | "structlog"
  | "zap"
  | "slog"
  | "logstash"
  | "ecs"
  | "otel";

export function wrap(
  shape: Shape,
  stack: string,
  o: { service?: string; type?: string; message?: string; time?: number } = {},
) {
  const service = o.service ?? "api";
  const time = o.time ?? 1_700_000_000_000;
  const iso = new Date(time).toISOString();
  switch (shape) {
    case "pino":
      return {
        level: 50,
        time,
        pid: 1,
        hostname: "web-1",
        name: service,
        msg: "request failed",
        err: { type: o.type, message: o.message, stack },
      };
    case "winston":
      return { level: "error", message: o.message ?? "boom", stack, service, timestamp: iso };
    case "python":
      return {
        asctime: iso,
        levelname: "ERROR",
        name: "django.request",
        message: "Internal Server Error: /x",
        exc_info: stack,
        service,
      };
    case "structlog":
      return { event: "request failed", level: "error", timestamp: iso, exception: stack, service };
    case "zap":
      return {
        level: "error",
        ts: time / 1000,
        caller: "server/handler.go:42",
        msg: "handler failed",
        error: o.message ?? "boom",
        stacktrace: stack,
        service,
      };
    case "slog":
      return {
        time: iso,
        level: "ERROR",
        source: { function: "main.handle", file: "/app/main.go", line: 9 },
        msg: "handler failed",
        err: o.message ?? "boom",
        stack,
        service,
      };
    case "logstash":
      return {
        "@timestamp": iso,
        "@version": "1",
        message: "Servlet.service() threw exception",
        logger_name: "o.a.c.c.C",
        thread_name: "http-nio-8080-exec-3",
        level: "ERROR",
        level_value: 40000,
        stack_trace: stack,
        traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
        service,
      };
    case "ecs":
      return {
        "@timestamp": iso,
        "log.level": "error",
        message: "unhandled",
        "service.name": service,
        error: { type: o.type, message: o.message, stack_trace: stack },
      };
    case "otel":
      return {
        timeUnixNano: String(time * 1e6),
        severity_text: "ERROR",
        severity_number: 17,
        body: "unhandled exception",
        resource: { "service.name": service },
        attributes: {
          "exception.type": o.type,
          "exception.message": o.message,
          "exception.stacktrace": stack,
        },
      };
  }
}
