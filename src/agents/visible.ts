// What GitHub shows of a comment, for the parsers that decide whether it holds a command or a ticked
// approval box: HTML comments (`<!-- … -->`) render as nothing, so nothing inside one may count. A
// reader who sees "LGTM" must not have approved anything.
//
// Line-based and linear: fenced code blocks are kept verbatim (`<!--` inside a fence is literal text);
// outside them, every `<!--` starts a comment that ends at the next `-->` (or `--!>`), possibly lines
// later; an unterminated one hides the rest of the comment, as on GitHub. Removing a comment joins
// what was before and after it on one line, as GitHub renders it. Over-removal is safe here: it can
// only make a command or box not count.

const FENCE = /^ {0,3}(`{3,}|~{3,})/;

export function stripHtmlComments(body: string): string {
  const lines = body.replace(/\r\n?/g, "\n").split("\n");
  const out: string[] = [];
  let fence: string | null = null;
  let inComment = false;
  let carry = ""; // text before a comment that spans lines, joined with what follows it
  for (const line of lines) {
    if (!inComment) {
      const f = FENCE.exec(line);
      if (fence) {
        if (f && f[1]![0] === fence[0] && f[1]!.length >= fence.length && line.trim() === f[1]) fence = null;
        out.push(line);
        continue;
      }
      if (f) {
        fence = f[1]!;
        out.push(line);
        continue;
      }
    }
    let rest = line;
    let kept = carry;
    carry = "";
    for (;;) {
      if (inComment) {
        const end = closeAt(rest);
        if (end === -1) break;
        rest = rest.slice(end);
        inComment = false;
      }
      const open = rest.indexOf("<!--");
      if (open === -1) {
        kept += rest;
        rest = "";
        break;
      }
      kept += rest.slice(0, open);
      rest = rest.slice(open + 4);
      inComment = true;
      // "<!-->" and "<!--->" are complete (empty) comments.
      if (rest.startsWith(">")) {
        rest = rest.slice(1);
        inComment = false;
      } else if (rest.startsWith("->")) {
        rest = rest.slice(2);
        inComment = false;
      }
    }
    if (inComment) carry = kept;
    else out.push(kept);
  }
  if (carry) out.push(carry);
  return out.join("\n");
}

/** Index just past the comment's end (`-->` or `--!>`) in `text`, or -1. */
function closeAt(text: string): number {
  const a = text.indexOf("-->");
  const b = text.indexOf("--!>");
  if (a === -1 && b === -1) return -1;
  if (b === -1 || (a !== -1 && a < b)) return a + 3;
  return b + 4;
}
