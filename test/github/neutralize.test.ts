// The one neutralising function, judged by an independent GFM parser: whatever the untrusted text,
// in whatever shape and wherever a renderer puts it, nothing in it becomes live on GitHub.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type NeutralizeAs, neutralize } from "../../src/github/neutralize.ts";
import { HOSTILE, liveConstructs, renderGfm } from "../helpers/markdown-oracle.ts";

const SHAPES: NeutralizeAs[] = ["text", "inline", "markdown", "code", "fence"];

function place(shape: NeutralizeAs, value: string): string[] {
  // Where renderers put each shape: a sentence, a list item, a heading, a table cell, a quote.
  if (shape === "fence" || shape === "text" || shape === "markdown") {
    return [`Before\n\n${value}\n\nAFTER-SENTINEL`, `> ${value.split("\n").join("\n> ")}\n\nAFTER-SENTINEL`];
  }
  return [
    `- **Version**: ${value} AFTER-SENTINEL`,
    `### ${value} AFTER-SENTINEL`,
    `| name | value |\n|---|---|\n| x | ${value} |\n\nAFTER-SENTINEL`,
    `Branch ${value} AFTER-SENTINEL\n`,
  ];
}

function expectInert(markdown: string): void {
  const live = liveConstructs(markdown);
  expect(live.images, markdown).toEqual([]);
  expect(live.links, markdown).toEqual([]);
  expect(live.boxes, markdown).toBe(0);
  expect(live.comments, markdown).toEqual([]);
  expect(
    live.tags.filter((t) => !["h3", "table", "thead", "tbody", "tr", "th", "td"].includes(t)),
    markdown,
  ).toEqual([]);
  expect(live.mentions, markdown).toEqual([]);
  expect(live.invisible, markdown).toEqual([]);
  expect(live.plain, markdown).toContain("AFTER-SENTINEL");
  // Steward's parsers search its bodies for "<!-- steward:…" as a substring, code included.
  expect(markdown).not.toMatch(/<!--\s*steward:/i);
}

function tableCells(markdown: string): number {
  return [...renderGfm(markdown).matchAll(/<td\b/g)].length;
}

