// Length caps for outside text before any regular expression sees it. Steward runs on one event
// loop: a regex that is linear-time still costs time in proportion to its input, and a regex that is
// not (every exception is justified with `redos-ok` and listed by `npm run check:redos`) must only ever
// see a bounded input. Each cap says what it bounds and why the number is large enough for real input.
// docs/SECURITY.md (section C) lists them for users.

export const CAPS = {
  /**
   * One line of a manifest (package.json, pyproject.toml, go.mod, Cargo.toml, Gemfile, pom.xml) that
   * the dependency readers look at. A real declaration is a few hundred characters at most; longer
   * lines are not read as declarations.
   */
  manifestLine: 4_096,
  /**
   * One added diff line scanned for possible secrets. Minified bundles have very long lines, so the
   * scan covers this much of each line (secrets further in are not reported).
   */
  secretLine: 16_384,
  /**
   * A line of a changed file tested as a function or class header (diff/extend.ts). Real headers fit;
   * a longer line is tested on its first this-many characters.
   */
  headerLine: 200,
  /**
   * One line of a stack trace parsed as a frame (V8, Python, Java, Go). Real frames are well under
   * this; a longer line is treated as message text, not a frame.
   */
  stackLine: 4_096,
  /**
   * Text that a pattern from `.github/steward.yml` is matched against (incident fingerprint rules,
   * `pr.ignore.title`). Those patterns are written by the repository's maintainers and cannot be
   * checked when Steward is built, so the text they see is short. PR titles are at most 256 anyway.
   */
  configPatternInput: 1_024,
} as const;

/**
 * `text` cut to at most `max` UTF-16 code units, never splitting a surrogate pair. Callers use it
 * right before matching, so the cost of any regex on the result is bounded whatever arrives.
 */
export function capText(text: string, max: number): string {
  if (text.length <= max) return text;
  const code = text.charCodeAt(max - 1);
  // A high surrogate at the cut would leave half a character behind.
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

/** True when `text` is longer than `max`: for readers that skip an over-long line instead of cutting it. */
export function overCap(text: string, max: number): boolean {
  return text.length > max;
}
