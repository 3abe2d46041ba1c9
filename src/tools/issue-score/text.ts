// Turns an issue body (Markdown, HTML, or garbage) into the pieces the detectors read: prose lines,
// fenced code blocks and headed sections. Everything is bounded so a 1 MB body costs the same as a
// 100 kB one.
import { trimEndWhere } from "../../linear-text.ts";

/** Only the first this-many characters of a body are scanned; issues that long are logs pasted whole. */
export const MAX_SCAN_CHARS = 100_000;
/** Longer lines are cut before any regex sees them, which keeps every pattern linear. */
export const MAX_LINE_CHARS = 2_000;

export interface CodeBlock {
  lang: string;
  text: string;
}

export interface Section {
  heading: string;
  /** Text under the heading (code included), trimmed. */
  content: string;
  /** The answer is empty, `_No response_`, `N/A`, … */
  empty: boolean;
}

export interface PreparedText {
  /** Prose lines, code, headings and template boilerplate removed. */
  prose: string[];
  code: CodeBlock[];
  sections: Section[];
  /** Every line, prose and code, for shape detectors (stack traces). */
  allLines: string[];
  /** Raw text after HTML normalisation, for URL/image detectors. */
  flat: string;
  truncated: boolean;
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'", nbsp: " " };

/** HTML-only bodies (some clients post them) become Markdown-ish text the detectors understand. */
export function htmlToMarkdown(s: string): string {
  // redos-ok: bounded repeats ({0,200}/{0,500}) make every attempt read at most ~500 characters, but a 100,000-character `<A<A…` body still costs V8 ~0.2-0.3 s per pattern here; issue scoring runs in the compute pool under its time budget (tools/issues/score.ts), never on the event loop
  if (!/<[a-zA-Z][^>]{0,200}>/.test(s)) return s;
  return (
    s
      // redos-ok: bounded repeat ({0,200}/{0,500}): one attempt reads at most ~500 characters
      .replace(/<h([1-6])[^>]{0,200}>/gi, (_m, n: string) => `\n${"#".repeat(Number(n))} `)
      .replace(/<\/h[1-6]>/gi, "\n")
      // redos-ok: bounded repeat ({0,200}/{0,500}): one attempt reads at most ~500 characters
      .replace(/<pre[^>]{0,200}>\s*(?:<code[^>]{0,200}>)?/gi, "\n```\n")
      .replace(/(?:<\/code>\s*)?<\/pre>/gi, "\n```\n")
      // redos-ok: bounded repeat ({0,200}/{0,500}): one attempt reads at most ~500 characters
      .replace(/<img\b[^>]{0,500}>/gi, (m) => {
        const src = /src\s*=\s*["']([^"']{1,400})["']/i.exec(m)?.[1] ?? "image";
        return `![image](${src})`;
      })
      // redos-ok: bounded repeat ({0,200}/{0,500}): one attempt reads at most ~500 characters
      .replace(/<ol[^>]{0,200}>/gi, "\n<ol>")
      // redos-ok: bounded repeat: ~0.2 s on a 100,000-character `<li<li…` body in V8; runs in the compute pool (see above)
      .replace(/<li[^>]{0,200}>/gi, "\n- ")
      .replace(/<br\s*\/?>|<\/p>|<\/div>|<\/li>/gi, "\n")
      .replace(/<code>/gi, "`")
      .replace(/<\/code>/gi, "`")
      // redos-ok: bounded repeat ({0,200}/{0,500}): one attempt reads at most ~500 characters
      .replace(/<(?!ol>)\/?[a-zA-Z][^>]{0,500}>/g, "")
      .replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (_m, e: string) => ENTITIES[e] ?? "")
      .replace(/<ol>((?:\n- [^\n]*)+)/g, (_m, items: string) => {
        let n = 0;
        return items.replace(/\n- /g, () => `\n${++n}. `);
      })
  );
}

