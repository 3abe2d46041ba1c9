import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fitBody, MIN_BODY_LIMIT, planParts, truncateBody } from "../../src/github/body.ts";
import { nextFence, splitLines } from "../../src/github/fences.ts";
import { BODY_TARGET } from "../../src/github/limits.ts";

/** Whether `text` ends inside an open fence, by the same tracker the splitter uses. */
function endsInFence(text: string): boolean {
  let fence: ReturnType<typeof nextFence>;
  for (const line of splitLines(text)) fence = nextFence(fence, line);
  return fence !== undefined;
}

// Markdown-ish lines: fences, code, prose, blank lines, astral characters.
const line = fc.oneof(
  fc.constantFrom("```", "```ts", "~~~", "````", "   ```python", "", "- item", "> quote"),
  fc.string({ maxLength: 80 }),
  fc.string({ unit: "grapheme", maxLength: 40 }),
);
const markdown = fc.array(line, { minLength: 10, maxLength: 200, size: "max" }).map((ls) => ls.join("\n"));

describe("fitBody", () => {
  it("returns a body that fits unchanged", () => {
    expect(fitBody("short", 300)).toEqual(["short"]);
    expect(fitBody("x".repeat(BODY_TARGET))).toEqual(["x".repeat(BODY_TARGET)]);
  });

  it("splits at line boundaries with part headers", () => {
    const body = Array.from(
      { length: 30 },
      (_, i) => `line ${String(i).padStart(2, "0")} ${"x".repeat(20)}`,
    ).join("\n");
    const parts = fitBody(body, 300);
    expect(parts.length).toBe(4);
    expect(parts[0]).toBe(`_(part 1/4)_\n\n${body.split("\n").slice(0, 9).join("\n")}\n`);
    for (const [i, p] of parts.entries()) {
      expect(p.startsWith(`_(part ${i + 1}/4)_\n\n`)).toBe(true);
      expect(p.length).toBeLessThanOrEqual(300);
    }
  });

  it("closes a code fence at the end of a part and re-opens it in the next", () => {
    const code = Array.from({ length: 20 }, (_, i) => `const v${i} = ${i}; // ${"y".repeat(10)}`);
    const body = ["Intro", "```ts", ...code, "```", "Outro"].join("\n");
    const parts = fitBody(body, 300);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts[0]!.endsWith("\n```")).toBe(true);
    expect(parts[1]!.startsWith("_(part 2/3)_\n\n```ts\n")).toBe(true);
    for (const p of parts) expect(endsInFence(p)).toBe(false);
  });

  it("cuts a single line longer than the limit", () => {
    const parts = fitBody("z".repeat(1000), 300);
    expect(parts.every((p) => p.length <= 300)).toBe(true);
    expect(parts.map((p) => p.replace(/^_\(part \d+\/\d+\)_\n\n/, "")).join("")).toBe("z".repeat(1000));
  });

  it("never splits a surrogate pair", () => {
    const body = "😀".repeat(400);
    const parts = fitBody(body, 301);
    for (const p of parts) expect(p).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it("rejects a limit too small to hold a part", () => {
    expect(() => fitBody("x".repeat(1000), MIN_BODY_LIMIT - 1)).toThrow(/at least 256/);
  });

  it("fuzz: every part fits; content concatenates back to the original; no part ends in a fence", () => {
    fc.assert(
      fc.property(markdown, fc.integer({ min: MIN_BODY_LIMIT, max: 1200 }), (body, limit) => {
        const parts = fitBody(body, limit);
        for (const p of parts) expect(p.length).toBeLessThanOrEqual(limit);
        if (parts.length === 1) {
          expect(parts[0]).toBe(body);
          return;
        }
        for (const p of parts) expect(endsInFence(p)).toBe(false);
        const plan = planParts(body, limit - `_(part ${parts.length}/${parts.length})_\n\n`.length);
        expect(plan.map((p) => p.content).join("")).toBe(body);
        expect(plan.length).toBe(parts.length);
      }),
      { numRuns: 300 },
    );
  });
});

describe("truncateBody", () => {
  it("keeps a short body", () => {
    expect(truncateBody("hello", 300)).toBe("hello");
  });

  it("cuts at a line boundary and says how much was omitted", () => {
    const body = Array.from({ length: 50 }, (_, i) => `row ${i}`).join("\n");
    const out = truncateBody(body, 300);
    const kept = out.slice(0, out.indexOf("\n\n…truncated"));
    expect(body.startsWith(kept)).toBe(true);
    expect(kept.endsWith("\n")).toBe(true);
    expect(out).toBe(`${kept}\n\n…truncated: ${body.length - kept.length} characters omitted`);
    expect(out.length).toBeLessThanOrEqual(300);
  });

  it("closes a fence it cuts through", () => {
    const body = `Text\n\`\`\`diff\n${"+ added line\n".repeat(100)}\`\`\`\n`;
    const out = truncateBody(body, 400);
    expect(out).toMatch(/\+ added line\n```\n\n…truncated: \d+ characters omitted$/);
    expect(out.length).toBeLessThanOrEqual(400);
  });

  it("fuzz: fits, keeps a prefix, and the count is exact", () => {
    fc.assert(
      fc.property(markdown, fc.integer({ min: MIN_BODY_LIMIT, max: 1200 }), (body, limit) => {
        const out = truncateBody(body, limit);
        expect(out.length).toBeLessThanOrEqual(limit);
        if (out === body) return;
        const m = /\n\n…truncated: (\d+) characters omitted$/.exec(out);
        expect(m).not.toBeNull();
        const omitted = Number(m![1]);
        const kept = body.slice(0, body.length - omitted);
        expect(out.startsWith(kept)).toBe(true);
        expect(endsInFence(out.slice(0, m!.index))).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});
