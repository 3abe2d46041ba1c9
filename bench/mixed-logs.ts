// Log lines in the shapes real services write, mixed in one stream: pino, Python structlog /
// json.dumps with its default separators (", " and ": ", ASCII escapes), logback (logstash encoder),
// zap, and OTel-shaped JSON — with the variants each one shows in the wild (level as a number or a
// string in any case, severity_text/severity_number, key order, escaped unicode). A fixed share of
// lines are errors. Deterministic for a given seed, so a benchmark file is the same every time.

export const ERROR_EVERY = 20; // 5%

/** A small deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const iso = (i: number) => new Date(1_764_800_000_000 + i * 7).toISOString();
const hex = (r: () => number, n: number) => {
  let s = "";
  for (let i = 0; i < n; i++) s += "0123456789abcdef"[Math.floor(r() * 16)];
  return s;
};

/** Python's json.dumps(obj) with default arguments: ", " / ": " separators, ensure_ascii escapes. */
export function pyDumps(v: unknown): string {
  if (v === null) return "null";
  if (typeof v === "string")
    return JSON.stringify(v).replace(
      /[\u0080-\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
    );
  if (typeof v !== "object") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(pyDumps).join(", ")}]`;
  return `{${Object.entries(v as Record<string, unknown>)
    .map(([k, x]) => `${pyDumps(k)}: ${pyDumps(x)}`)
    .join(", ")}}`;
}

/** Reorders an object's keys (loggers with sorted keys, field injection order, …). */
function shuffled(r: () => number, o: Record<string, unknown>): Record<string, unknown> {
  const keys = Object.keys(o);
  for (let i = keys.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [keys[i], keys[j]] = [keys[j]!, keys[i]!];
  }
  return Object.fromEntries(keys.map((k) => [k, o[k]]));
}

const USERS = ["ana", "bjørn", "chloé", "dmitri", "eve", "françois", "günther", "hana"];
const PATHS = ["/api/items", "/api/cart", "/api/orders", "/healthz", "/api/users/me", "/api/search"];
const METHODS = ["GET", "GET", "GET", "POST", "PUT", "DELETE"];

function pino(r: () => number, i: number, err: boolean): string {
  const base: Record<string, unknown> = {
    level: err ? (r() < 0.9 ? 50 : 60) : pick(r, [30, 30, 30, 20, 40]),
    time: 1_764_800_000_000 + i,
    pid: 7,
    hostname: `web-${i % 4}`,
    name: "api",
    req: { id: i, method: pick(r, METHODS), url: `${pick(r, PATHS)}/${i % 5000}` },
    res: { statusCode: err ? 500 : 200 },
    responseTime: i % 250,
    msg: err ? "request errored" : "request completed",
  };
  if (err) {
    const t = pick(r, ["TypeError", "RangeError", "DatabaseError"]);
    base.err = {
      type: t,
      message: `order ${i} failed for user ${i % 977}`,
      stack: `${t}: order ${i} failed for user ${i % 977}\n    at validate (/srv/app/src/orders/${t.toLowerCase()}.js:${i % 300}:11)\n    at async create (/srv/app/src/orders/service.js:88:5)\n    at async Layer.handle (/srv/app/node_modules/express/lib/router/layer.js:95:5)`,
    };
  }
  return JSON.stringify(r() < 0.2 ? shuffled(r, base) : base);
}

function structlog(r: () => number, i: number, err: boolean): string {
  const level = err
    ? pick(r, ["error", "ERROR", "critical", "Error"])
    : pick(r, ["info", "info", "debug", "warning", "INFO"]);
  const o: Record<string, unknown> = {
    event: err ? "payment failed" : `request handled for ${pick(r, USERS)}`,
    level,
    timestamp: iso(i),
    logger: "shop.views",
    path: pick(r, PATHS),
    status: err ? 500 : 200,
    duration_ms: Math.round(r() * 5000) / 100,
    request_id: hex(r, 16),
  };
  if (err) {
    const exc = pick(r, [
      "KeyError: 'sku'",
      "ValueError: invalid literal for int() with base 10: 'x'",
      "ZeroDivisionError: division by zero",
    ]);
    o.exception = `Traceback (most recent call last):\n  File "/srv/shop/views.py", line ${40 + (i % 7)}, in checkout\n    total = compute(cart)\n  File "/srv/shop/pricing.py", line 12, in compute\n    return cart["sku"] / cart["qty"]\n${exc}`;
  }
  return pyDumps(r() < 0.3 ? shuffled(r, o) : o);
}

function logback(r: () => number, i: number, err: boolean): string {
  const o: Record<string, unknown> = {
    "@timestamp": iso(i),
    "@version": "1",
    message: err ? "Unhandled exception in request" : `GET ${pick(r, PATHS)} 200 ${i % 90} ms`,
    logger_name: "com.acme.web.RequestLogger",
    thread_name: `http-nio-8080-exec-${i % 12}`,
    level: err ? "ERROR" : pick(r, ["INFO", "INFO", "DEBUG", "WARN"]),
    level_value: err ? 40000 : 20000,
    traceId: hex(r, 32),
  };
  if (err)
    o.stack_trace = `java.lang.IllegalStateException: cart ${i} has no items\n\tat com.acme.cart.CartService.checkout(CartService.java:${100 + (i % 50)})\n\tat com.acme.web.CartController.post(CartController.java:44)\n\tat org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:897)\n\tat java.base/java.lang.Thread.run(Thread.java:833)`;
  return JSON.stringify(o);
}

function zap(r: () => number, i: number, err: boolean): string {
  const o: Record<string, unknown> = {
    level: err ? pick(r, ["error", "dpanic", "fatal"]) : pick(r, ["info", "info", "debug", "warn"]),
    ts: 1_764_800_000 + i / 1000,
    caller: "server/handler.go:88",
    msg: err ? "request failed" : "request served",
    method: pick(r, METHODS),
    path: pick(r, PATHS),
    status: err ? 502 : 200,
    latency: Math.round(r() * 100000) / 1e6,
  };
  if (err) {
    o.error = `dial tcp 10.0.${i % 255}.4:5432: connect: connection refused`;
    o.stacktrace = `main.(*Server).handle\n\t/src/server/handler.go:88\nnet/http.HandlerFunc.ServeHTTP\n\t/usr/local/go/src/net/http/server.go:2166`;
  }
  return JSON.stringify(o);
}

function otel(r: () => number, i: number, err: boolean): string {
  const attrs: Record<string, unknown> = {
    "http.request.method": pick(r, METHODS),
    "url.path": pick(r, PATHS),
    "http.response.status_code": err ? 500 : 200,
  };
  if (err) {
    attrs["exception.type"] = "System.InvalidOperationException";
    attrs["exception.message"] = `Sequence contains no elements (order ${i})`;
    attrs["exception.stacktrace"] =
      `System.InvalidOperationException: Sequence contains no elements\n   at System.Linq.ThrowHelper.ThrowNoElementsException()\n   at Shop.Orders.OrderService.Get(Int32 id) in /src/Shop/Orders/OrderService.cs:line 42`;
  }
  const o: Record<string, unknown> = {
    timestamp: iso(i),
    severity_text: err ? pick(r, ["ERROR", "Error", "error"]) : pick(r, ["INFO", "Information", "DEBUG"]),
    severity_number: err ? 17 : 9,
    body: err ? "request failed" : `${attrs["http.request.method"]} ${attrs["url.path"]} 200`,
    resource: { "service.name": "orders", "service.version": "2.4.1" },
    attributes: attrs,
    trace_id: hex(r, 32),
    span_id: hex(r, 16),
  };
  // Some exporters spell it camelCase and with spaces.
  return r() < 0.3 ? pyDumps(shuffled(r, o)) : JSON.stringify(o);
}

export const SHAPES = { pino, structlog, logback, zap, otel } as const;
const ORDER = Object.values(SHAPES);

export const isErrorLine = (i: number) => i % ERROR_EVERY === 7;

/** Line `i` of the mixed stream: every 20th line is an error, and errors rotate through the shapes too. */
export function mixedLine(r: () => number, i: number): string {
  return ORDER[(i + Math.floor(i / ERROR_EVERY)) % ORDER.length]!(r, i, isErrorLine(i));
}
