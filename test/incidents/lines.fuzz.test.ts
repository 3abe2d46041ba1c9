import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LineProcessor } from "../../src/incidents/processor.ts";
import { parseIncidentOptions } from "../../src/incidents/options.ts";

// The log-line parser faces whatever a process wrote: binary junk, truncated JSON, arrays, huge
// numbers, invalid UTF-8. None of it may throw, stop the ingest, or go uncounted.

const opts = parseIncidentOptions({});
const errorLine = (i: number) =>
  JSON.stringify({
    level: 50,
    time: 1_700_000_000_000 + i,
    name: "api",
    err: {
      type: "TypeError",
      message: `boom ${i}`,
      stack: `TypeError: boom ${i}\n    at h (/srv/app/h.js:1:1)`,
    },
  });

const trimmed = (l: Buffer) => l.toString("latin1").replace(/^[ \t]+|[ \t\r]+$/g, "");

/** Non-blank lines that are not a JSON object: what --strict-json must count as bad. */
function badLines(lines: Buffer[]): number {
  let n = 0;
  for (const l of lines) {
    const t = trimmed(l);
    if (t === "") continue;
    try {
      const v = JSON.parse(l.toString("utf8").replace(/^[ \t]+|[ \t\r]+$/g, ""));
      if (!v || typeof v !== "object" || Array.isArray(v)) n++;
    } catch {
      n++;
    }
  }
  return n;
}

const junkLine = fc.oneof(
  fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a.filter((b) => b !== 0x0a))),
  fc.string({ maxLength: 120 }).map((s) => Buffer.from(s.replace(/\n/g, ""))),
  fc.json({ maxDepth: 3 }).map((s) => Buffer.from(s)),
  fc
    .tuple(fc.json({ maxDepth: 3 }), fc.nat({ max: 40 }))
    .map(([s, cut]) => Buffer.from(`{"level":50,"err":${s}`.slice(0, 20 + cut))), // truncated records
  fc
    .constantFrom(
      "{",
      "}",
      "{}",
      "[]",
      '{"level":50}',
      '{"level":"\\u0065rror"}',
      '{"level":50,"msg":"\xff\xfe"}',
      ' \t{"level":60} \r',
      "null",
      '{"__proto__":{"level":50}}',
      '{"level":"constructor","err":"x"}',
    )
    .map((s) => Buffer.from(s, "latin1")),
);

function feed(proc: LineProcessor, lines: Buffer[], viaBlocks: boolean): void {
  const block = Buffer.concat(lines.flatMap((l) => [l, Buffer.from("\n")]));
  if (viaBlocks) proc.lines(block, 0, block.length);
  else {
    let s = 0;
    for (const l of lines) {
      proc.line(block, s, s + l.length);
      s += l.length + 1;
    }
  }
}

describe("LineProcessor fuzz", () => {
  it("arbitrary lines never throw; every line is counted; --strict-json counts exactly the non-objects", () => {
    fc.assert(
      fc.property(fc.array(junkLine, { maxLength: 40 }), fc.boolean(), (lines, viaBlocks) => {
        const proc = new LineProcessor(opts, { strictJson: true });
        feed(proc, lines, viaBlocks);
        expect(proc.counters.lines).toBe(lines.length);
        expect(proc.counters.nonJson).toBe(badLines(lines));
        expect(proc.counters.tooLong).toBe(0);
      }),
      { numRuns: 400 },
    );
  });

  it("junk between error records never hides one: each is counted once, with and without the prefilter", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            junkLine,
            fc.nat().map((i) => Buffer.from(errorLine(i))),
          ),
          { maxLength: 40 },
        ),
        fc.boolean(),
        fc.boolean(),
        (lines, viaBlocks, strictJson) => {
          const proc = new LineProcessor(opts, { strictJson });
          // The oracle: the record-level path on every line that parses (what --strict-json does).
          const oracle = new LineProcessor(opts);
          for (const l of lines) {
            try {
              const v = JSON.parse(l.toString("utf8").trim());
              if (v && typeof v === "object" && !Array.isArray(v)) oracle.record(v);
            } catch {
              // not JSON
            }
          }
          feed(proc, lines, viaBlocks);
          expect(proc.counters.lines).toBe(lines.length);
          expect(proc.counters.errorLines).toBe(oracle.counters.errorLines);
          expect(proc.buffer.records).toBe(oracle.buffer.records);
          // Bad lines are counted, never more than there are lines that are not error records.
          expect(proc.counters.nonJson).toBeLessThanOrEqual(lines.length - proc.counters.errorLines);
        },
      ),
      { numRuns: 400 },
    );
  });

  it("lines over 1 MiB are counted as too long and the ones after them still count", () => {
    const big = Buffer.alloc(1024 * 1024 + 1, 0x61);
    const proc = new LineProcessor(opts);
    feed(proc, [Buffer.from(errorLine(1)), big, Buffer.from("not json"), Buffer.from(errorLine(2))], true);
    expect(proc.counters).toEqual({ lines: 4, errorLines: 2, nonJson: 1, tooLong: 1 });
  });
});
