import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isErrorLine, mixedLine, pyDumps, rng } from "../../bench/mixed-logs.ts";
import { isError, normalizeRecord } from "../../src/incidents/normalize.ts";
import { LineProcessor } from "../../src/incidents/processor.ts";
import { parseIncidentOptions } from "../../src/incidents/options.ts";

// The ingest fast path (prefilter: decide from raw bytes which lines can be errors, parse only
// those) against the slow truth (JSON.parse + normalise every line), on every shape normalize.ts
// supports and the ways each is spelled in the wild. Both must find exactly the same error records
// and group them identically.

const options = parseIncidentOptions({});

/** The slow truth for one line. */
function isErrorBySlowPath(line: string): boolean {
  let rec: unknown;
  try {
    rec = JSON.parse(line);
  } catch {
    return false;
  }
  if (!rec || typeof rec !== "object" || Array.isArray(rec)) return false;
  return isError(normalizeRecord(rec as Record<string, unknown>), options.errors);
}

/** Runs a block of lines through the fast path and the slow path (--strict-json); returns both. */
function bothPaths(lines: string[]) {
  const buf = Buffer.from(`${lines.join("\n")}\n`);
  const fast = new LineProcessor(options, { now: () => 0 });
  const slow = new LineProcessor(options, { strictJson: true, now: () => 0 });
  expect(fast.prefiltering).toBe(true);
  fast.lines(buf, 0, buf.length);
  slow.lines(buf, 0, buf.length);
  const groups = (p: LineProcessor) =>
    [...p.buffer.aggregates.values()].map((a) => `${a.service}|${a.fingerprint}|${a.count}`).sort();
  return { fast, slow, fastGroups: groups(fast), slowGroups: groups(slow) };
}

