// What the CLI prints often came from outside: log messages (`incidents show/list`), issue titles
// (`issues similar`), audit reasons and actor names (`audit`), job errors (`jobs`), model answers and
// PR text (`review`). A log line can carry terminal escapes: OSC 8 hyperlinks that hide where they
// point, OSC 52 that writes the clipboard, CSI sequences that move the cursor or erase what was
// printed, a carriage return that overprints a line, bidi overrides that reorder it. `main()` passes
// everything it prints through `terminalSafe`, so no command can forget; Steward's own spinner is
// the only output that keeps control characters (`CliIO.control`).

import { isInvisible } from "../llm/untrusted.ts";

const ESC = 0x1b;
const BEL = 0x07;

/** An escape that opens a string ended by BEL or ST: OSC, DCS, SOS, PM, APC (7-bit second byte). */
function opensString(c: number): boolean {
  return c === 0x5d || c === 0x50 || c === 0x58 || c === 0x5e || c === 0x5f;
}

/**
 * `text` without terminal control: escape sequences (CSI, OSC, DCS, … in 7-bit and 8-bit forms) are
 * removed whole, other C0/C1 controls and DEL are dropped, "\r\n" becomes "\n" and a lone "\r" is
 * dropped; "\n" and "\t" stay. Invisible and bidi-override characters are shown as `\uXXXX`: visible
 * in text, and still the same string inside `--json` output (a valid JSON escape there). One pass:
 * an unterminated string is noticed once, then every later opener is dropped on its own.
 */
export function terminalSafe(text: string): string {
  let out = "";
  let noTerminator = false;
  const n = text.length;
  // Index just past the string terminator (BEL, ESC \ or C1 ST) at or after i, or -1.
  const endOfString = (i: number): number => {
    if (noTerminator) return -1;
    for (let j = i; j < n; j++) {
      const c = text.charCodeAt(j);
      if (c === BEL || c === 0x9c) return j + 1;
      if (c === ESC && text.charCodeAt(j + 1) === 0x5c) return j + 2;
    }
    noTerminator = true;
    return -1;
  };
  // Index just past a CSI's final byte, given the index after its introducer.
  const endOfCsi = (i: number): number => {
    let j = i;
    while (j < n) {
      const c = text.charCodeAt(j);
      if (c >= 0x40 && c <= 0x7e) return j + 1;
      if (c < 0x20 || c > 0x3f) return j; // malformed: stop before the stray character
      j++;
    }
    return j;
  };
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a || c === 0x09) {
      out += text[i];
      continue;
    }
    if (c === ESC) {
      const next = text.charCodeAt(i + 1);
      if (next === 0x5b) i = endOfCsi(i + 2) - 1;
      else if (opensString(next)) {
        const end = endOfString(i + 2);
        i = end < 0 ? i + 1 : end - 1;
      } else if (next >= 0x20 && next <= 0x7e) i += 1; // two-character escape (ESC c, ESC 7 …)
      continue;
    }
    if (c === 0x9b) {
      i = endOfCsi(i + 1) - 1;
      continue;
    }
    if (c === 0x9d || c === 0x90 || c === 0x98 || c === 0x9e || c === 0x9f) {
      const end = endOfString(i + 1);
      if (end >= 0) i = end - 1;
      continue;
    }
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) continue;
    if (c >= 0xd800 && c <= 0xdbff) {
      const lo = text.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        const cp = (c - 0xd800) * 0x400 + (lo - 0xdc00) + 0x10000;
        out += isInvisible(cp) ? escaped(c) + escaped(lo) : text[i]! + text[i + 1]!;
        i++;
      }
      continue;
    }
    if (c >= 0xdc00 && c <= 0xdfff) continue;
    out += isInvisible(c) ? escaped(c) : text[i];
  }
  return out;
}

function escaped(unit: number): string {
  return `\\u${unit.toString(16).padStart(4, "0")}`;
}
