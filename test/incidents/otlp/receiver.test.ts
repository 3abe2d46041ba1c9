import { createServer, type Server } from "node:http";
import { execFile } from "node:child_process";
import { gzipSync } from "node:zlib";
import { JsonLogsSerializer, ProtobufLogsSerializer } from "@opentelemetry/otlp-transformer";
import { SeverityNumber } from "@opentelemetry/api-logs";
import fc from "fast-check";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ExportLogsServiceResponse, RpcStatus } from "../../../src/incidents/otlp/decode.ts";
import { createOtlpReceiver, type OtlpReceiverConfig } from "../../../src/incidents/otlp/receiver.ts";
import { PG_URL, pgTestDb, sqliteTestDb, type TestDb } from "../../helpers/db.ts";
import { appError, capture } from "./sdk.ts";

const TOKEN = "otlp-test-token";
const base: OtlpReceiverConfig = {
  tokens: [TOKEN, "second-token"],
  maxBodyBytes: 256 * 1024,
  maxRecords: 1000,
  ratePerSecond: 1_000_000,
  dedupeHours: 24,
};

async function serve(
  t: TestDb,
  config: Partial<OtlpReceiverConfig> = {},
): Promise<{ url: string; server: Server }> {
  const h = createOtlpReceiver({ db: t.db, log: pino({ level: "silent" }), config: { ...base, ...config } });
  const server = createServer((req, res) => void h(req, res));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const addr = server.address();
  return { url: `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}/v1/logs`, server };
}

/** Request bodies built by the OpenTelemetry SDK's own serializers from real SDK log records. */
function sdkBodies(
  service: string,
  emit: (l: ReturnType<ReturnType<typeof capture>["provider"]["getLogger"]>) => void,
) {
  const { provider, memory } = capture(service);
  emit(provider.getLogger("test"));
  const records = memory.getFinishedLogRecords();
  return {
    protobuf: Buffer.from(ProtobufLogsSerializer.serializeRequest(records)!),
    json: Buffer.from(JsonLogsSerializer.serializeRequest(records)!),
    count: records.length,
  };
}

function exceptions(n: number, type = "TypeError") {
  return (l: { emit: (r: object) => void }) => {
    for (let i = 0; i < n; i++) {
      const e = appError(type, `cart ${i} is empty`, "checkout", "cart.js");
      l.emit({
        severityNumber: SeverityNumber.ERROR,
        body: e.message,
        attributes: {
          "exception.type": e.name,
          "exception.message": e.message,
          "exception.stacktrace": e.stack!,
        },
      });
    }
    l.emit({ severityNumber: SeverityNumber.INFO, body: "fine" });
  };
}

async function post(url: string, body: Uint8Array | string, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/x-protobuf", ...headers },
    body,
  });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

/**
 * A raw HTTP/1.1 POST from a child process: nock (test/setup.ts) intercepts sockets in this process
 * and would try to inflate a gzip body itself. The client never half-closes: Node's server would
 * abort a request whose client sent FIN before the answer was written.
 */
