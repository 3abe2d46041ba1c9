// Entry point of the deterministic facts: one pure function over the parsed diff.
import type { DiffFile } from "../../diff/types.ts";
import { areaStats } from "./areas.ts";
import { dependencyChanges } from "./deps.ts";
import { DEFAULT_RISKY_RULES, largeFiles, riskyPaths } from "./risky.ts";
import { secretFindings } from "./secrets.ts";
import { testFacts } from "./tests.ts";
import type { FactsConfig, PrFacts } from "./types.ts";

export const DEFAULT_LARGE_FILE_LINES = 1000;

export function computeFacts(files: DiffFile[], config: FactsConfig = {}): PrFacts {
  const rules = [
    ...(config.defaultRiskyPaths === false ? [] : DEFAULT_RISKY_RULES),
    ...(config.riskyPaths ?? []),
  ];
  return {
    totals: {
      files: files.length,
      additions: files.reduce((n, f) => n + f.additions, 0),
      deletions: files.reduce((n, f) => n + f.deletions, 0),
    },
    areas: areaStats(files, config.areas),
    tests: testFacts(files),
    dependencies: dependencyChanges(files),
    risky: riskyPaths(files, rules),
    secrets: secretFindings(files),
    large: largeFiles(files, config.largeFileLines ?? DEFAULT_LARGE_FILE_LINES),
  };
}
