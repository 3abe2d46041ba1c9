// Stable identity of a suggestion across runs, so a re-run never posts the same advice twice.
// Line numbers are never hashed (a push above the code moves them); the file, the gist of the
// summary and the improved code are. The algorithm version is part of the stored value.
import { createHash } from "node:crypto";

export const FINGERPRINT_VERSION = "v1";

/** Lower case, letters and digits only, single spaces: "Use `const`!" ≡ "use const". */
export function normalizeSummary(summary: string): string {
  return summary
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

/** Whitespace-insensitive code: indentation, blank lines and trailing spaces do not matter. */
export function normalizeCode(code: string): string {
  return code
    .split(/\r?\n/)
    .map((l) => l.trim().replace(/\s+/g, " "))
    .filter((l) => l !== "")
    .join("\n");
}

export function suggestionFingerprint(s: { file: string; summary: string; improvedCode: string }): string {
  const h = createHash("sha256")
    .update(
      [FINGERPRINT_VERSION, s.file, normalizeSummary(s.summary), normalizeCode(s.improvedCode)].join("\0"),
    )
    .digest("hex");
  return `${FINGERPRINT_VERSION}:${h.slice(0, 20)}`;
}

export function fingerprintMarker(fp: string): string {
  return `<!-- steward:suggestion fp=${fp} -->`;
}

const MARKER_RE = /<!-- steward:suggestion fp=(v\d+:[0-9a-f]{8,64}) -->/g;

/** Fingerprints found in the hidden markers of earlier comments. */
export function parsePostedFingerprints(bodies: Iterable<string | null | undefined>): Set<string> {
  const out = new Set<string>();
  for (const body of bodies) {
    if (!body) continue;
    for (const m of body.matchAll(MARKER_RE)) out.add(m[1]!);
  }
  return out;
}

/** Splits suggestions into new ones and ones already posted (by fingerprint), keeping order. */
export function dedupeSuggestions<T extends { file: string; summary: string; improvedCode: string }>(
  suggestions: T[],
  posted: Set<string>,
): { fresh: Array<T & { fingerprint: string }>; duplicates: Array<T & { fingerprint: string }> } {
  const fresh: Array<T & { fingerprint: string }> = [];
  const duplicates: Array<T & { fingerprint: string }> = [];
  const seen = new Set(posted);
  for (const s of suggestions) {
    const fingerprint = suggestionFingerprint(s);
    if (seen.has(fingerprint)) duplicates.push({ ...s, fingerprint });
    else {
      seen.add(fingerprint);
      fresh.push({ ...s, fingerprint });
    }
  }
  return { fresh, duplicates };
}
