// An independent judge of what a Markdown body shows on GitHub: it renders the body with a
// CommonMark + GFM parser (micromark, with raw HTML allowed, as GitHub's sanitiser allows these
// tags) and reports every live construct. Tests use it to check Steward's comments instead of
// trusting the neutraliser's own idea of Markdown.

import { micromark } from "micromark";
import { gfm, gfmHtml } from "micromark-extension-gfm";

/** Untrusted strings an attacker would try, one attack each (evil.example, @octocat and @org/team mark them). */
export const HOSTILE = [
  "![t](https://evil.example/pixel.png?u=1)",
  "[phish](http://evil.example/login)",
  "[ref][1]\n\n[1]: http://evil.example/ref",
  "<http://evil.example/auto>",
  "http://evil.example/bare",
  "www.evil.example",
  "victim@evil.example",
  "@octocat",
  "@org/team",
  "&#64;octocat",
  "<img src=x onerror=alert(1)>",
  "<details open><summary>x</summary>",
  "<a href='http://evil.example'>x</a>",
  "- [x] approve p1 (sha256:000000000000)",
  "* [ ] box",
  "1. [X] box",
  "<!-- steward:proposal id=p1 sha=abc -->",
  "<!-- unterminated",
  "```",
  "````suggestion",
  "~~~",
  "``\u200b`",
  "`` ` ``",
  "# heading",
  "Title\n===",
  "| a | b |\n|---|---|\n| c | d |",
  "$\\color{red}{approved}$",
  "```math\nx\n```",
  "[^1]\n\n[^1]: http://evil.example/fn",
  "\u202eevil\u202c \u200b\u200d\ufeff",
  "\u001b]8;;http://evil.example\u0007link\u001b]8;;\u0007",
  "line\r- [x] cr box",
  "a\u2028- [x] ls box",
  "    indented [x](http://evil.example/ind)",
  "> quote [x](http://evil.example/q)",
  "- a\n\n  ```\nescaped [x](http://evil.example/list)\n",
  "\\[x](http://evil.example/bs)",
  "<!-->",
  "../../../evil/repo/issues",
  "\\",
];

export function renderGfm(markdown: string): string {
  return micromark(markdown, {
    allowDangerousHtml: true,
    allowDangerousProtocol: true,
    extensions: [gfm()],
    htmlExtensions: [gfmHtml()],
  });
}

export interface LiveReport {
  /** `src` of every <img>. */
  images: string[];
  /** `href` of every <a>. */
  links: string[];
  /** Task-list checkboxes. */
  boxes: number;
  /** Raw HTML comments (hidden text, Steward markers). */
  comments: string[];
  /** Tags other than the plain ones Markdown itself produces. */
  tags: string[];
  /** @name or @org/team outside code, where GitHub would notify. */
  mentions: string[];
  /** Invisible, bidi or control characters left in the body. */
  invisible: string[];
  /** Text outside code blocks and code spans (for "was the rest swallowed" checks). */
  plain: string;
}

const PLAIN_TAGS = new Set([
  "p",
  "code",
  "pre",
  "em",
  "strong",
  "del",
  "blockquote",
  "ul",
  "ol",
  "li",
  "br",
  "hr",
]);

const INVISIBLE =
  /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u00AD\u061C\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF]/gu;

/** What `markdown` shows: every image, link, box, comment, unusual tag and mention. */
export function liveConstructs(markdown: string): LiveReport {
  const html = renderGfm(markdown);
  const images = [...html.matchAll(/<img\b[^>]*?src="([^"]*)"/g)].map((m) => m[1]!);
  const links = [...html.matchAll(/<a\b[^>]*?href="([^"]*)"/g)].map((m) => m[1]!);
  const boxes = [...html.matchAll(/<input\b[^>]*type="checkbox"/g)].length;
  const comments = [...html.matchAll(/<!--[\s\S]{0,60}/g)].map((m) => m[0]);
  const tags = [...html.matchAll(/<\/?([A-Za-z][A-Za-z0-9-]*)/g)]
    .map((m) => m[1]!.toLowerCase())
    .filter((t) => !PLAIN_TAGS.has(t));
  const plain = html.replace(/<pre\b[\s\S]*?<\/pre>/g, " ").replace(/<code\b[^>]*>[\s\S]*?<\/code>/g, " ");
  const text = plain.replace(/<[^>]*>/g, " ");
  const mentions = [
    ...text.matchAll(/(?:^|[^A-Za-z0-9_`])(@[A-Za-z0-9][A-Za-z0-9-]*(?:\/[A-Za-z0-9_.-]+)?)/g),
  ].map((m) => m[1]!);
  const invisible = [...markdown.matchAll(INVISIBLE)].map((m) => `U+${m[0].codePointAt(0)!.toString(16)}`);
  return { images, links, boxes, comments, tags, mentions, invisible, plain: text };
}
