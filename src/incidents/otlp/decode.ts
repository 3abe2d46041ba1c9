import { join } from "node:path";
import protobuf from "protobufjs";
import { parseJsonRequest } from "./json.ts";
import {
  MAX_VALUE_DEPTH,
  OtlpDecodeError,
  type OtlpLogRecord,
  type OtlpRequest,
  type OtlpResourceLogs,
} from "./types.ts";

export { OtlpDecodeError, type OtlpLogRecord, type OtlpRequest } from "./types.ts";

// Decodes an OTLP/HTTP logs export request (ExportLogsServiceRequest) into one plain shape, from
// either encoding. Protobuf goes through protobufjs with OpenTelemetry's own .proto files (vendored
// in ./proto, loaded by reflection); JSON through json.ts (the OTLP/JSON mapping: lowerCamelCase
// keys, hex trace/span ids, 64-bit integers as decimal strings, enums as integers).

const root = new protobuf.Root();
const PROTO_DIR = join(import.meta.dirname, "proto");
root.resolvePath = (_origin, target) => join(PROTO_DIR, target);
root.loadSync("opentelemetry/proto/collector/logs/v1/logs_service.proto");
root.resolveAll();

export const ExportLogsServiceRequest = root.lookupType(
  "opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest",
);
export const ExportLogsServiceResponse = root.lookupType(
  "opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse",
);

// google.rpc.Status (code = 1, message = 2, details = 3): OTLP/HTTP answers 4xx/5xx with it. Only the
// two scalar fields are declared; `details` is never sent.
export const RpcStatus = new protobuf.Type("Status")
  .add(new protobuf.Field("code", 1, "int32"))
  .add(new protobuf.Field("message", 2, "string"));
new protobuf.Root().define("google.rpc").add(RpcStatus);

type Msg = Record<string, unknown>;

const hex = (b: unknown) => (b instanceof Uint8Array && b.length ? Buffer.from(b).toString("hex") : "");
const u64 = (v: unknown) => (v === undefined || v === null ? "0" : String(v));

function anyValue(v: Msg | null | undefined, depth: number): unknown {
  if (!v) return null;
  if (depth > MAX_VALUE_DEPTH) return "[…]";
  switch (v.value as string | undefined) {
    case "stringValue":
      return v.stringValue;
    case "boolValue":
      return v.boolValue;
    case "intValue": {
      const s = String(v.intValue);
      const n = Number(s);
      return Number.isSafeInteger(n) ? n : s;
    }
    case "doubleValue":
      return v.doubleValue;
    case "bytesValue":
      return Buffer.from(v.bytesValue as Uint8Array).toString("base64");
    case "arrayValue":
      return (((v.arrayValue as Msg).values as Msg[]) ?? []).map((x) => anyValue(x, depth + 1));
    case "kvlistValue":
      return keyValues(((v.kvlistValue as Msg).values as Msg[]) ?? [], depth + 1);
    default:
      return null;
  }
}

function keyValues(list: Msg[], depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null);
  for (const kv of list) out[kv.key as string] = anyValue(kv.value as Msg | null, depth);
  return out;
}

/** Decodes a protobuf ExportLogsServiceRequest; truncated or malformed bytes throw OtlpDecodeError. */
export function decodeProtobuf(body: Uint8Array): OtlpRequest {
  let msg: Msg;
  try {
    msg = ExportLogsServiceRequest.decode(body) as unknown as Msg;
  } catch (err) {
    // protobufjs says e.g. "index out of range: 93 + 10 > 100" or "invalid wire type 7 at offset 3".
    throw new OtlpDecodeError(`malformed protobuf ExportLogsServiceRequest: ${(err as Error).message}`);
  }
  const resources: OtlpResourceLogs[] = [];
  let recordCount = 0;
  for (const rl of (msg.resourceLogs as Msg[]) ?? []) {
    const res = rl.resource as Msg | null;
    const records: OtlpLogRecord[] = [];
    for (const sl of (rl.scopeLogs as Msg[]) ?? []) {
      for (const r of (sl.logRecords as Msg[]) ?? []) {
        records.push({
          timeUnixNano: u64(r.timeUnixNano),
          observedTimeUnixNano: u64(r.observedTimeUnixNano),
          severityNumber: Number(r.severityNumber ?? 0),
          severityText: String(r.severityText ?? ""),
          body: anyValue(r.body as Msg | null, 0),
          attributes: keyValues((r.attributes as Msg[]) ?? [], 0),
          traceId: hex(r.traceId),
          spanId: hex(r.spanId),
          eventName: String(r.eventName ?? ""),
        });
      }
    }
    recordCount += records.length;
    resources.push({ resource: keyValues((res?.attributes as Msg[]) ?? [], 0), records });
  }
  return { resources, recordCount };
}

/** Decodes an OTLP/JSON request body (UTF-8 text). */
export function decodeJson(body: Uint8Array): OtlpRequest {
  return parseJsonRequest(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8"));
}

/** The ExportLogsServiceResponse body, in the request's encoding. */
export function encodeResponse(
  kind: "protobuf" | "json",
  rejected: number,
  errorMessage: string,
): Uint8Array | string {
  const partial = rejected > 0 || errorMessage !== "";
  if (kind === "json")
    return JSON.stringify(
      partial ? { partialSuccess: { rejectedLogRecords: String(rejected), errorMessage } } : {},
    );
  const msg = ExportLogsServiceResponse.fromObject(
    partial ? { partialSuccess: { rejectedLogRecords: rejected, errorMessage } } : {},
  );
  return ExportLogsServiceResponse.encode(msg).finish();
}

/** A google.rpc.Status body for a 4xx/5xx answer, in the request's encoding. */
export function encodeStatus(kind: "protobuf" | "json", code: number, message: string): Uint8Array | string {
  if (kind === "json") return JSON.stringify({ code, message });
  return RpcStatus.encode(RpcStatus.fromObject({ code, message })).finish();
}
