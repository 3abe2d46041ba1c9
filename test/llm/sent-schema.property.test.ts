// The contract between the schema Steward sends and the one it validates: a server that enforces the
// sent schema (OpenAI structured outputs, vLLM) may answer with any instance of it, and every such
// instance must be accepted. Instances come from the sent JSON Schema itself, not from hand-written
// answers, and are checked against it with ajv first so the generator cannot drift from the schema.
import Ajv2020 from "ajv/dist/2020.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { checkAnswer, jsonSchemaOf } from "../../src/llm/output.ts";
import { analysisSchema } from "../../src/tools/analyze/schema.ts";
import { askSchema } from "../../src/tools/ask/schema.ts";
import { describeSchema } from "../../src/tools/describe/schema.ts";
import { improveSchema, scoringSchema } from "../../src/tools/improve/schema.ts";
import { relationSchema } from "../../src/tools/issues/map.ts";
import { rerankSchema } from "../../src/tools/issues/similar.ts";
import { reviewSchema } from "../../src/tools/review/schema.ts";
import { arbitraryOf } from "../helpers/json-schema-arb.ts";

// Every schema a tool passes to llm.complete (grep "schema:" under src/tools).
const SENT: Record<string, z.ZodType> = {
  review: reviewSchema,
  describe: describeSchema,
  improve: improveSchema,
  improve_scores: scoringSchema,
  ask: askSchema,
  analyze: analysisSchema,
  issue_map_relation: relationSchema,
  similar_rerank: rerankSchema,
};

const ajv = new Ajv2020.default({ strict: false, allErrors: true });

describe("every instance of the schema sent is accepted", () => {
  for (const [name, schema] of Object.entries(SENT)) {
    it(name, () => {
      const sent = jsonSchemaOf(schema);
      const valid = ajv.compile(sent);
      fc.assert(
        fc.property(arbitraryOf(sent), (instance) => {
          expect(valid(instance), JSON.stringify(valid.errors)).toBe(true);
          const checked = checkAnswer(schema, JSON.stringify(instance));
          expect(checked.ok ? [] : checked.issues).toEqual([]);
        }),
        { numRuns: 300 },
      );
    });
  }

  it("sends /analyze likelihood as the enum it validates", () => {
    const sent = jsonSchemaOf(analysisSchema) as {
      properties: { hypotheses: { items: { properties: { likelihood: unknown } } } };
    };
    expect(sent.properties.hypotheses.items.properties.likelihood).toEqual({
      type: "string",
      enum: ["high", "medium", "low"],
    });
  });
});
