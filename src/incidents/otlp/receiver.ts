import type { IncomingMessage, ServerResponse } from "node:http";
import { promisify } from "node:util";
import { gunzip as gunzipCb } from "node:zlib";
import type { Logger } from "../../logger.ts";
import type { Db } from "../../store/types.ts";
import type { IncidentEvent } from "../batch.ts";
import type { GroupingFor } from "../processor.ts";
import { defaultIncidentOptions } from "../schema.ts";
import { RecordRateLimiter, tokenMatcher } from "./auth.ts";
import { bodyHash, OtlpCommitter } from "./commit.ts";
import { decodeJson, decodeProtobuf, encodeResponse, encodeStatus } from "./decode.ts";
import { OtlpDecodeError, type OtlpRequest } from "./types.ts";

// POST /v1/logs, OTLP/HTTP (opentelemetry-proto docs/specification.md, "OTLP/HTTP"):
// - 200 only after the batch's counts are committed; rejected records → partial_success;
// - 400 (malformed body, with the reason), 401, 405, 413 (too large), 415 (content type/encoding);
// - 429 (this token's record rate) and 503 (store behind or unavailable) with Retry-After, which
//   OTel exporters honour before retrying the same bytes — and a retried body counts once (commit.ts).
// Nothing is accepted before it is decoded whole, so a bad request loses nothing already accepted.

const gunzip = promisify(gunzipCb);

export interface OtlpReceiverConfig {
  tokens: string[];
  maxBodyBytes: number;
  maxRecords: number;
  ratePerSecond: number;
  dedupeHours: number;
  /** Requests waiting for the store beyond this many get 503 (default 16). */
  maxQueue?: number;
}

export interface OtlpReceiverDeps {
  db: Db;
  log: Logger;
  config: OtlpReceiverConfig;
  groupingFor?: GroupingFor;
  /** False while per-repository grouping settings are still loading: 503, retry later. */
  ready?: () => boolean;
  onIncidentEvent?: (e: IncidentEvent) => void;
  now?: () => number;
}

type Kind = "protobuf" | "json";

class HttpFailure extends Error {
  readonly status: number;
  readonly retryAfter: number | undefined;
  constructor(status: number, message: string, retryAfter?: number) {
    super(message);
    this.status = status;
    this.retryAfter = retryAfter;
  }
}

/** Handles one request to /v1/logs (the caller routed it by path). */
export type OtlpHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export function createOtlpReceiver(d: OtlpReceiverDeps): OtlpHandler {
  const c = d.config;
  const match = tokenMatcher(c.tokens);
  const limiter = new RecordRateLimiter(c.ratePerSecond, Math.max(c.ratePerSecond, c.maxRecords), d.now);
  const committer = new OtlpCommitter({
    db: d.db,
    options: defaultIncidentOptions(),
    groupingFor: d.groupingFor,
    maxRecords: c.maxRecords,
    dedupeMs: c.dedupeHours * 3600_000,
    now: d.now,
  });
  const maxQueue = c.maxQueue ?? 16;
  let queued = 0;
  let tail: Promise<unknown> = Promise.resolve();
  // Commits run one at a time (one processor, and one writer is what SQLite allows anyway).
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const p = tail.then(fn, fn);
    tail = p.catch(() => {});
    return p;
  };

  return async (req, res) => {
    let kind: Kind = "json";
    try {
      if (req.method !== "POST") {
        res.setHeader("allow", "POST");
        throw new HttpFailure(405, "only POST is supported on /v1/logs");
      }
      // The answer's encoding follows the request's; checked strictly only after authentication.
      kind = /protobuf/i.test(String(req.headers["content-type"] ?? "").slice(0, 100)) ? "protobuf" : "json";
      const token = match(req.headers.authorization);
      if (token < 0) {
        res.setHeader("www-authenticate", 'Bearer realm="steward-otlp"');
        throw new HttpFailure(
          401,
          "missing or wrong bearer token (Authorization: Bearer <STEWARD_OTLP_TOKEN>)",
        );
      }
      kind = contentKind(req.headers["content-type"]);
      const body = await readBody(req, c.maxBodyBytes);
      const decompressed = await decompress(req.headers["content-encoding"], body, c.maxBodyBytes);
      const request = decode(kind, decompressed);
      const hash = bodyHash(kind, decompressed);
      const seen = await store(() => committer.seen(hash));
      if (seen) {
        d.log.info(
          { records: seen.records },
          "otlp batch already committed; answered from the dedupe record",
        );
        return reply(res, 200, kind, encodeResponse(kind, seen.rejected, seen.reason));
      }
      const rate = limiter.take(token, Math.min(request.recordCount, c.maxRecords));
      if (!rate.ok)
        throw new HttpFailure(
          429,
          `rate limit of ${c.ratePerSecond} log records per second for this token (STEWARD_OTLP_RATE)`,
          rate.retryAfterSeconds,
        );
      if (d.ready && !d.ready())
        throw new HttpFailure(503, "repository grouping settings are still loading", 5);
      if (queued >= maxQueue) throw new HttpFailure(503, "the incident store is behind; retry later", 1);
      queued++;
      let result: Awaited<ReturnType<OtlpCommitter["commit"]>>;
      try {
        result = await serial(() => store(() => committer.commit(hash, request)));
      } finally {
        queued--;
      }
      for (const e of result.events) d.onIncidentEvent?.(e);
      d.log.debug(
        {
          records: result.records,
          errors: result.errorRecords,
          rejected: result.rejected,
          duplicate: result.duplicate,
        },
        "otlp batch committed",
      );
      return reply(res, 200, kind, encodeResponse(kind, result.rejected, result.reason));
    } catch (err) {
      // The sender went away mid-body: nobody to answer, nothing was counted.
      if ((err as { code?: string }).code === "ECONNRESET") return;
      const f =
        err instanceof HttpFailure
          ? err
          : err instanceof OtlpDecodeError
            ? new HttpFailure(400, err.message)
            : new HttpFailure(500, "internal error");
      if (!(err instanceof HttpFailure) && !(err instanceof OtlpDecodeError))
        d.log.error({ err: (err as Error).message }, "otlp request failed");
      if (f.retryAfter !== undefined) res.setHeader("retry-after", String(f.retryAfter));
      if (f.status === 413) res.setHeader("connection", "close");
      reply(res, f.status, kind, encodeStatus(kind, grpcCode(f.status), f.message));
    }
  };
}

