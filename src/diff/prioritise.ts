// Review order when not everything fits: code in the repo's main languages first, then tests,
// then everything else; the biggest change first within each group.
import type { DiffFile } from "./types.ts";

/** GitHub linguist language name → file extensions (lower case, no dot). */
const LANGUAGE_EXT: Record<string, string[]> = {
  JavaScript: ["js", "jsx", "mjs", "cjs"],
  TypeScript: ["ts", "tsx", "mts", "cts"],
  Python: ["py", "pyi"],
  Go: ["go"],
  Rust: ["rs"],
  Java: ["java"],
  Kotlin: ["kt", "kts"],
  Scala: ["scala"],
  "C#": ["cs"],
  C: ["c", "h"],
  "C++": ["cc", "cpp", "cxx", "hpp", "hh", "hxx", "h"],
  "Objective-C": ["m", "h"],
  Swift: ["swift"],
  Ruby: ["rb"],
  PHP: ["php"],
  Elixir: ["ex", "exs"],
  Erlang: ["erl"],
  Haskell: ["hs"],
  Dart: ["dart"],
  Lua: ["lua"],
  Shell: ["sh", "bash", "zsh"],
  Vue: ["vue"],
  Svelte: ["svelte"],
  Zig: ["zig"],
};

const ALL_SOURCE = new Set(Object.values(LANGUAGE_EXT).flat());

export type FileGroup = "source" | "test" | "other";

const TEST_PATH =
  /(^|\/)(tests?|__tests__|spec|specs|testing)\/|(^|\/)test_[^/]*\.py$|_test\.(go|py|rb|exs?)$|[._-](test|spec)\.[cm]?[jt]sx?$|Tests?\.(java|kt|cs|swift)$|_spec\.rb$/i;

function extOf(path: string): string {
  const base = path.slice(path.lastIndexOf("/") + 1);
  const dot = base.lastIndexOf(".");
  return dot <= 0 ? "" : base.slice(dot + 1).toLowerCase();
}

/**
 * Extensions of the repo's main languages: those holding at least `minShare` of the code bytes
 * (GitHub's languages API). Without data, every known source extension counts.
 */
export function mainExtensions(languages?: Record<string, number>, minShare = 0.1): Set<string> {
  if (!languages) return ALL_SOURCE;
  const total = Object.values(languages).reduce((a, b) => a + b, 0);
  const out = new Set<string>();
  const ranked = Object.entries(languages).sort((a, b) => b[1] - a[1]);
  for (const [lang, bytes] of ranked) {
    if (out.size > 0 && (total === 0 || bytes / total < minShare)) break;
    for (const e of LANGUAGE_EXT[lang] ?? []) out.add(e);
  }
  return out.size > 0 ? out : ALL_SOURCE;
}

export function classify(path: string, main: Set<string>): FileGroup {
  if (TEST_PATH.test(path)) return "test";
  return main.has(extOf(path)) ? "source" : "other";
}

const RANK: Record<FileGroup, number> = { source: 0, test: 1, other: 2 };

/** Returns a new array in review order; ties are broken by path so the order is stable. */
export function prioritise(
  files: readonly DiffFile[],
  opts: { languages?: Record<string, number> } = {},
): DiffFile[] {
  const main = mainExtensions(opts.languages);
  return files
    .map((f) => ({ f, g: RANK[classify(f.path, main)], size: f.additions + f.deletions }))
    .sort((a, b) => a.g - b.g || b.size - a.size || (a.f.path < b.f.path ? -1 : a.f.path > b.f.path ? 1 : 0))
    .map((x) => x.f);
}
