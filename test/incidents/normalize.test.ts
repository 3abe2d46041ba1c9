import { describe, expect, it } from "vitest";
import { isError, normalizeRecord, toLevel, toTime } from "../../src/incidents/normalize.ts";
import { parseIncidentOptions } from "../../src/incidents/options.ts";
import { defaultIncidentOptions } from "../../src/incidents/schema.ts";
import { trace, wrap } from "./records.ts";

const policy = parseIncidentOptions({}).errors;
const JS = trace("js-togetherjs-156.txt");
const PY = trace("py-urllib3-understack-645.txt");
const JAVA = trace("java-spring-npe-21493.txt");
const GO = trace("go-grmon-8.txt");

describe("normalizeRecord: one shape from every logger", () => {
  it("pino: numeric level, err.type/message/stack, req/res, name as service", () => {
    const r = normalizeRecord({
      ...wrap("pino", JS, { type: "TypeError", message: "Cannot read property 'email' of undefined" }),
      req: { id: "req-7", method: "get", url: "/users/42?token=abc" },
      res: { statusCode: 500 },
    });
    expect(r).toMatchObject({
      service: "api",
      level: "error",
      time: 1_700_000_000_000,
      exceptionType: "TypeError",
      message: "Cannot read property 'email' of undefined",
      path: "/users/42",
      method: "GET",
      status: 500,
      traceId: "req-7",
      release: null,
    });
    expect(r.stack).toBe(JS);
    expect(r.frames.filter((f) => f.inApp).map((f) => f.function)).toEqual([
      "exports.index",
      "Object.http.configure.require.audience [as handle]",
    ]);
  });

  it("winston: level string, type taken from the first line of the stack", () => {
    const r = normalizeRecord(wrap("winston", JS, { message: "Cannot read property 'email' of undefined" }));
    expect(r).toMatchObject({
      service: "api",
      level: "error",
      exceptionType: "TypeError",
      time: 1_700_000_000_000,
    });
  });

  it("Python logging JSON: levelname, exc_info; logger `name` is not the service", () => {
    const r = normalizeRecord({ ...wrap("python", PY), service: undefined });
    expect(r).toMatchObject({
      service: null,
      level: "error",
      exceptionType: "ConnectionRefusedError",
      message: "[Errno 111] Connection refused",
    });
    expect(r.frames).toHaveLength(3);
  });

  it("structlog: event + exception string, and dict_tracebacks", () => {
    expect(normalizeRecord(wrap("structlog", PY))).toMatchObject({
      exceptionType: "ConnectionRefusedError",
      level: "error",
    });
    const r = normalizeRecord({
      event: "charge failed",
      level: "error",
      exception: [
        {
          exc_type: "ValueError",
          exc_value: "bad amount 12",
          is_cause: false,
          frames: [{ filename: "/srv/app/billing.py", lineno: 10, name: "charge" }],
        },
        {
          exc_type: "KeyError",
          exc_value: "'amount'",
          is_cause: true,
          frames: [{ filename: "/srv/app/parse.py", lineno: 3, name: "parse" }],
        },
      ],
    });
    expect(r.exceptionType).toBe("ValueError");
    expect(r.message).toBe("bad amount 12");
    expect(r.frames.map((f) => `${f.function}:${f.inApp}`)).toEqual(["parse:true", "charge:true"]);
    expect(r.stack).toContain('File "/srv/app/billing.py", line 10, in charge');
  });

  it("zap: ts in seconds, error string, stacktrace; slog: ERROR + err", () => {
    const z = normalizeRecord(
      wrap("zap", GO, { message: "dial tcp 10.0.0.1:5432: connect: connection refused" }),
    );
    expect(z).toMatchObject({
      level: "error",
      time: 1_700_000_000_000,
      message: "dial tcp 10.0.0.1:5432: connect: connection refused",
      exceptionType: "runtime error",
    });
    expect(z.frames.filter((f) => f.inApp)).toHaveLength(4);
    const s = normalizeRecord({
      time: "2024-05-01T10:00:00Z",
      level: "ERROR",
      msg: "handler failed",
      err: "context deadline exceeded",
    });
    expect(s).toMatchObject({
      level: "error",
      time: Date.parse("2024-05-01T10:00:00Z"),
      message: "context deadline exceeded",
      exceptionType: null,
      stack: null,
    });
  });

  it("logback: logstash encoder (stack_trace, level_value, MDC traceId) and JsonEncoder throwable", () => {
    const l = normalizeRecord({ ...wrap("logstash", JAVA), level: undefined });
    expect(l).toMatchObject({
      level: "error",
      exceptionType: "java.lang.NullPointerException",
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
    });
    const j = normalizeRecord({
      level: "ERROR",
      message: "failed",
      loggerName: "x",
      timestamp: 1_700_000_000_000,
      mdc: { traceId: "abc123" },
      throwable: {
        className: "java.lang.IllegalStateException",
        message: "closed",
        stepArray: [
          { className: "com.acme.Pool", methodName: "take", fileName: "Pool.java", lineNumber: 88 },
        ],
        cause: {
          className: "java.io.IOException",
          message: "reset",
          stepArray: [
            { className: "java.net.Socket", methodName: "read", fileName: "Socket.java", lineNumber: 1 },
          ],
        },
      },
    });
    expect(j).toMatchObject({
      exceptionType: "java.lang.IllegalStateException",
      message: "closed",
      traceId: "abc123",
    });
    expect(j.frames.map((f) => `${f.module}.${f.function}:${f.inApp}`)).toEqual([
      "com.acme.Pool.take:true",
      "java.net.Socket.read:false",
    ]);
    expect(j.stack).toBe(
      "java.lang.IllegalStateException: closed\n\tat com.acme.Pool.take(Pool.java:88)\nCaused by: java.io.IOException: reset\n\tat java.net.Socket.read(Socket.java:1)",
    );
  });

  it("ECS and OpenTelemetry", () => {
    const e = normalizeRecord({
      ...wrap("ecs", JAVA, { type: "java.lang.NullPointerException", message: "null" }),
      "http.request.method": "POST",
      "url.path": "/pay",
      "trace.id": "t-1",
      "service.version": "1.4.2",
    });
    expect(e).toMatchObject({
      service: "api",
      level: "error",
      exceptionType: "java.lang.NullPointerException",
      method: "POST",
      path: "/pay",
      traceId: "t-1",
      release: "1.4.2",
    });
    const o = normalizeRecord({
      ...wrap("otel", PY, { type: "ConnectionRefusedError", message: "refused" }),
      trace_id: "5b8efff798038103d269b633813fc60c",
    });
    expect(o).toMatchObject({
      service: "api",
      level: "error",
      exceptionType: "ConnectionRefusedError",
      message: "refused",
      time: 1_700_000_000_000,
      traceId: "5b8efff798038103d269b633813fc60c",
    });
  });

  it("alias precedence is fixed: service.name beats service beats pino name", () => {
    expect(normalizeRecord({ level: 50, name: "n", service: "s", "service.name": "sn" }).service).toBe("sn");
    expect(normalizeRecord({ level: 50, name: "n", service: "s" }).service).toBe("s");
    expect(normalizeRecord({ level: 50, name: "n" }).service).toBe("n");
    expect(normalizeRecord({ level: 50 }, { defaultService: "fallback" }).service).toBe("fallback");
  });

  it("levels and times", () => {
    expect([10, 20, 30, 40, 50, 60].map((n) => toLevel(n))).toEqual([
      "trace",
      "debug",
      "info",
      "warn",
      "error",
      "fatal",
    ]);
    expect(toLevel(40000, "level_value")).toBe("error");
    expect(toLevel(21, "severity_number")).toBe("fatal");
    expect(["WARNING", "CRITICAL", "dpanic", "severe", "nope"].map((s) => toLevel(s))).toEqual([
      "warn",
      "fatal",
      "error",
      "error",
      "info",
    ]);
    expect(toTime(1_700_000_000.5)).toBe(1_700_000_000_500);
    expect(toTime("1700000000000000000", "timeUnixNano")).toBe(1_700_000_000_000);
    expect(toTime("2023-11-14 22:13:20,123")).toBe(Date.parse("2023-11-14T22:13:20.123"));
    expect(toTime("garbage")).toBeNull();
  });
});

