import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { COMBINED, normalizeMessage, parameterize } from "../../src/incidents/parameterize.ts";

/** parameterize as first written: the named alternation, every pass, no memo (the reference). */
function reference(text: string): string {
  if (text === "") return "";
  let out = text.length > 2048 ? text.slice(0, 2048) : text;
  for (let pass = 0; pass < 6; pass++) {
    const next = out.replace(new RegExp(COMBINED.source, "g"), (...args: unknown[]) => {
      const groups = args[args.length - 1] as Record<string, string | undefined>;
      const name = Object.keys(groups).find((k) => groups[k] !== undefined);
      return name ? `<${name}>` : "<?>";
    });
    if (next === out) break;
    out = next;
  }
  return out;
}

describe("parameterize", () => {
  it.each([
    ["mail bob.smith+x@corp.io now", "mail <email> now"],
    ["GET https://api.x.io/v1/u?id=9 failed", "GET <url> failed"],
    ["from 10.0.0.12:5432 and fe80::1%eth0 and ::1", "from <ip> and <ip> and <ip>"],
    ["Foo::bar and abc::def stay", "Foo::bar and abc::def stay"],
    ["id 3f2c1a2b-1234-4abc-8def-0123456789ab", "id <uuid>"],
    ["ptr 0x7ffd1a2b hash deadbeef12", "ptr <hex> hash <hex>"],
    [
      "sha 356a192b7913b04c54574d18c28d46e6395428ab md5 d41d8cd98f00b204e9800998ecf8427e",
      "sha <sha1> md5 <md5>",
    ],
    [
      "at 2024-05-01T13:45:09.123Z / 2024-05-01 / Mon, 08 Dec 2014 00:17:21 GMT",
      "at <date> / <date> / <date>",
    ],
    ["at 13:45:09 or 9:05 PM", "at <date> or <date>"],
    ["took 250ms then 1.5s then 3 seconds", "took <duration> then <duration> then <duration>"],
    ["ratio -3.14 count 42", "ratio <float> count <int>"],
    ["user='bob' ok=true KeyError: 'k'", "user=<quoted> ok=<bool> KeyError: <quoted>"],
    ["traceparent 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "traceparent <traceparent>"],
    ["utf8 md5 http2 stay", "utf8 md5 http2 stay"],
  ])("%s", (input, out) => {
    expect(parameterize(input)).toBe(out);
  });

  it("normalizeMessage keeps the first two non-empty lines and marks the cut", () => {
    expect(normalizeMessage("a 1\n\n  b 2  \nc 3")).toBe("a <int>\nb <int>...");
    expect(normalizeMessage("only 7")).toBe("only <int>");
    expect(normalizeMessage(null)).toBe("");
  });

  it("never throws, and is idempotent on its own output (fuzz)", () => {
    const pieces = fc.constantFrom(
      "user",
      " ",
      "=",
      "'",
      '"',
      "@",
      "x.io",
      "://",
      "0x",
      "ff",
      "-",
      ":",
      "::",
      "12",
      ".",
      "5ms",
      "2024-01-02",
      "T",
      "Z",
      "\n",
      "é",
      "%eth0",
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 300 }),
          fc.array(pieces, { maxLength: 60 }).map((a) => a.join("")),
        ),
        (s) => {
          const once = parameterize(s);
          // The positional groups and the memos give what the named alternation gives, first
          // time and from the memo.
          expect(once).toBe(reference(s));
          expect(parameterize(s)).toBe(once);
          expect(typeof once).toBe("string");
          expect(parameterize(once)).toBe(once);
          expect(typeof normalizeMessage(s)).toBe("string");
        },
      ),
      { numRuns: 1000 },
    );
  });
});
