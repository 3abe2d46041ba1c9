import { SeverityNumber } from "@opentelemetry/api-logs";
import { OTLPLogExporter as JsonExporter } from "@opentelemetry/exporter-logs-otlp-http";
import { OTLPLogExporter as ProtoExporter } from "@opentelemetry/exporter-logs-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  BatchLogRecordProcessor,
  InMemoryLogRecordExporter,
  type LogRecordExporter,
  LoggerProvider,
  type ReadableLogRecord,
  SimpleLogRecordProcessor,
} from "@opentelemetry/sdk-logs";

// A real OpenTelemetry JS logs pipeline (SDK + OTLP/HTTP exporter, protobuf or JSON) for tests that
// point it at Steward. Export results are recorded, so a test can assert every batch was accepted.

export type Encoding = "protobuf" | "json";

export interface ExportOutcome {
  code: number;
  error?: string;
  records: number;
}

/** Wraps the real exporter to remember each export's result (code 0 = SUCCESS). */
class Recording implements LogRecordExporter {
  readonly outcomes: ExportOutcome[] = [];
  readonly #inner: LogRecordExporter;
  constructor(inner: LogRecordExporter) {
    this.#inner = inner;
  }
  export(logs: ReadableLogRecord[], done: (r: { code: number; error?: Error }) => void): void {
    this.#inner.export(logs, (r) => {
      this.outcomes.push({ code: r.code, error: r.error?.message, records: logs.length });
      done(r);
    });
  }
  shutdown(): Promise<void> {
    return this.#inner.shutdown();
  }
  forceFlush(): Promise<void> {
    return this.#inner.forceFlush?.() ?? Promise.resolve();
  }
}

export interface SdkApp {
  provider: LoggerProvider;
  exporter: Recording;
  /** Logs an exception the way OTel instrumentations do (exception.* attributes, ERROR severity). */
  exception(err: Error, attrs?: Record<string, string | number>): void;
  info(message: string): void;
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

export function sdkApp(o: {
  url: string;
  token: string;
  encoding: Encoding;
  service: string;
  version?: string;
  /** Default: the SDK's BatchLogRecordProcessor with its default batching. */
  batch?: { maxExportBatchSize?: number; scheduledDelayMillis?: number } | false;
  timeoutMillis?: number;
  compression?: "gzip" | "none";
}): SdkApp {
  const cfg = {
    url: o.url,
    headers: { Authorization: `Bearer ${o.token}` },
    timeoutMillis: o.timeoutMillis ?? 10_000,
    compression: (o.compression ?? "none") as never,
  };
  const inner = o.encoding === "protobuf" ? new ProtoExporter(cfg) : new JsonExporter(cfg);
  const exporter = new Recording(inner);
  const processor =
    o.batch === false
      ? new SimpleLogRecordProcessor({ exporter })
      : new BatchLogRecordProcessor({
          exporter,
          ...(o.batch ?? {}),
          exportTimeoutMillis: o.timeoutMillis ?? 30_000,
        });
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({
      "service.name": o.service,
      ...(o.version ? { "service.version": o.version } : {}),
    }),
    processors: [processor],
  });
  const logger = provider.getLogger("checkout-app", "1.0.0");
  return {
    provider,
    exporter,
    exception(err, attrs = {}) {
      logger.emit({
        severityNumber: SeverityNumber.ERROR,
        severityText: "ERROR",
        body: err.message,
        attributes: {
          "exception.type": err.name,
          "exception.message": err.message,
          "exception.stacktrace": err.stack ?? "",
          ...attrs,
        },
      });
    },
    info(message) {
      logger.emit({ severityNumber: SeverityNumber.INFO, severityText: "INFO", body: message });
    },
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}

/** Records captured in memory (for building request bodies with the SDK's own serializers). */
export function capture(service: string): { provider: LoggerProvider; memory: InMemoryLogRecordExporter } {
  const memory = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ "service.name": service }),
    processors: [new SimpleLogRecordProcessor({ exporter: memory })],
  });
  return { provider, memory };
}

/** An Error with a fixed V8 stack, so fingerprints do not depend on where the test runs. */
export function appError(type: string, message: string, fn: string, file: string): Error {
  const e = new Error(message);
  e.name = type;
  e.stack = `${type}: ${message}\n    at ${fn} (/srv/app/src/${file}:12:7)\n    at async handle (/srv/app/src/router.js:40:5)\n    at async Layer.handle (/srv/app/node_modules/express/lib/router/layer.js:95:5)`;
  return e;
}
