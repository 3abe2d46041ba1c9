// A fast-check arbitrary for every instance of a JSON Schema, as a server that enforces the schema
// (OpenAI structured outputs, vLLM guided decoding) may produce it: any string the constraints allow,
// including whitespace-only and Unicode, not just friendly sample values. Covers the keywords zod's
// toJSONSchema emits for Steward's LLM schemas; an unknown keyword fails loudly so the test cannot
// silently generate from a looser schema than the one sent.
import fc from "fast-check";

type Schema = Record<string, unknown>;

const HANDLED = new Set([
  "type",
  "properties",
  "required",
  "additionalProperties",
  "items",
  "minItems",
  "maxItems",
  "minLength",
  "maxLength",
  "pattern",
  "format",
  "enum",
  "const",
  "anyOf",
  "oneOf",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "description",
  "title",
  "default",
]);

export function arbitraryOf(schema: Schema): fc.Arbitrary<unknown> {
  for (const k of Object.keys(schema)) {
    if (!HANDLED.has(k)) throw new Error(`json-schema-arb: keyword ${k} is not supported`);
  }
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  const alts = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (alts) return fc.oneof(...alts.map(arbitraryOf));
  const type = schema.type;
  if (Array.isArray(type)) return fc.oneof(...type.map((t) => arbitraryOf({ ...schema, type: t })));
  switch (type) {
    case "object":
      return objectOf(schema);
    case "array": {
      const items = (schema.items as Schema | undefined) ?? {};
      return fc.array(arbitraryOf(items), {
        minLength: (schema.minItems as number | undefined) ?? 0,
        maxLength: Math.min((schema.maxItems as number | undefined) ?? 4, 4),
      });
    }
    case "string":
      return stringOf(schema);
    case "integer":
      return fc.integer({ min: lower(schema, 1), max: upper(schema, 1) });
    case "number":
      return fc
        .double({ min: lower(schema, 0), max: upper(schema, 0), noNaN: true, noDefaultInfinity: true })
        .filter((n) => !Object.is(n, -0));
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    case undefined:
      return fc.jsonValue();
    default:
      throw new Error(`json-schema-arb: type ${String(type)} is not supported`);
  }
}

function objectOf(schema: Schema): fc.Arbitrary<unknown> {
  const props = (schema.properties as Record<string, Schema> | undefined) ?? {};
  const required = (schema.required as string[] | undefined) ?? [];
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [k, v] of Object.entries(props)) model[k] = arbitraryOf(v);
  return fc.record(model, { requiredKeys: required });
}

function stringOf(schema: Schema): fc.Arbitrary<string> {
  const min = (schema.minLength as number | undefined) ?? 0;
  const max = Math.min((schema.maxLength as number | undefined) ?? 40, Math.max(min, 40));
  const unit = fc.oneof(
    { arbitrary: fc.constantFrom(" ", "\t", "\n", "\u00a0", "\u3000"), weight: 2 },
    { arbitrary: fc.string({ minLength: 1, maxLength: 1, unit: "grapheme" }), weight: 3 },
  );
  const base = fc.array(unit, { minLength: min, maxLength: max }).map((a) => a.join(""));
  const pattern = schema.pattern as string | undefined;
  if (pattern === undefined) return base.filter((s) => s.length >= min && s.length <= max);
  const re = new RegExp(pattern, "u");
  // A pattern-shaped string padded with whitespace, then held to the length bounds.
  return fc
    .tuple(unit, fc.stringMatching(re), unit)
    .map(([a, s, b]) => `${a.trim() ? "" : a}${s}${b.trim() ? "" : b}`)
    .filter((s) => re.test(s) && s.length >= min && s.length <= max);
}

function lower(schema: Schema, step: number): number {
  if (typeof schema.exclusiveMinimum === "number") return schema.exclusiveMinimum + step;
  if (typeof schema.minimum === "number") return schema.minimum;
  return -1_000_000;
}

function upper(schema: Schema, step: number): number {
  if (typeof schema.exclusiveMaximum === "number") return schema.exclusiveMaximum - step;
  if (typeof schema.maximum === "number") return schema.maximum;
  return 1_000_000;
}
