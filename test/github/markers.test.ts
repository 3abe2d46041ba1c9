import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../../src/errors.ts";
import {
  hasMarker,
  MARKER_STATE_MAX,
  parseMarker,
  renderMarker,
  stripMarker,
} from "../../src/github/markers.ts";

describe("renderMarker", () => {
  it("renders kind and key as one HTML comment", () => {
    expect(renderMarker({ kind: "review", key: "pr-12" })).toBe("<!-- steward:review key=pr-12 -->");
  });

  it("renders part and base64url JSON state", () => {
    const line = renderMarker({ kind: "review", key: "pr-12", part: 2, state: { lastReviewedSha: "abc" } });
    expect(line).toBe(
      `<!-- steward:review key=pr-12 part=2 state=${Buffer.from('{"lastReviewedSha":"abc"}').toString("base64url")} -->`,
    );
  });

  it("escapes keys so they cannot close the comment or add attributes", () => {
    const line = renderMarker({ kind: "x", key: "a b=c --> state=Zm9v" });
    expect(line).toBe("<!-- steward:x key=a%20b%3Dc%20--%3E%20state%3DZm9v -->");
    expect(parseMarker(line)).toEqual({ kind: "x", key: "a b=c --> state=Zm9v" });
  });

  it("refuses bad kinds and oversized state", () => {
    expect(() => renderMarker({ kind: "Bad Kind", key: "k" })).toThrow(InvalidInputError);
    expect(() => renderMarker({ kind: "k", key: "k", state: "x".repeat(MARKER_STATE_MAX) })).toThrow(
      /maximum is 4000/,
    );
  });
});

describe("parseMarker", () => {
  it("reads a marker on the first line only", () => {
    const marker = renderMarker({ kind: "describe", key: "7" });
    expect(parseMarker(`${marker}\nhello`)).toEqual({ kind: "describe", key: "7" });
    expect(parseMarker(`hello\n${marker}`)).toBeUndefined();
    expect(parseMarker(`> quoted\n\n${marker}`)).toBeUndefined();
  });

  it("returns the state and survives broken state or escapes without throwing", () => {
    expect(parseMarker("<!-- steward:k key=a state=eyJhIjoxfQ -->")).toEqual({
      kind: "k",
      key: "a",
      state: { a: 1 },
    });
    expect(parseMarker("<!-- steward:k key=a state=bm90LWpzb24 -->")).toEqual({ kind: "k", key: "a" });
    expect(parseMarker("<!-- steward:k key=%E0%A4%A -->")).toBeUndefined();
    expect(parseMarker(null)).toBeUndefined();
    expect(parseMarker("")).toBeUndefined();
  });

  it("hasMarker matches kind and key exactly", () => {
    const body = `${renderMarker({ kind: "review", key: "pr-1" })}\nbody`;
    expect(hasMarker(body, "review", "pr-1")).toBe(true);
    expect(hasMarker(body, "review", "pr-10")).toBe(false);
    expect(hasMarker(body, "describe", "pr-1")).toBe(false);
  });

  it("stripMarker removes only the marker line", () => {
    expect(stripMarker(`${renderMarker({ kind: "k", key: "a" })}\nline 1\nline 2`)).toBe("line 1\nline 2");
    expect(stripMarker("no marker")).toBe("no marker");
  });

  it("round-trips any key and JSON state; never throws on any input", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme" }),
        fc.option(fc.jsonValue(), { nil: undefined }),
        (key, state) => {
          const normalised = state === undefined ? undefined : JSON.parse(JSON.stringify(state));
          const line = renderMarker({ kind: "t", key, state: normalised });
          const parsed = parseMarker(`${line}\nuser text <!-- steward:t key=other -->`);
          expect(parsed?.key).toBe(key);
          expect(parsed?.state).toEqual(normalised);
        },
      ),
    );
    fc.assert(
      fc.property(fc.string(), (s) => {
        parseMarker(s);
        parseMarker(`<!-- steward:k key=${s} -->`);
      }),
    );
  });
});