describe("neutralize", () => {
  it("the judge sees every attack in the raw corpus (so its silence below means something)", () => {
    const reports = HOSTILE.map((h) => liveConstructs(h));
    const live = {
      images: reports.flatMap((r) => r.images),
      links: reports.flatMap((r) => r.links),
      boxes: reports.reduce((n, r) => n + r.boxes, 0),
      comments: reports.flatMap((r) => r.comments),
      tags: reports.flatMap((r) => r.tags),
      mentions: reports.flatMap((r) => r.mentions),
      invisible: reports.flatMap((r) => r.invisible),
    };
    expect(live.images).toContain("https://evil.example/pixel.png?u=1");
    expect(live.links).toEqual(
      expect.arrayContaining([
        "http://evil.example/login",
        "http://evil.example/ref",
        "http://evil.example/auto",
        "http://evil.example/bare",
        "http://www.evil.example",
        "mailto:victim@evil.example",
      ]),
    );
    expect(live.boxes).toBeGreaterThanOrEqual(3);
    expect(live.comments.join()).toContain("<!-- steward:proposal");
    expect(live.tags).toEqual(expect.arrayContaining(["img", "details", "a", "h1", "table"]));
    expect(live.mentions).toEqual(expect.arrayContaining(["@octocat", "@org/team"]));
    expect(live.invisible).toContain("U+202e");
  });

  it("leaves nothing live from the hostile corpus, in every shape and every placement", () => {
    for (const sample of [...HOSTILE, HOSTILE.join("\n"), HOSTILE.join(" ")]) {
      for (const shape of SHAPES) {
        const value = neutralize(sample, shape, { table: true });
        for (const doc of place(shape, value)) expectInert(doc);
      }
    }
  });

  it("keeps a table cell a single cell", () => {
    for (const sample of HOSTILE) {
      for (const shape of ["inline", "code"] as const) {
        const doc = `| name | value |\n|---|---|\n| x | ${neutralize(sample, shape, { table: true })} |`;
        expect(tableCells(doc), doc).toBe(2);
      }
    }
  });

  it("holds for any mix of hostile fragments (fast-check)", () => {
    const fragment = fc.oneof(
      fc.constantFrom(...HOSTILE, "`", "``", "```", "\n", " ", "[", "]", "(", ")", "<", "!", "@", "-", "|"),
      fc.string({ maxLength: 6 }),
    );
    fc.assert(
      fc.property(fc.array(fragment, { maxLength: 14 }), fc.constantFrom(...SHAPES), (parts, shape) => {
        const value = neutralize(parts.join(""), shape, { table: true });
        for (const doc of place(shape, value)) expectInert(doc);
      }),
      { numRuns: 800 },
    );
  });

  it("shows the text it neutralises: literal shapes render the same characters", () => {
    const sample = "Fix [a](b) for @octocat <b>now</b> & `x` #1 ~ $y$ *z* _w_ | !";
    const html = renderGfm(neutralize(sample, "inline"));
    const shown = html
      .replace(/<\/?(p|code)>/g, "")
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/&amp;/g, "&")
      .trim();
    expect(shown).toBe(sample);
  });

  it("chooses the fence after removing characters, so a removal cannot join a closing fence", () => {
    // A zero-width space between backticks is dropped; the three backticks it leaves behind must
    // not be able to close the fence.
    const out = neutralize("question?\n``\u200b`\n- [x] approve p1\n", "fence");
    expect(out).toBe("````\nquestion?\n```\n- [x] approve p1\n````");
    expectInert(`${out}\n\nAFTER-SENTINEL`);
  });

  it("an unterminated HTML comment hides nothing after it", () => {
    const out = neutralize("a <!-- b\n\nc", "text");
    expect(renderGfm(`${out}\n\nAFTER-SENTINEL`)).toContain("AFTER-SENTINEL");
    expect(liveConstructs(out).plain).toContain("c");
  });

  it("keeps model prose readable: code spans, emphasis, lists and fenced code stay", () => {
    const prose = "Use `a || b`? No: `foo()` is **wrong**.\n\n- one\n- two\n\n```ts\nconst x = [1];\n```";
    const html = renderGfm(neutralize(prose, "markdown"));
    expect(html).toContain("<code>foo()</code>");
    expect(html).toContain("<strong>wrong</strong>");
    expect(html).toContain("<li>one</li>");
    expect(html).toContain('<pre><code class="language-ts">const x = [1];\n</code></pre>');
    // A code span holding a pipe could split a table cell; it is shown as escaped text instead.
    expect(html).toContain("`a || b`");
  });

  it("drops info strings from the text that GitHub renders as something other than code", () => {
    // Steward chooses "suggestion" for its own code suggestions; untrusted text cannot.
    expect(neutralize("x", "fence", { info: "suggestion" })).toBe("```suggestion\nx\n```");
    expect(neutralize("x", "fence", { info: "ts\n```" })).toBe("```ts\nx\n```");
    expect(neutralize("x", "fence", { info: "`x`" })).toBe("```\nx\n```");
    // A fence at either end of model prose gets a line of its own, whatever the renderer puts around.
    expect(neutralize("```suggestion\nx\n```", "markdown")).toBe("\n```\nx\n```\n");
    expect(neutralize("```math\nx\n```", "markdown")).toBe("\n```\nx\n```\n");
  });

  it("cleans a title without escaping it (GitHub shows titles as text)", () => {
    expect(neutralize("Fix [a](b) \u202eevil\u202c\r\nnext\u0007", "title")).toBe("Fix [a](b) evil next");
  });

  it("caps length before any work, never splitting a surrogate pair", () => {
    expect(neutralize("a".repeat(50), "inline", { max: 10 })).toBe(`${"a".repeat(10)}…`);
    expect(neutralize(`${"a".repeat(9)}😀`, "inline", { max: 10 })).toBe(`${"a".repeat(9)}…`);
    expect(neutralize("x".repeat(5_000_000), "text").length).toBeLessThan(60_010);
  });

  it("is linear: pathological backtick and bracket runs cost what plain text costs", () => {
    const size = 20_000;
    const time = (s: string, as: NeutralizeAs) => {
      const t = performance.now();
      for (let i = 0; i < 5; i++) neutralize(s, as, { max: size });
      return performance.now() - t;
    };
    const plain = time("a ".repeat(size / 2), "markdown");
    // Backtick runs of every length, none matched: a naive matcher rescans the line for each.
    let ticks = "";
    for (let n = 1; ticks.length < size; n++) ticks += `${"`".repeat(n)}a`;
    const worst = Math.max(
      time(ticks, "markdown"),
      time("[".repeat(size), "markdown"),
      time("`a".repeat(size / 2), "markdown"),
      time("@".repeat(size), "text"),
    );
    // Generous: the machine is shared; a quadratic scan of 20,000 characters is hundreds of times slower.
    expect(worst).toBeLessThan(Math.max(plain * 40, 200));
  });
});
