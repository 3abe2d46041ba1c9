import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ALIASES, isError, normalizeRecord } from "../../src/incidents/normalize.ts";
import { LineScanner, maybeError } from "../../src/incidents/prefilter.ts";
import { parseIncidentOptions } from "../../src/incidents/options.ts";
import { type Shape, TRACE_DIR, trace, wrap } from "./records.ts";
import { readdirSync } from "node:fs";

// The prefilter may let through lines that are not errors (they cost a JSON.parse), but it must
// never drop one: every record the normaliser calls an error has to pass, however it is spelled.

const policy = parseIncidentOptions({}).errors;
const SHAPES: Shape[] = ["pino", "winston", "python", "structlog", "zap", "slog", "logstash", "ecs", "otel"];
const TRACES = readdirSync(TRACE_DIR);

/** The same record written the ways JSON allows: compact, spaced, and with ASCII escaped as \u00XX. */
function spellings(rec: unknown): string[] {
  const compact = JSON.stringify(rec);
  const spaced = JSON.stringify(rec, null, 1).replace(/\n/g, " "); // raw newlines are only formatting
  const escaped = compact.replace(/[a-zA-Z0-9]/g, (c, i: number) =>
    i % 3 === 0 ? `\\u00${c.charCodeAt(0).toString(16)}` : c,
  );
  // Escapes are only legal inside strings; keep the ones JSON.parse accepts.
  const out = [compact, spaced];
  try {
    JSON.parse(escaped);
    out.push(escaped);
  } catch {
    // a digit of a bare number was escaped
  }
  return out;
}

function passes(line: string, statusMin = 500): boolean {
  const buf = Buffer.from(line);
  const single = maybeError(buf, 0, buf.length, statusMin);
  // The block scanner (what the tailer uses) must agree, here with the line between two others.
  const block = Buffer.from(`{"level":30}\n${line}\n{"level":30}\n`);
  const s = new LineScanner(statusMin);
  s.reset(block, block.toString("latin1"), 0);
  const start = 13;
  expect(s.candidate(0, 12)).toBe(false);
  expect(s.candidate(start, start + buf.length)).toBe(single);
  return single;
}

describe("prefilter", () => {
  it("passes every logger shape with every real trace, however the JSON is spelled", () => {
    let n = 0;
    for (const shape of SHAPES)
      for (const t of TRACES) {
        const rec = JSON.parse(JSON.stringify(wrap(shape, trace(t), { type: "E", message: "m" })));
        expect(isError(normalizeRecord(rec), policy)).toBe(true);
        for (const line of spellings(rec)) {
          expect(passes(line), `${shape} ${t}: ${line.slice(0, 120)}`).toBe(true);
          n++;
        }
      }
    expect(n).toBeGreaterThanOrEqual(SHAPES.length * TRACES.length * 2);
  });

  it("skips healthy lines of the common loggers (the point of having it)", () => {
    const healthy = [
      '{"level":30,"time":1700000000000,"pid":7,"hostname":"web-1","name":"api","req":{"method":"GET","url":"/items/1"},"res":{"statusCode":200},"msg":"request completed"}',
      '{"level":"info","message":"listening","service":"api","timestamp":"2024-05-01T10:00:00Z"}',
      '{"levelname":"INFO","name":"django.request","message":"GET /x 200"}',
      '{"@timestamp":"2024-05-01T10:00:00Z","level":"INFO","level_value":20000,"message":"started"}',
      '{"severity_text":"INFO","severity_number":9,"body":"ok","attributes":{"http.response.status_code":404}}',
      '{"time":"2024-05-01T10:00:00Z","level":"WARN","msg":"slow","status":499}',
    ];
    for (const l of healthy) expect(passes(l), l).toBe(false);
  });

  it("level values: words in any case, numbers on each key's scale, digit strings, odd forms", () => {
    const yes = [
      '{"level":"eRRoR"}',
      '{"level":50}',
      '{"level":100}',
      '{"level":5e1}',
      '{"level":"55"}',
      '{"level" : "FATAL"}',
      '{"log":{"level":"critical"}}',
      '{"levelname":"CRITICAL"}',
      '{"level_value":40000}',
      '{"severity":"Emergency"}',
      '{"severity_number":17}',
      '{"severityNumber":24}',
      '{"severity_number":30}',
      '{"severityText":{"stringValue":"ERROR"}}',
      '{"status":500}',
      '{"res":{"statusCode":"503"}}',
      '{"http.response.status_code":599}',
    ];
    const no = [
      '{"level":49}',
      '{"level":"warn"}',
      '{"level_value":30000}',
      '{"severity_number":16}',
      '{"status":499}',
      '{"msg":"level 50 status 500"}',
    ];
    for (const l of yes) expect(passes(l), l).toBe(true);
    for (const l of no) expect(passes(l), l).toBe(false);
    // A stricter status policy needs no status trigger below it; 0 turns status off.
    expect(passes('{"status":502}', 503)).toBe(false);
    expect(passes('{"status":503}', 503)).toBe(true);
    expect(passes('{"status":503}', 0)).toBe(false);
  });

  it("property: whatever the normaliser calls an error passes, in every spelling", () => {
    const levelKeys = [...ALIASES.level, "log"];
    const statusKeys = [...ALIASES.status, "res", "http", "response", "attributes"];
    const excKeys = [
      "err",
      "error",
      "error.type",
      "exception",
      "exc_info",
      "exc_text",
      "stack_trace",
      "stack",
    ];
    const keys = [...levelKeys, ...statusKeys, ...excKeys, "throwable", "errorVerbose", "stacktrace", "msg"];
    const word = fc
      .constantFrom(
        "error",
        "err",
        "fatal",
        "crit",
        "critical",
        "panic",
        "dpanic",
        "alert",
        "emerg",
        "severe",
        "warn",
        "info",
        "50",
        "40000",
        "17",
        "500",
        "",
      )
      .chain((w) =>
        fc
          .array(fc.boolean(), { minLength: w.length, maxLength: w.length })
          .map((up) => [...w].map((c, i) => (up[i] ? c.toUpperCase() : c)).join("")),
      );
    const leaf = fc.oneof(
      word,
      fc.integer({ min: -10, max: 70_000 }),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.string({ maxLength: 12 }),
      fc.constant(null),
      fc.boolean(),
      word.map((w) => ({ stringValue: w })),
    );
    const value = fc.oneof(
      { weight: 4, arbitrary: leaf },
      {
        weight: 1,
        arbitrary: fc.dictionary(fc.constantFrom(...keys, "type", "message", "level", "code"), leaf, {
          maxKeys: 3,
        }),
      },
    );
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...keys), value, { maxKeys: 5 }), (rec) => {
        const r = JSON.parse(JSON.stringify(rec));
        if (!isError(normalizeRecord(r), policy)) return;
        for (const line of spellings(r)) expect(passes(line), line).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });
});
