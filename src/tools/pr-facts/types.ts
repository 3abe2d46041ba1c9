// Shapes of the deterministic PR facts: computed from the parsed diff alone, no LLM, no I/O.

export interface AreaStat {
  area: string;
  files: number;
  additions: number;
  deletions: number;
}

export interface UntestedSource {
  file: string;
  /** Conventional places a test for this file would live, for the reader. */
  expected: string[];
}

export interface TestFacts {
  /** Changed source files (code, not tests, not docs). */
  sourceFiles: string[];
  /** Changed test files. */
  testFiles: string[];
  /** Source files with no matching test change. */
  untested: UntestedSource[];
}

export type Ecosystem = "npm" | "pypi" | "go" | "cargo" | "rubygems" | "maven";

export interface DependencyChange {
  manifest: string;
  ecosystem: Ecosystem;
  name: string;
  change: "added" | "removed" | "changed";
  /** New version or range, when the manifest states one. */
  version?: string;
  /** Old version for a change. */
  from?: string;
  /** e.g. "devDependencies", "dev-dependencies", "require". */
  section?: string;
}

export interface RiskyPath {
  path: string;
  reason: string;
}

export interface SecretFinding {
  file: string;
  line: number;
  kind: string;
  /** Masked: never more than the first 4 characters of the value. */
  preview: string;
}

export interface LargeFile {
  path: string;
  reason: "large" | "generated" | "binary";
  changedLines: number;
}

export interface PrFacts {
  totals: { files: number; additions: number; deletions: number };
  areas: AreaStat[];
  tests: TestFacts;
  dependencies: DependencyChange[];
  risky: RiskyPath[];
  secrets: SecretFinding[];
  large: LargeFile[];
}

export interface RiskyRule {
  /** One glob or several (picomatch syntax, dotfiles matched). */
  glob: string | string[];
  reason: string;
}

export interface FactsConfig {
  /** Named areas; the first area whose globs match a path wins. Unmatched paths use their top-level dir. */
  areas?: Record<string, string[]>;
  /** Extra risky-path rules, checked after (or instead of) the defaults. */
  riskyPaths?: RiskyRule[];
  /** Set false to use only `riskyPaths`. Default true. */
  defaultRiskyPaths?: boolean;
  /** Changed lines (additions + deletions) from which a file counts as large. Default 1000. */
  largeFileLines?: number;
}