async function rawPost(url: string, body: Buffer, encoding: string): Promise<string> {
  const u = new URL(url);
  const head = `POST ${u.pathname} HTTP/1.1\r\nHost: ${u.host}\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/x-protobuf\r\nContent-Encoding: ${encoding}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
  const script = `const s=require("node:net").connect(${Number(u.port)},"${u.hostname}",()=>{s.write(${JSON.stringify(head)});s.write(Buffer.from("${body.toString("base64")}","base64"))});let o="";s.on("data",d=>o+=d.toString("latin1"));s.on("end",()=>process.stdout.write(o));`;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ["-e", script], (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });
}

async function counts(t: TestDb) {
  return t.db.query<{ service: string; exception_type: string; count: number }>(
    "SELECT service, exception_type, count FROM incidents ORDER BY service, exception_type",
  );
}

describe("OTLP/HTTP logs receiver", () => {
  let t: TestDb;
  let server: Server | undefined;
  beforeEach(async () => {
    t = await sqliteTestDb();
  });
  afterEach(async () => {
    server?.closeAllConnections();
    server?.close();
    await t.cleanup();
  });

  it("counts SDK-serialised protobuf, JSON and gzip bodies; a retried body counts once", async () => {
    const s = await serve(t);
    server = s.server;
    const a = sdkBodies("cart", exceptions(4));
    const r1 = await post(s.url, a.protobuf);
    expect(r1.status).toBe(200);
    expect(r1.headers.get("content-type")).toBe("application/x-protobuf");
    expect(ExportLogsServiceResponse.toObject(ExportLogsServiceResponse.decode(r1.body))).toEqual({});
    const b = sdkBodies("billing", exceptions(3, "DbError"));
    const r2 = await post(s.url, gzipSync(b.json), {
      "content-type": "application/json",
      "content-encoding": "gzip",
    });
    expect(r2.status).toBe(200);
    expect(JSON.parse(r2.body.toString())).toEqual({});
    // The exporter retries with the same bytes when an answer is lost: no double count.
    expect((await post(s.url, a.protobuf)).status).toBe(200);
    expect(
      (
        await post(s.url, gzipSync(b.json), {
          "content-type": "application/json",
          "content-encoding": "gzip",
        })
      ).status,
    ).toBe(200);
    expect(await counts(t)).toEqual([
      { service: "billing", exception_type: "DbError", count: 3 },
      { service: "cart", exception_type: "TypeError", count: 4 },
    ]);
    const batches = await t.db.query(
      "SELECT records, error_records, rejected FROM otlp_batches ORDER BY received_at",
    );
    expect(batches).toEqual([
      { records: 5, error_records: 4, rejected: 0 },
      { records: 4, error_records: 3, rejected: 0 },
    ]);
  });

  it("maps OTLP/JSON (hex ids, int64 strings, enum ints) and severity/exception attributes", async () => {
    const s = await serve(t);
    server = s.server;
    const body = {
      resourceLogs: [
        {
          resource: {
            attributes: [
              { key: "service.name", value: { stringValue: "orders" } },
              { key: "service.version", value: { stringValue: "2.4.1" } },
            ],
          },
          scopeLogs: [
            {
              scope: { name: "orders" },
              logRecords: [
                {
                  timeUnixNano: "1700000000123456789",
                  severityNumber: 17,
                  severityText: "ERROR",
                  body: { stringValue: "payment 4411 declined" },
                  traceId: "5B8EFFF798038103D269B633813FC60C",
                  spanId: "EEE19B7EC3C1B174",
                  attributes: [{ key: "http.response.status_code", value: { intValue: "502" } }],
                },
                // WARN, but it carries an exception: an error record.
                {
                  timeUnixNano: "1700000000223456789",
                  severityNumber: 13,
                  attributes: [
                    { key: "exception.type", value: { stringValue: "KeyError" } },
                    { key: "exception.message", value: { stringValue: "'sku'" } },
                  ],
                },
                { timeUnixNano: "1700000000323456789", severityNumber: 9, body: { stringValue: "ok" } },
                // No number; the text says ERROR.
                { severityText: "error", body: { stringValue: "payment 5512 declined" } },
              ],
            },
          ],
        },
      ],
    };
    const r = await post(s.url, JSON.stringify(body), { "content-type": "application/json" });
    expect(r.status).toBe(200);
    const rows = await t.db.query<{
      count: number;
      exception_type: string | null;
      title: string;
      last_release: string;
      first_seen: number;
      sample: string;
    }>(
      "SELECT count, exception_type, title, last_release, first_seen, sample FROM incidents ORDER BY count DESC",
    );
    expect(rows.map((x) => [x.title, Number(x.count), x.last_release])).toEqual([
      ["payment 4411 declined", 2, "2.4.1"],
      ["KeyError: 'sku'", 1, "2.4.1"],
    ]);
    expect(Number(rows[0]!.first_seen)).toBe(1700000000123);
    const sample = JSON.parse(rows[0]!.sample);
    expect(sample).toMatchObject({
      traceId: "5b8efff798038103d269b633813fc60c",
      status: 502,
      level: "error",
    });
  });

  it("rejects records over the per-request limit with partial_success, and keeps the rest", async () => {
    const s = await serve(t, { maxRecords: 3 });
    server = s.server;
    const a = sdkBodies("cart", exceptions(5));
    const r = await post(s.url, a.protobuf);
    expect(r.status).toBe(200);
    const resp = ExportLogsServiceResponse.toObject(ExportLogsServiceResponse.decode(r.body), {
      longs: Number,
    });
    expect(resp).toEqual({
      partialSuccess: {
        rejectedLogRecords: 3,
        errorMessage:
          "3 log records over the limit of 3 per request (STEWARD_OTLP_MAX_RECORDS); send smaller batches",
      },
    });
    expect(await counts(t)).toEqual([{ service: "cart", exception_type: "TypeError", count: 3 }]);
  });

  it("answers 401 / 405 / 413 / 415 / 400 with a Status body, and counts nothing from such requests", async () => {
    const s = await serve(t, { maxBodyBytes: 2048 });
    server = s.server;
    const good = sdkBodies("cart", exceptions(1));
    const status = (b: Buffer) => RpcStatus.toObject(RpcStatus.decode(b));
    const noAuth = await fetch(s.url, {
      method: "POST",
      headers: { "content-type": "application/x-protobuf" },
      body: good.protobuf,
    });
    expect(noAuth.status).toBe(401);
    expect(noAuth.headers.get("www-authenticate")).toContain("Bearer");
    expect((await post(s.url, good.protobuf, { authorization: `Bearer ${TOKEN}x` })).status).toBe(401);
    expect((await post(s.url, good.protobuf, { authorization: "Bearer second-token" })).status).toBe(200);
    expect((await fetch(s.url, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(405);
    const tooBig = await post(s.url, Buffer.alloc(4096, 1));
    expect(tooBig.status).toBe(413);
    expect(status(tooBig.body).message).toContain("STEWARD_OTLP_MAX_BODY_BYTES");
    // A gzip bomb: small on the wire, over the limit once inflated.
    const bomb = await post(s.url, gzipSync(Buffer.alloc(64 * 1024)), { "content-encoding": "gzip" });
    expect(bomb.status).toBe(413);
    expect((await post(s.url, good.protobuf, { "content-type": "text/plain" })).status).toBe(415);
    expect(await rawPost(s.url, good.protobuf, "br")).toMatch(/^HTTP\/1\.1 415 /);
    const trunc = await post(s.url, good.protobuf.subarray(0, good.protobuf.length - 7));
    expect(trunc.status).toBe(400);
    expect(status(trunc.body)).toMatchObject({ code: 3 });
    expect(status(trunc.body).message).toMatch(/^malformed protobuf ExportLogsServiceRequest: /);
    const badJson = await post(s.url, '{"resourceLogs": [', { "content-type": "application/json" });
    expect(badJson.status).toBe(400);
    expect(JSON.parse(badJson.body.toString()).message).toMatch(/^malformed JSON/);
    const badId = await post(
      s.url,
      JSON.stringify({
        resourceLogs: [{ scopeLogs: [{ logRecords: [{ severityNumber: 17, traceId: "xyz" }] }] }],
      }),
      { "content-type": "application/json" },
    );
    expect(badId.status).toBe(400);
    expect(JSON.parse(badId.body.toString()).message).toBe(
      "invalid OTLP/JSON at resourceLogs[0].scopeLogs[0].logRecords[0].traceId: expected 32 hex characters",
    );
    const badGzip = await rawPost(s.url, Buffer.from("not gzip at all"), "gzip");
    expect(badGzip).toMatch(/^HTTP\/1\.1 400 /);
    expect(await counts(t)).toEqual([{ service: "cart", exception_type: "TypeError", count: 1 }]);
  });

  it("429 with Retry-After when a token exceeds its record rate; the other token is unaffected", async () => {
    const s = await serve(t, { ratePerSecond: 5, maxRecords: 5 });
    server = s.server;
    const a = sdkBodies("cart", exceptions(4)); // 5 records
    expect((await post(s.url, a.protobuf)).status).toBe(200);
    const b = sdkBodies("cart", exceptions(2, "RangeError"));
    const limited = await post(s.url, b.protobuf);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect((await post(s.url, b.protobuf, { authorization: "Bearer second-token" })).status).toBe(200);
    expect(await counts(t)).toEqual([
      { service: "cart", exception_type: "RangeError", count: 2 },
      { service: "cart", exception_type: "TypeError", count: 4 },
    ]);
  });

  it("503 with Retry-After 1 when more requests wait for the store than the queue holds", async () => {
    const s = await serve(t, { maxQueue: 2 });
    server = s.server;
    // Hold the store: an open write transaction on the SQLite file makes commits wait.
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    const blocker = t.db.tx(async (tx) => {
      await tx.exec(
        "INSERT INTO kv (namespace, key, value, expires_at, updated_at) VALUES ('t', 'otlp-test-hold', '1', NULL, 0)",
      );
      await held;
    });
    const bodies = [1, 2, 3, 4].map((n) => sdkBodies(`svc-${n}`, exceptions(1)).protobuf);
    const pending = bodies.map((b) => post(s.url, b));
    // All four connected (their small bodies follow at once), then a margin for them to be read.
    for (let open = 0; open < 4; ) {
      await new Promise((r) => setTimeout(r, 20));
      open = await new Promise<number>((r) => s.server.getConnections((_e, n) => r(n)));
    }
    await new Promise((r) => setTimeout(r, 300));
    release();
    await blocker;
    const answers = await Promise.all(pending);
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([200, 200, 503, 503]);
    for (const a of answers.filter((x) => x.status === 503)) expect(a.headers.get("retry-after")).toBe("1");
    // Exactly the two accepted batches were counted.
    expect((await counts(t)).length).toBe(2);
  });

  it("503 with Retry-After when the store is unavailable", async () => {
    const s = await serve(t);
    server = s.server;
    const a = sdkBodies("cart", exceptions(1));
    await t.db.close();
    const r = await post(s.url, a.protobuf);
    expect(r.status).toBe(503);
    expect(r.headers.get("retry-after")).toBe("5");
    t = await sqliteTestDb(); // afterEach closes this one
  });

  it("fuzz: random, mutated and truncated bodies are answered 200 or 400, never lose accepted counts", async () => {
    const s = await serve(t, { ratePerSecond: 1_000_000_000, maxRecords: 1_000_000 });
    server = s.server;
    const good = sdkBodies("cart", exceptions(3));
    expect((await post(s.url, good.protobuf)).status).toBe(200);
    const before = await counts(t);
    const protoCase = fc.oneof(
      fc.uint8Array({ maxLength: 600 }),
      fc.nat({ max: good.protobuf.length - 1 }).map((n) => good.protobuf.subarray(0, n)),
      fc.tuple(fc.nat({ max: good.protobuf.length - 1 }), fc.integer({ min: 0, max: 255 })).map(([i, v]) => {
        const b = Buffer.from(good.protobuf);
        b[i] = v;
        return b;
      }),
    );
    const jsonText = good.json.toString();
    const jsonCase = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.json({ maxDepth: 6 }),
      fc.nat({ max: jsonText.length - 1 }).map((n) => jsonText.slice(0, n)),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          protoCase.map((b) => ["p", b] as const),
          jsonCase.map((j) => ["j", j] as const),
        ),
        async ([k, body]) => {
          const r = await post(s.url, body, {
            "content-type": k === "p" ? "application/x-protobuf" : "application/json",
          });
          expect([200, 400]).toContain(r.status);
          if (r.status === 400) expect(r.body.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 300 },
    );
    // Whatever the fuzz did, the counts from the accepted batch are intact (it only ever adds).
    const after = await counts(t);
    const cart = after.find((r) => r.service === "cart" && r.exception_type === "TypeError");
    expect(Number(cart?.count)).toBeGreaterThanOrEqual(Number(before[0]!.count));
    // And the receiver still works: a fresh batch counts exactly.
    const fresh = sdkBodies("after-fuzz", exceptions(2, "LateError"));
    expect((await post(s.url, fresh.protobuf)).status).toBe(200);
    expect((await counts(t)).filter((r) => r.service === "after-fuzz")).toEqual([
      { service: "after-fuzz", exception_type: "LateError", count: 2 },
    ]);
  }, 60_000);
});

// The dedupe row and the counts share one transaction on Postgres too (many replicas, one store):
// two replicas receiving the same retried body concurrently count it once.
describe.skipIf(!PG_URL)("OTLP/HTTP logs receiver on Postgres", () => {
  let t: TestDb;
  const servers: Server[] = [];
  beforeEach(async () => {
    t = await pgTestDb();
  });
  afterEach(async () => {
    for (const s of servers) {
      s.closeAllConnections();
      s.close();
    }
    await t.cleanup();
  });

  it("two receivers (replicas) given the same body at once count it once", async () => {
    const a = await serve(t);
    const b = await serve(t);
    servers.push(a.server, b.server);
    const body = sdkBodies("cart", exceptions(6)).protobuf;
    const answers = await Promise.all([
      post(a.url, body),
      post(b.url, body),
      post(a.url, body),
      post(b.url, body),
    ]);
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(await counts(t)).toEqual([{ service: "cart", exception_type: "TypeError", count: 6 }]);
    expect(await t.db.query("SELECT records, error_records FROM otlp_batches")).toEqual([
      { records: 7, error_records: 6 },
    ]);
  });
});
