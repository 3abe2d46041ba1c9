import { describe, expect, it } from "vitest";
import { z } from "zod";
import { checkAnswer, extractJson, formatPath, jsonSchemaOf, repairMessage } from "../../src/llm/output.ts";

const S = z.object({
  items: z.array(z.object({ n: z.number().int().min(1) })).max(2),
  note: z.string().optional(),
});

describe("extractJson", () => {
  it.each([
    ['{"a":1}', '{"a":1}'],
    ['```json\n{"a":1}\n```', '{"a":1}'],
    ["```\n[1,2]\n```", "[1,2]"],
    ['Sure! Here it is:\n```json\n{"a":1}\n```\nAnything else?', '{"a":1}'],
    ['The answer is {"a":{"b":2}} as requested.', '{"a":{"b":2}}'],
    ["no json here", "no json here"],
  ])("%j → %j", (input, out) => {
    expect(extractJson(input)).toBe(out);
  });
});

describe("checkAnswer", () => {
  it("validates and returns the parsed value", () => {
    expect(checkAnswer(S, '{"items":[{"n":1}]}')).toEqual({ ok: true, data: { items: [{ n: 1 }] } });
  });
  it("lists every zod issue as path: message", () => {
    expect(checkAnswer(S, '{"items":[{"n":0},{"n":1.5}],"note":3}')).toEqual({
      ok: false,
      issues: [
        "items[0].n: Too small: expected number to be >=1",
        "items[1].n: Invalid input: expected int, received number",
        "note: Invalid input: expected string, received number",
      ],
    });
  });
  it("reports empty answers, refusals and bad JSON", () => {
    expect(checkAnswer(S, "")).toEqual({
      ok: false,
      issues: ["(root): the answer was empty; expected a JSON object"],
    });
    expect(checkAnswer(S, null, { refusal: "I can't help with that." })).toEqual({
      ok: false,
      issues: ["(root): the model refused: I can't help with that."],
    });
    const bad = checkAnswer(S, "{items: []}");
    expect(bad.ok).toBe(false);
    expect(bad.ok ? "" : bad.issues[0]).toMatch(/^\(root\): not valid JSON \(/);
  });
});

describe("formatPath, jsonSchemaOf, repairMessage", () => {
  it("formats paths", () => {
    expect(formatPath([])).toBe("(root)");
    expect(formatPath(["a", 0, "b", 2])).toBe("a[0].b[2]");
    expect(formatPath([3])).toBe("[3]");
  });
  it("sends the input-side schema without $schema or safe-integer noise", () => {
    const T = z.object({ n: z.number().int(), s: z.string().transform((x) => x.length) });
    expect(jsonSchemaOf(T)).toEqual({
      type: "object",
      properties: { n: { type: "integer" }, s: { type: "string" } },
      required: ["n", "s"],
    });
  });
  it("caps the list of issues in the repair message", () => {
    const issues = Array.from({ length: 32 }, (_, i) => `items[${i}].n: bad`);
    const msg = repairMessage("thing", issues);
    expect(
      msg.startsWith(
        'Your previous answer does not match the "thing" schema. Validation errors (path: message):\n- items[0].n: bad\n',
      ),
    ).toBe(true);
    expect(msg).toContain("- items[29].n: bad\n- … and 2 more\n\nReply with the corrected JSON object only.");
    expect(msg).not.toContain("items[30]");
  });
});
