import {
  MAX_VALUE_DEPTH,
  OtlpDecodeError,
  type OtlpLogRecord,
  type OtlpRequest,
  type OtlpResourceLogs,
} from "./types.ts";

// The OTLP/JSON mapping of ExportLogsServiceRequest (opentelemetry-proto docs/specification.md,
// "JSON Protobuf Encoding"): lowerCamelCase keys, trace/span ids as hex (not base64), 64-bit
// integers as decimal strings (numbers accepted too), enums as integers. Unknown fields are
// ignored, as the specification requires. A value of the wrong type is an error naming its path.

type Obj = Record<string, unknown>;

function fail(path: string, expected: string): never {
  throw new OtlpDecodeError(`invalid OTLP/JSON at ${path}: expected ${expected}`);
}

function object(v: unknown, path: string): Obj | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== "object" || Array.isArray(v)) fail(path, "an object");
  return v as Obj;
}

function array(v: unknown, path: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) fail(path, "an array");
  return v;
}

function string(v: unknown, path: string): string {
  if (v === undefined || v === null) return "";
  if (typeof v !== "string") fail(path, "a string");
  return v;
}

const DIGITS = /^\d{1,20}$/;

function uint64(v: unknown, path: string): string {
  if (v === undefined || v === null) return "0";
  if (typeof v === "string" && DIGITS.test(v)) return v.replace(/^0+(?=\d)/, "");
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return String(v);
  return fail(path, "a non-negative 64-bit integer (a decimal string)");
}

const SEVERITY_NAMES = [
  "UNSPECIFIED",
  "TRACE",
  "TRACE2",
  "TRACE3",
  "TRACE4",
  "DEBUG",
  "DEBUG2",
  "DEBUG3",
  "DEBUG4",
  "INFO",
  "INFO2",
  "INFO3",
  "INFO4",
  "WARN",
  "WARN2",
  "WARN3",
  "WARN4",
  "ERROR",
  "ERROR2",
  "ERROR3",
  "ERROR4",
  "FATAL",
  "FATAL2",
  "FATAL3",
  "FATAL4",
].map((n) => `SEVERITY_NUMBER_${n}`);

function severity(v: unknown, path: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 24) return v;
  // The protobuf JSON mapping also allows the enum's name.
  if (typeof v === "string") {
    const i = SEVERITY_NAMES.indexOf(v);
    if (i >= 0) return i;
  }
  return fail(path, "a SeverityNumber (an integer 0–24)");
}

function id(v: unknown, bytes: number, path: string): string {
  const s = string(v, path);
  if (s === "") return "";
  if (s.length !== bytes * 2 || !/^[0-9a-fA-F]+$/.test(s)) fail(path, `${bytes * 2} hex characters`);
  return s.toLowerCase();
}

function anyValue(v: unknown, path: string, depth: number): unknown {
  const o = object(v, path);
  if (!o) return null;
  if (depth > MAX_VALUE_DEPTH) return "[…]";
  if (o.stringValue !== undefined) return string(o.stringValue, `${path}.stringValue`);
  if (o.boolValue !== undefined) {
    if (typeof o.boolValue !== "boolean") fail(`${path}.boolValue`, "a boolean");
    return o.boolValue;
  }
  if (o.intValue !== undefined) {
    const iv = o.intValue;
    if (typeof iv === "number" && Number.isSafeInteger(iv)) return iv;
    if (typeof iv !== "string" || !/^-?\d{1,20}$/.test(iv)) fail(`${path}.intValue`, "a 64-bit integer");
    const n = Number(iv);
    return Number.isSafeInteger(n) ? n : iv;
  }
  if (o.doubleValue !== undefined) {
    const d = o.doubleValue;
    if (typeof d === "number") return d;
    if (d === "NaN" || d === "Infinity" || d === "-Infinity") return d;
    fail(`${path}.doubleValue`, "a number");
  }
  if (o.arrayValue !== undefined) {
    const a = object(o.arrayValue, `${path}.arrayValue`);
    return array(a?.values, `${path}.arrayValue.values`).map((x, i) =>
      anyValue(x, `${path}.arrayValue.values[${i}]`, depth + 1),
    );
  }
  if (o.kvlistValue !== undefined) {
    const kv = object(o.kvlistValue, `${path}.kvlistValue`);
    return keyValues(kv?.values, `${path}.kvlistValue.values`, depth + 1);
  }
  if (o.bytesValue !== undefined) return string(o.bytesValue, `${path}.bytesValue`);
  return null;
}

function keyValues(v: unknown, path: string, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null);
  const list = array(v, path);
  for (let i = 0; i < list.length; i++) {
    const kv = object(list[i], `${path}[${i}]`);
    if (!kv) continue;
    out[string(kv.key, `${path}[${i}].key`)] = anyValue(kv.value, `${path}[${i}].value`, depth);
  }
  return out;
}

function logRecord(v: unknown, path: string): OtlpLogRecord {
  const r = object(v, path) ?? {};
  return {
    timeUnixNano: uint64(r.timeUnixNano, `${path}.timeUnixNano`),
    observedTimeUnixNano: uint64(r.observedTimeUnixNano, `${path}.observedTimeUnixNano`),
    severityNumber: severity(r.severityNumber, `${path}.severityNumber`),
    severityText: string(r.severityText, `${path}.severityText`),
    body: anyValue(r.body, `${path}.body`, 0),
    attributes: keyValues(r.attributes, `${path}.attributes`, 0),
    traceId: id(r.traceId, 16, `${path}.traceId`),
    spanId: id(r.spanId, 8, `${path}.spanId`),
    eventName: string(r.eventName, `${path}.eventName`),
  };
}

export function parseJsonRequest(text: string): OtlpRequest {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new OtlpDecodeError(`malformed JSON: ${(err as Error).message}`);
  }
  const top = object(doc, "(root)");
  if (!top) fail("(root)", "an ExportLogsServiceRequest object");
  const resources: OtlpResourceLogs[] = [];
  let recordCount = 0;
  const rls = array(top.resourceLogs, "resourceLogs");
  for (let i = 0; i < rls.length; i++) {
    const p = `resourceLogs[${i}]`;
    const rl = object(rls[i], p) ?? {};
    const res = object(rl.resource, `${p}.resource`);
    const records: OtlpLogRecord[] = [];
    const sls = array(rl.scopeLogs, `${p}.scopeLogs`);
    for (let j = 0; j < sls.length; j++) {
      const sp = `${p}.scopeLogs[${j}]`;
      const sl = object(sls[j], sp) ?? {};
      const lrs = array(sl.logRecords, `${sp}.logRecords`);
      for (let k = 0; k < lrs.length; k++) records.push(logRecord(lrs[k], `${sp}.logRecords[${k}]`));
    }
    recordCount += records.length;
    resources.push({ resource: keyValues(res?.attributes, `${p}.resource.attributes`, 0), records });
  }
  return { resources, recordCount };
}