/** A store failure is the store being behind or away: 503, the exporter retries. */
async function store<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof HttpFailure) throw err;
    throw new HttpFailure(503, "the incident store is unavailable; retry later", 5);
  }
}

function contentKind(ct: string | undefined): Kind {
  const t = (ct ?? "").split(";")[0]!.trim().toLowerCase();
  if (t === "application/x-protobuf" || t === "application/protobuf") return "protobuf";
  if (t === "application/json") return "json";
  throw new HttpFailure(415, "Content-Type must be application/x-protobuf or application/json");
}

function decode(kind: Kind, body: Uint8Array): OtlpRequest {
  try {
    return kind === "protobuf" ? decodeProtobuf(body) : decodeJson(body);
  } catch (err) {
    if (err instanceof OtlpDecodeError) throw err;
    // A stack overflow on absurd nesting, or any other decoder failure: still the body's fault.
    throw new OtlpDecodeError(`undecodable ${kind} body: ${(err as Error).message}`);
  }
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? -1);
  if (declared > limit) {
    req.resume();
    throw new HttpFailure(413, `body larger than ${limit} bytes (STEWARD_OTLP_MAX_BODY_BYTES)`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      req.resume();
      throw new HttpFailure(413, `body larger than ${limit} bytes (STEWARD_OTLP_MAX_BODY_BYTES)`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, size);
}

async function decompress(encoding: string | undefined, body: Buffer, limit: number): Promise<Buffer> {
  const e = (encoding ?? "identity").trim().toLowerCase();
  if (e === "identity" || e === "") return body;
  if (e !== "gzip") throw new HttpFailure(415, "Content-Encoding must be gzip or absent");
  try {
    return await gunzip(body, { maxOutputLength: limit });
  } catch (err) {
    if ((err as { code?: string }).code === "ERR_BUFFER_TOO_LARGE")
      throw new HttpFailure(
        413,
        `decompressed body larger than ${limit} bytes (STEWARD_OTLP_MAX_BODY_BYTES)`,
      );
    throw new OtlpDecodeError(`malformed gzip body: ${(err as Error).message}`);
  }
}

// google.rpc.Code for the Status body.
function grpcCode(status: number): number {
  if (status === 400) return 3; // INVALID_ARGUMENT
  if (status === 401) return 16; // UNAUTHENTICATED
  if (status === 413) return 8; // RESOURCE_EXHAUSTED
  if (status === 429) return 8;
  if (status === 503) return 14; // UNAVAILABLE
  if (status === 405 || status === 415) return 12; // UNIMPLEMENTED
  return 13; // INTERNAL
}

function reply(res: ServerResponse, status: number, kind: Kind, body: Uint8Array | string): void {
  const buf =
    typeof body === "string" ? Buffer.from(body) : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  res.writeHead(status, {
    "content-type": kind === "protobuf" ? "application/x-protobuf" : "application/json",
    "content-length": buf.length,
  });
  res.end(buf);
}