describe("ingest fast path on every log shape", () => {
  it("the mixed-shape benchmark stream: same error records and groups as a full JSON.parse of every line", () => {
    const r = rng(7);
    const lines = Array.from({ length: 20_000 }, (_, i) => mixedLine(r, i));
    const truth = lines.map(isErrorBySlowPath);
    expect(truth.filter(Boolean).length).toBe(lines.filter((_, i) => isErrorLine(i)).length);
    const { fast, slow, fastGroups, slowGroups } = bothPaths(lines);
    expect(fast.counters.errorLines).toBe(truth.filter(Boolean).length);
    expect(slow.counters.errorLines).toBe(fast.counters.errorLines);
    expect(fastGroups).toEqual(slowGroups);
    // Each shape (pino, structlog, logback, zap, OTel) contributes errors.
    expect(
      new Set([...fast.buffer.aggregates.values()].map((a) => a.exceptionType)).size,
    ).toBeGreaterThanOrEqual(5);
  });

  // Records of each shape, error or not, written with the variants real loggers produce.
  const levelWord = fc.constantFrom(
    "trace",
    "debug",
    "info",
    "warn",
    "warning",
    "notice",
    "error",
    "err",
    "fatal",
    "critical",
    "panic",
    "dpanic",
    "severe",
    "emerg",
    "Information",
  );
  const anyCase = (w: string) =>
    fc.constantFrom(
      w,
      w.toUpperCase(),
      w[0]!.toUpperCase() + w.slice(1),
      w
        .split("")
        .map((c, i) => (i % 2 ? c.toUpperCase() : c))
        .join(""),
    );
  const levelValue = fc.oneof(
    levelWord.chain(anyCase),
    fc.constantFrom(10, 20, 30, 40, 50, 60),
    fc.constantFrom("30", "50", "60"),
  );
  const exception = fc.constantFrom<Record<string, unknown>>(
    {},
    {
      err: {
        type: "TypeError",
        message: "x is undefined",
        stack: "TypeError: x is undefined\n    at f (/srv/a.js:1:2)",
      },
    },
    { exception: "Traceback (most recent call last):\n  File \"/srv/a.py\", line 3, in f\nKeyError: 'k'" },
    { exc_info: 'Traceback (most recent call last):\n  File "/srv/a.py", line 3, in f\nValueError: bad' },
    { stack_trace: "java.lang.IllegalStateException: boom\n\tat com.acme.A.b(A.java:10)" },
    { error: "dial tcp: connection refused", stacktrace: "main.f\n\t/src/f.go:10" },
    { attributes: { "exception.type": "KeyError", "exception.message": "'sku'" } },
    { "error.type": "IOError", "error.message": "disk full" },
  );
  const shape = fc.oneof(
    // pino / bunyan: numeric level (or a digit string)
    fc.record({
      level: fc.oneof(fc.constantFrom(10, 20, 30, 40, 50, 60), fc.constantFrom("30", "50")),
      msg: fc.string({ maxLength: 20 }),
      name: fc.constant("api"),
    }),
    // structlog / python-json-logger
    fc.record({ event: fc.string({ maxLength: 20 }), level: levelValue }),
    fc.record({ message: fc.string({ maxLength: 20 }), levelname: levelWord.chain(anyCase) }),
    // logback (logstash encoder)
    fc.record({
      message: fc.string({ maxLength: 20 }),
      level: levelWord.chain(anyCase),
      level_value: fc.constantFrom(10000, 20000, 30000, 40000, 50000),
    }),
    // zap / slog
    fc.record({
      msg: fc.string({ maxLength: 20 }),
      level: levelWord.chain(anyCase),
      ts: fc.double({ min: 1e9, max: 2e9, noNaN: true }),
    }),
    // OTel-shaped JSON: severity_text / severityText / severity_number
    fc.record({
      body: fc.string({ maxLength: 20 }),
      severity_text: levelWord.chain(anyCase),
      severity_number: fc.integer({ min: 1, max: 24 }),
    }),
    fc.record({ body: fc.string({ maxLength: 20 }), severityText: levelWord.chain(anyCase) }),
    fc.record({ body: fc.string({ maxLength: 20 }), severityNumber: fc.integer({ min: 1, max: 24 }) }),
    // ECS
    fc.record({ message: fc.string({ maxLength: 20 }), "log.level": levelWord.chain(anyCase) }),
  );
  const status = fc.constantFrom<Record<string, unknown>>(
    {},
    { status: 200 },
    { status: 503 },
    { res: { statusCode: 500 } },
    { "http.response.status_code": 404 },
  );
  const noise = fc.dictionary(
    fc.constantFrom("user", "path", "note", "vérité", "ключ", "ts2"),
    fc.oneof(fc.string({ maxLength: 12 }), fc.integer()),
    { maxKeys: 3 },
  );
  const record = fc
    .tuple(shape, exception, status, noise, fc.array(fc.nat(), { minLength: 8, maxLength: 8 }))
    .map(([s, e, st, n, order]) => {
      const all = { ...n, ...s, ...e, ...st } as Record<string, unknown>;
      // Key order varies across loggers and configurations.
      const keys = Object.keys(all).sort((a, b) => (order[a.length % 8]! % 3) - (order[b.length % 8]! % 3));
      return Object.fromEntries(keys.map((k) => [k, all[k]]));
    });
  /** The ways a record is written: compact, json.dumps separators, odd spacing, escaped unicode. */
  const spelled = (rec: Record<string, unknown>) =>
    fc.constantFrom(
      JSON.stringify(rec),
      pyDumps(rec),
      JSON.stringify(rec)
        .replace(/([{,])"/g, '$1 \t"')
        .replace(/":/g, '" : '),
      // \u00XX for some ASCII letters (JSON lets any character be escaped)
      JSON.stringify(rec).replace(
        /"([a-z_]+)":/g,
        (_m, k: string) => `"${k.replace(/[aeiou]/, (c) => `\\u00${c.charCodeAt(0).toString(16)}`)}":`,
      ),
      JSON.stringify(rec).replace(/[a-zA-Z]/g, (c, i: number) =>
        i % 5 === 0 ? `\\u00${c.charCodeAt(0).toString(16)}` : c,
      ),
    );

  it("property: every variant line — the fast path finds exactly the errors a full JSON.parse finds", () => {
    fc.assert(
      fc.property(fc.array(record.chain(spelled), { minLength: 1, maxLength: 40 }), (lines) => {
        const valid = lines.filter((l) => {
          try {
            JSON.parse(l);
            return true;
          } catch {
            return false;
          }
        });
        const truth = valid.filter(isErrorBySlowPath).length;
        const { fast, slow, fastGroups, slowGroups } = bothPaths(valid);
        expect(slow.counters.errorLines).toBe(truth);
        expect(fast.counters.errorLines).toBe(truth);
        expect(fastGroups).toEqual(slowGroups);
      }),
      { numRuns: 400 },
    );
  });
});
