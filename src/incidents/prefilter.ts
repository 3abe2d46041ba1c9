// A byte scan that answers "could this JSON line be an error under the default policy?" without
// decoding or parsing it. False positives only cost a JSON.parse; false negatives would lose
// errors, so every trigger is broader than the policy it stands for.
//
// Triggers (ASCII case-insensitive): "rr" (err, error, ERROR), "xc" (exception, exc_info), "stack",
// "throw", "fatal", "crit", "severe", "panic", "emerg", "alert"; and numeric levels/statuses:
// "level":≥50, "level_value":≥40000, "severity_number":17–24, "status…":5xx.

const enc = (s: string) => Uint8Array.from(Buffer.from(s, "latin1"));
const WORDS: Record<number, Uint8Array[]> = {};
for (const w of ["fatal", "crit", "severe", "panic", "emerg", "alert", "throw"]) {
  const list = WORDS[w.charCodeAt(0)] ?? [];
  list.push(enc(w));
  WORDS[w.charCodeAt(0)] = list;
}
const K_LEVEL = enc('level"');
const K_LEVEL_VALUE = enc('level_value"');
const K_SEV1 = enc('severity_number"');
const K_SEV2 = enc('severitynumber"');
const K_STATUS = [enc('statuscode"'), enc('status_code"'), enc('status"')];

function at(buf: Uint8Array, i: number, end: number, w: Uint8Array): boolean {
  if (i + w.length > end) return false;
  for (let k = 0; k < w.length; k++) if ((buf[i + k]! | 0x20) !== (w[k]! | 0x20)) return false;
  return true;
}

/** Index of the first value byte after `"key":`, skipping spaces and one opening quote; -1 if none. */
function valueStart(buf: Uint8Array, i: number, end: number): number {
  if (i >= end || buf[i] !== 0x3a) return -1;
  i++;
  while (i < end && (buf[i] === 0x20 || buf[i] === 0x22)) i++;
  return i < end ? i : -1;
}

const digit = (b: number | undefined) => b !== undefined && b >= 0x30 && b <= 0x39;

function numericTrigger(buf: Uint8Array, i: number, end: number): boolean {
  // i is just past a '"'
  const c = buf[i]! | 0x20;
  if (c === 0x6c) {
    if (at(buf, i, end, K_LEVEL)) {
      const v = valueStart(buf, i + K_LEVEL.length, end);
      return v >= 0 && buf[v]! >= 0x35 && buf[v]! <= 0x39 && digit(buf[v + 1]);
    }
    if (at(buf, i, end, K_LEVEL_VALUE)) {
      const v = valueStart(buf, i + K_LEVEL_VALUE.length, end);
      return v >= 0 && buf[v]! >= 0x34 && digit(buf[v + 4]);
    }
  } else if (c === 0x73) {
    for (const k of [K_SEV1, K_SEV2]) {
      if (!at(buf, i, end, k)) continue;
      const v = valueStart(buf, i + k.length, end);
      if (v < 0 || !digit(buf[v + 1])) return false;
      const n = (buf[v]! - 0x30) * 10 + (buf[v + 1]! - 0x30);
      return n >= 17 && n <= 24;
    }
    for (const k of K_STATUS) {
      if (!at(buf, i, end, k)) continue;
      const v = valueStart(buf, i + k.length, end);
      return v >= 0 && buf[v]! >= 0x35 && buf[v]! <= 0x39 && digit(buf[v + 1]) && digit(buf[v + 2]);
    }
  }
  return false;
}

export function maybeError(buf: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const b = buf[i]!;
    if (b === 0x22) {
      if (numericTrigger(buf, i + 1, end)) return true;
      continue;
    }
    const c = b | 0x20;
    if (c === 0x72) {
      if ((buf[i + 1]! | 0x20) === 0x72) return true;
    } else if (c === 0x78) {
      if ((buf[i + 1]! | 0x20) === 0x63) return true;
    } else if (c === 0x6b) {
      if (
        i - 4 >= start &&
        (buf[i - 1]! | 0x20) === 0x63 &&
        (buf[i - 2]! | 0x20) === 0x61 &&
        (buf[i - 3]! | 0x20) === 0x74 &&
        (buf[i - 4]! | 0x20) === 0x73
      )
        return true;
    } else {
      const ws = WORDS[c];
      if (ws) for (const w of ws) if (at(buf, i, end, w)) return true;
    }
  }
  return false;
}
