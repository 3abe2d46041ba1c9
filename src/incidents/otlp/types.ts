// The decoded form of an OTLP logs export request, shared by both encodings.

export interface OtlpLogRecord {
  /** Decimal nanoseconds since the epoch; "0" when unset. */
  timeUnixNano: string;
  observedTimeUnixNano: string;
  severityNumber: number;
  severityText: string;
  /** The AnyValue body as a plain value (string, number, boolean, array, object) or null. */
  body: unknown;
  /** Attribute key → plain value; a null-prototype object (keys come from the sender). */
  attributes: Record<string, unknown>;
  /** Lower-case hex, "" when unset. */
  traceId: string;
  spanId: string;
  eventName: string;
}

export interface OtlpResourceLogs {
  /** Resource attributes (service.name, service.version, deployment.environment.name, …). */
  resource: Record<string, unknown>;
  records: OtlpLogRecord[];
}

export interface OtlpRequest {
  resources: OtlpResourceLogs[];
  recordCount: number;
}

export class OtlpDecodeError extends Error {}

/** Deeper AnyValue nesting is cut (a body or attribute is only ever rendered into a sample). */
export const MAX_VALUE_DEPTH = 32;
