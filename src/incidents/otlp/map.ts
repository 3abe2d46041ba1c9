import { LEVEL_WORDS } from "../normalize.ts";
import type { OtlpLogRecord } from "./types.ts";

// OTLP log record → the flat JSON record the file pipeline normalises (normalize.ts already reads
// the OTel names: severity_number / severity_text, time_unix_nano, body, attributes.exception.*,
// trace_id, service.name, service.version), so both intakes fingerprint the same error the same way.

/** OTel SeverityNumber ERROR is 17 (ERROR..ERROR4 17–20, FATAL..FATAL4 21–24). */
export const SEVERITY_ERROR = 17;

const EXCEPTION_KEYS = ["exception.type", "exception.message", "exception.stacktrace"] as const;

/**
 * The OTLP mapping of "is an error": severity ERROR or above (the text decides only when the number
 * is unset), or any of the semantic-convention exception attributes.
 */
export function isOtlpError(r: OtlpLogRecord): boolean {
  if (r.severityNumber >= SEVERITY_ERROR) return true;
  if (r.severityNumber === 0 && r.severityText) {
    const w = r.severityText.toLowerCase();
    if (Object.hasOwn(LEVEL_WORDS, w)) {
      const l = LEVEL_WORDS[w];
      if (l === "error" || l === "fatal") return true;
    }
  }
  for (const k of EXCEPTION_KEYS) {
    const v = Object.hasOwn(r.attributes, k) ? r.attributes[k] : undefined;
    if (typeof v === "string" && v !== "") return true;
  }
  return false;
}

function levelOf(n: number): string {
  if (n >= 21) return "fatal";
  if (n >= SEVERITY_ERROR) return "error";
  if (n >= 13) return "warn";
  if (n >= 9) return "info";
  return n >= 5 ? "debug" : "trace";
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/** The resource's service name (service.name; OTel SDKs default it to `unknown_service:<process>`). */
export function serviceName(resource: Record<string, unknown>): string | null {
  return str(Object.hasOwn(resource, "service.name") ? resource["service.name"] : undefined) ?? null;
}

/** The flat record normalize.ts reads; it is also what the incident's sample shows. */
export function toLogRecord(resource: Record<string, unknown>, r: OtlpLogRecord): Record<string, unknown> {
  const rec: Record<string, unknown> = {};
  const service = serviceName(resource);
  if (service) rec["service.name"] = service;
  const version = str(Object.hasOwn(resource, "service.version") ? resource["service.version"] : undefined);
  if (version) rec["service.version"] = version;
  // The number is the normative severity; `level` carries it so a free-form severity_text ("E",
  // "Err") cannot outrank it in normalize.ts's alias order.
  if (r.severityNumber) {
    rec.level = levelOf(r.severityNumber);
    rec.severity_number = r.severityNumber;
  }
  if (r.severityText) rec.severity_text = r.severityText;
  const t = r.timeUnixNano !== "0" ? r.timeUnixNano : r.observedTimeUnixNano;
  if (t !== "0") rec.time_unix_nano = t;
  if (r.body !== null && r.body !== undefined) rec.body = r.body;
  if (r.eventName) rec.event_name = r.eventName;
  if (r.traceId) rec.trace_id = r.traceId;
  if (r.spanId) rec.span_id = r.spanId;
  rec.attributes = r.attributes;
  rec.resource = resource;
  return rec;
}
