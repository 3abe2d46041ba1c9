// Bytes → text per file. A diff may mix encodings (one Latin-1 file among UTF-8 ones); decoding
// each `diff --git` section on its own lets the parser flag only the files that were not UTF-8.

export interface Segment {
  text: string;
  /** Zero-based line number of the segment's first line within the whole input. */
  firstLine: number;
  invalidUtf8: boolean;
}

const strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
const lenient = new TextDecoder("utf-8", { fatal: false, ignoreBOM: false });
const MARK = Buffer.from("\ndiff --git ");

function decode(bytes: Uint8Array): { text: string; invalidUtf8: boolean } {
  try {
    return { text: strict.decode(bytes), invalidUtf8: false };
  } catch {
    return { text: lenient.decode(bytes), invalidUtf8: true };
  }
}

function countNewlines(bytes: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 10) n++;
  return n;
}

export function decodeSegments(input: string | Uint8Array): Segment[] {
  if (typeof input === "string") return [{ text: input, firstLine: 0, invalidUtf8: false }];
  const buf = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const whole = decode(buf);
  if (!whole.invalidUtf8) return [{ text: whole.text, firstLine: 0, invalidUtf8: false }];
  const segments: Segment[] = [];
  let start = 0;
  let line = 0;
  while (start < buf.length) {
    const next = buf.indexOf(MARK, start + 1);
    const end = next < 0 ? buf.length : next + 1;
    const part = buf.subarray(start, end);
    segments.push({ ...decode(part), firstLine: line });
    line += countNewlines(part);
    start = end;
  }
  return segments;
}