// Instruction text of GitHub's default templates. Left in place it would "mention" every element
// ("A clear and concise description of what you expected to happen") and score an untouched template.
const TEMPLATE_LINE =
  /^\s*(?:[-*]\s*|\d+\.\s*)?(?:A clear and concise description of|Steps to reproduce the behaviou?r|If applicable, add screenshots|Add any other context (?:or screenshots )?about the (?:problem|feature request) here|Go to '\.{2,}'|Click on '\.{2,}'|Scroll down to '\.{2,}'|See error\.?$)|\[e\.g\.|\be\.g\. \[/i;

export function isTemplateLine(line: string): boolean {
  return TEMPLATE_LINE.test(line);
}

const EMPTY_ANSWER = /^(?:_?no response_?|n\/?a|none|nothing|-+|\.+|tbd|todo|no|\?+)\.?$/i;

export function isEmptyAnswer(content: string): boolean {
  const kept = content
    .split("\n")
    .filter((l) => !isTemplateLine(l))
    .join("\n");
  const t = trimEndWhere(kept, (c) => /[*_`>\s]/.test(c)).trim();
  return t.length === 0 || EMPTY_ANSWER.test(t) || /^_no response_$/i.test(kept.trim());
}

// "**Steps to reproduce**" or "Expected behavior:" alone on a line act as headings in free-form issues.
const PSEUDO_HEADING = /^(?:\*\*|__)([^*_]{2,80})(?:\*\*|__):?\s*$|^([A-Z][A-Za-z /()'-]{2,60}):\s*$/;

export function prepareText(rawBody: string | null | undefined): PreparedText {
  let body = typeof rawBody === "string" ? rawBody : "";
  const truncated = body.length > MAX_SCAN_CHARS;
  if (truncated) body = body.slice(0, MAX_SCAN_CHARS);
  body = body.replace(/\r\n?/g, "\n").replace(/<!--[\s\S]*?(?:-->|$)/g, "");
  body = htmlToMarkdown(body);

  const prose: string[] = [];
  const code: CodeBlock[] = [];
  const allLines: string[] = [];
  const sections: Section[] = [];
  let current: { heading: string; lines: string[] } | null = null;
  let fence: { marker: string; lang: string; lines: string[] } | null = null;

  const closeSection = () => {
    if (!current) return;
    const content = current.lines.join("\n").trim();
    sections.push({ heading: current.heading, content, empty: isEmptyAnswer(content) });
    current = null;
  };

  for (const rawLine of body.split("\n")) {
    const line = rawLine.length > MAX_LINE_CHARS ? rawLine.slice(0, MAX_LINE_CHARS) : rawLine;
    allLines.push(line);
    if (fence) {
      if (line.trim().startsWith(fence.marker)) {
        code.push({ lang: fence.lang, text: fence.lines.join("\n") });
        fence = null;
      } else fence.lines.push(line);
      current?.lines.push(line);
      continue;
    }
    const open = /^\s{0,3}(`{3,}|~{3,})\s*([\w+#.-]*)/.exec(line);
    if (open) {
      fence = { marker: open[1]!, lang: open[2]!.toLowerCase(), lines: [] };
      current?.lines.push(line);
      continue;
    }
    // redos-ok: lines are cut to MAX_LINE_CHARS (2,000) by prepareText and bodies to MAX_SCAN_CHARS; the heading text is bounded ({1,200}) and the line is anchored
    const heading = /^\s{0,3}#{1,6}\s+(.{1,200}?)\s*#*\s*$/.exec(line);
    const pseudo = heading ? null : PSEUDO_HEADING.exec(line.trim());
    if (heading || pseudo) {
      closeSection();
      current = { heading: (heading?.[1] ?? pseudo?.[1] ?? pseudo?.[2] ?? "").trim(), lines: [] };
      continue;
    }
    if (!isTemplateLine(line)) prose.push(line);
    current?.lines.push(line);
  }
  // An unclosed fence still holds code (people forget the closing backticks).
  if (fence) code.push({ lang: fence.lang, text: fence.lines.join("\n") });
  closeSection();
  return { prose, code, sections, allLines, flat: body, truncated };
}

/** A short, single-line quote of matched text for `evidence`. */
export function snippet(text: string, max = 80): string {
  const one = text.replace(/\s+/g, " ").trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}
