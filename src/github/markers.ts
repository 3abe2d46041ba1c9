// Hidden markers let Steward find its own comments again (upsert by marker) and keep a little
// state in them, e.g. the last reviewed commit. A marker is one HTML comment on the FIRST line of
// a body:
//
//   <!-- steward:KIND key=KEY part=2 state=BASE64URL_JSON -->
//
// Only the first line counts, so user text that Steward quotes further down (or text a user types)
// can never pose as a marker. KEY is percent-escaped so it cannot contain spaces, `=`, or `>` and
// therefore cannot end the comment early or smuggle in a different key or state.

import { InvalidInputError } from "../errors.ts";

export interface Marker {
  kind: string;
  key: string;
  /** 1-based part index when a long body is split over several comments. */
  part?: number;
  /** Small JSON state; `undefined` when absent or unreadable. */
  state?: unknown;
}

/** Encoded state beyond this length is refused: markers are for small bookkeeping, not payloads. */
export const MARKER_STATE_MAX = 4_000;

const KIND_RE = /^[a-z][a-z0-9_-]{0,39}$/;
const MARKER_RE =
  /^<!-- steward:([a-z][a-z0-9_-]{0,39}) key=([A-Za-z0-9%._~:/@#+-]*)(?: part=([1-9][0-9]{0,3}))?(?: state=([A-Za-z0-9_-]*))? -->/;

/** Characters left as they are in keys; everything else is %XX-escaped (UTF-8). */
const KEY_SAFE = /[A-Za-z0-9._~:/@#+-]/;

function escapeKey(key: string): string {
  let out = "";
  for (const ch of key) {
    if (KEY_SAFE.test(ch)) out += ch;
    else
      for (const byte of new TextEncoder().encode(ch))
        out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

function unescapeKey(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

export function encodeState(state: unknown): string {
  return Buffer.from(JSON.stringify(state), "utf8").toString("base64url");
}

export function decodeState(raw: string): unknown {
  try {
    return JSON.parse(Buffer.from(raw, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
}

/** The marker line (without a trailing newline). Throws InvalidInputError on a bad kind or oversized state. */
export function renderMarker(m: Marker): string {
  if (!KIND_RE.test(m.kind)) {
    throw new InvalidInputError(`marker kind "${m.kind}" must match ${KIND_RE.source}`);
  }
  let out = `<!-- steward:${m.kind} key=${escapeKey(m.key)}`;
  if (m.part !== undefined) {
    if (!Number.isInteger(m.part) || m.part < 1 || m.part > 9999) {
      throw new InvalidInputError(`marker part must be an integer 1..9999, got ${m.part}`);
    }
    out += ` part=${m.part}`;
  }
  if (m.state !== undefined) {
    const encoded = encodeState(m.state);
    if (encoded.length > MARKER_STATE_MAX) {
      throw new InvalidInputError(
        `marker state for ${m.kind}/${m.key} is ${encoded.length} characters encoded; the maximum is ${MARKER_STATE_MAX}`,
      );
    }
    out += ` state=${encoded}`;
  }
  return `${out} -->`;
}

/** The marker on the first line of `body`, or undefined. Never throws. */
export function parseMarker(body: string | null | undefined): Marker | undefined {
  if (typeof body !== "string") return undefined;
  const match = MARKER_RE.exec(body.replace(/^\uFEFF/, ""));
  if (!match) return undefined;
  const key = unescapeKey(match[2]!);
  if (key === undefined) return undefined;
  const marker: Marker = { kind: match[1]!, key };
  if (match[3] !== undefined) marker.part = Number(match[3]);
  if (match[4] !== undefined) {
    const state = decodeState(match[4]);
    if (state !== undefined) marker.state = state;
  }
  return marker;
}

export function hasMarker(body: string | null | undefined, kind: string, key: string): boolean {
  const m = parseMarker(body);
  return m !== undefined && m.kind === kind && m.key === key;
}

/** `body` with its leading marker line removed (what a human sees). */
export function stripMarker(body: string): string {
  const match = MARKER_RE.exec(body);
  if (!match) return body;
  return body.slice(match[0].length).replace(/^\r?\n/, "");
}