describe("isError (configurable)", () => {
  const base = normalizeRecord({ level: 30, msg: "ok" });
  it("level ≥ error, or an exception, or status ≥ 500", () => {
    expect(isError(base, policy)).toBe(false);
    expect(isError(normalizeRecord({ level: 50, msg: "x" }), policy)).toBe(true);
    expect(
      isError(
        normalizeRecord({ level: 30, msg: "x", err: { type: "Error", message: "m", stack: "Error: m" } }),
        policy,
      ),
    ).toBe(true);
    expect(isError(normalizeRecord({ level: 30, msg: "x", res: { statusCode: 503 } }), policy)).toBe(true);
    expect(isError(normalizeRecord({ level: 30, msg: "x", res: { statusCode: 404 } }), policy)).toBe(false);
  });
  it("each criterion can be changed", () => {
    const p = parseIncidentOptions({ errors: { minLevel: "warn", exception: false, status: 0 } }).errors;
    expect(isError(normalizeRecord({ level: 40, msg: "x" }), p)).toBe(true);
    expect(isError(normalizeRecord({ level: 30, msg: "x", err: { type: "E", stack: "E: m" } }), p)).toBe(
      false,
    );
    expect(isError(normalizeRecord({ level: 30, msg: "x", res: { statusCode: 503 } }), p)).toBe(false);
  });
  it("a bad option names the key", () => {
    expect(() => parseIncidentOptions({ errors: { minLevel: "loud" } })).toThrow(
      /incidents\.errors\.minLevel/,
    );
  });
});

describe("defaultIncidentOptions", () => {
  it("is what the zod schema gives for an empty config, with or without a default service", () => {
    expect(defaultIncidentOptions()).toEqual(parseIncidentOptions({}));
    expect(defaultIncidentOptions("api")).toEqual(parseIncidentOptions({ defaultService: "api" }));
  });
});
