import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mixedLine, rng } from "../../bench/mixed-logs.ts";
import { canonicalizeLine } from "../../src/incidents/canonical.ts";
import { normalizeRecord } from "../../src/incidents/normalize.ts";

// The back-fill's key-order rewrite (canonical.ts) must never change what a line parses to, nor
// whether it parses: the rewritten line is what the main thread counts.

/** The rewrite of `line`, or null when it is left as it is. */
function rewrite(line: string): string | null {
  const b = Buffer.from(line);
  const out = Buffer.alloc(b.length + 8, 0x21); // '!' filler: a write past the returned end shows up
  const end = canonicalizeLine(b, 0, b.length, out, 4);
  if (end < 0) return null;
  expect(end - 4).toBeLessThanOrEqual(b.length);
  expect(out[end]).toBe(0x21);
  expect(out.subarray(0, 4).toString()).toBe("!!!!");
  return out.toString("utf8", 4, end);
}

type Parsed = { ok: true; value: unknown } | { ok: false };
function parse(text: string): Parsed {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/**
 * Deep equality of parsed JSON, key order aside, by own properties only (a parsed record can have
 * own keys such as "constructor" or "__proto__", which general-purpose matchers treat specially).
 */
function same(a: unknown, b: unknown): boolean {
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return Object.is(a, b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  if (ka.join("\0") !== kb.join("\0")) return false;
  const own = (o: object, k: string) => Object.getOwnPropertyDescriptor(o, k)?.value;
  return ka.every((k) => same(own(a, k), own(b, k)));
}

/** Same verdict, and the same own keys with the same values (key order aside). */
function expectSameParse(original: string, rewritten: string): void {
  const a = parse(original);
  const b = parse(rewritten);
  expect(b.ok).toBe(a.ok);
  if (a.ok && b.ok) expect(same(a.value, b.value), `${original}\n${rewritten}`).toBe(true);
}

/** A JSON object written with random whitespace around every token and random key order. */
const spacing = fc.constantFrom("", " ", "  ", "\t", " \r ", "\n");
const member = fc.tuple(
  fc.oneof(
    fc.constantFrom("level", "msg", "err", "time", "a", "b", "A", "_", "__proto__", "constructor", "0", "10"),
    fc.string({ maxLength: 6 }),
  ),
  fc.jsonValue({ maxDepth: 3 }),
  spacing,
  spacing,
  spacing,
  spacing,
);
const objectLine = fc
  .tuple(fc.array(member, { maxLength: 12 }), spacing, spacing)
  .map(
    ([members, open, close]) =>
      `{${open}${members.map(([k, v, s1, s2, s3, s4]) => `${s1}${JSON.stringify(k)}${s2}:${s3}${JSON.stringify(v)}${s4}`).join(",")}${close}}`,
  );

describe("canonical key order", () => {
  it("sorts the top-level members by key, values and nested objects verbatim", () => {
    expect(rewrite('{"level":50,"time":1,"err":{"z":1,"a":[2, 3]},"msg":"x y"}')).toBe(
      '{"err":{"z":1,"a":[2, 3]},"level":50,"msg":"x y","time":1}',
    );
    expect(rewrite('{ "b" : "}" , "a" : "\\"{[" }')).toBe('{"a" : "\\"{[","b" : "}"}');
    // Already in order, one member, empty: left as they are.
    expect(rewrite('{"a":1,"b":2}')).toBeNull();
    expect(rewrite('{"a":1}')).toBeNull();
    expect(rewrite("{}")).toBeNull();
  });

  it("keeps duplicate keys in their order, so the last one still wins", () => {
    const line = '{"b":1,"a":0,"b":2,"a":3,"b":4}';
    expect(rewrite(line)).toBe('{"a":0,"a":3,"b":1,"b":2,"b":4}');
    expectSameParse(line, rewrite(line)!);
  });

  it("refuses what it cannot rewrite exactly: escaped or non-ASCII keys, and anything that is not a JSON object", () => {
    for (const line of [
      '{"b":1,"\\u0061":2,"a":3}', // one key, two spellings: their order decides which value wins
      '{"é":1,"a":2}',
      '{"b":1,"a":2,}',
      '{"b":1,,"a":2}',
      '{"b":1 "a":2}',
      '{"b":1,"a":2}}',
      '{"b":1,"a":}',
      '{"b":1,"a"}',
      '{"b":1,"a":2',
      '{"b":"x,"a":2}',
      '{"b":[1,"a":2}',
      '{"b":1,\u00a0"a":2}', // NBSP is not JSON whitespace
      `{"b":${"[".repeat(80)}${"]".repeat(80)},"a":1}`,
      `{${Array.from({ length: 70 }, (_, i) => `"k${70 - i}":${i}`).join(",")}}`,
      // Long keys: the sort's comparisons would cost up to 64 × the line; refused instead.
      `{${Array.from({ length: 60 }, (_, i) => `"${"k".repeat(100)}${60 - i}":${i}`).join(",")}}`,
    ])
      expect(rewrite(line), line).toBeNull();
  });

  it("property: a rewritten line parses to the same record as the original", () => {
    fc.assert(
      fc.property(objectLine, (line) => {
        const out = rewrite(line);
        if (out !== null) expectSameParse(line, out);
      }),
      { numRuns: 3000 },
    );
  });

  it("property: on broken lines too, the rewrite parses exactly when the original does", () => {
    const broken = fc
      .tuple(
        objectLine,
        fc.nat(),
        fc.constantFrom("", ",", ":", '"', "{", "}", "[", "]", " ", "\\", "1", "a"),
      )
      .map(([line, at, ch]) => {
        const i = at % (line.length + 1);
        return at % 2 ? line.slice(0, i) + ch + line.slice(i + 1) : line.slice(0, i) + ch + line.slice(i);
      })
      .filter((l) => l.startsWith("{") && l.endsWith("}"));
    fc.assert(
      fc.property(broken, (line) => {
        const out = rewrite(line);
        if (out !== null) expectSameParse(line, out);
      }),
      { numRuns: 5000 },
    );
  });

  it("the benchmark's shapes: every error line is rewritten, and normalises exactly as the original", () => {
    const r = rng(11);
    let rewritten = 0;
    for (let i = 0; i < 4000; i++) {
      const line = mixedLine(r, i);
      const out = rewrite(line);
      if (out === null) continue;
      rewritten++;
      expect(normalizeRecord(JSON.parse(out))).toEqual(normalizeRecord(JSON.parse(line)));
    }
    expect(rewritten).toBeGreaterThan(3000);
  });
});
