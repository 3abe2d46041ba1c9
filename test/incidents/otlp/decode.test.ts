import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ProtobufLogsSerializer } from "@opentelemetry/otlp-transformer";
import { SeverityNumber } from "@opentelemetry/api-logs";
import { describe, expect, it } from "vitest";
import { decodeJson, decodeProtobuf } from "../../../src/incidents/otlp/decode.ts";
import { capture } from "./sdk.ts";

// The upstream example request from opentelemetry-proto (examples/logs.json, same commit as the
// vendored .proto files).
const EXAMPLE = readFileSync(join(import.meta.dirname, "../../../fixtures/otlp-logs-example.json"));

describe("OTLP decoding", () => {
  it("decodes opentelemetry-proto's example OTLP/JSON request", () => {
    const req = decodeJson(EXAMPLE);
    expect(req.recordCount).toBe(1);
    expect(req.resources[0]!.resource["service.name"]).toBe("my.service");
    const r = req.resources[0]!.records[0]!;
    expect(r).toMatchObject({
      timeUnixNano: "1544712660300000000",
      severityNumber: 10,
      severityText: "Information",
      traceId: "5b8efff798038103d269b633813fc60c",
      spanId: "eee19b7ec3c1b174",
      body: "Example log record",
    });
    expect({ ...r.attributes }).toEqual({
      "string.attribute": "some string",
      "boolean.attribute": true,
      "int.attribute": 10,
      "double.attribute": 637.704,
      "array.attribute": ["many", "values"],
      "map.attribute": { "some.map.key": "some value" },
    });
  });

  it("decodes the SDK's protobuf serialisation to the same records as its source", () => {
    const { provider, memory } = capture("cart");
    const logger = provider.getLogger("t");
    logger.emit({
      severityNumber: SeverityNumber.FATAL,
      severityText: "FATAL",
      body: { kind: "crash", codes: [1, 2] },
      attributes: { "exception.type": "OOM", big: 2 ** 60, ok: false },
      timestamp: 1_700_000_000_123,
    });
    const req = decodeProtobuf(ProtobufLogsSerializer.serializeRequest(memory.getFinishedLogRecords())!);
    const r = req.resources[0]!.records[0]!;
    expect(req.resources[0]!.resource["service.name"]).toBe("cart");
    expect(r.severityNumber).toBe(21);
    expect(r.timeUnixNano).toBe("1700000000123000000");
    expect({ ...(r.body as object) }).toEqual({ kind: "crash", codes: [1, 2] });
    // 2^60 is not a safe JS integer: kept exact as a decimal string.
    expect({ ...r.attributes }).toEqual({ "exception.type": "OOM", big: "1152921504606846976", ok: false });
  });
});
