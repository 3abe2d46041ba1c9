// Types for scripts/redos-verdict.mjs, imported by test/security/redos-dynamic.test.ts.
export interface Verdict {
  status: "safe" | "vulnerable" | "unknown" | "not reproduced";
  checker?: string;
  complexity?: { type: string; degree?: number };
  attack?: string;
  replay?: { ms: number | null; chars: number };
  error?: { kind: string; message?: string };
}
export function verdict(source: string, flags: string): Promise<Verdict>;
export function cacheKey(source: string, flags: string): string;
export function loadCache(): Map<string, Verdict>;
export function saveCache(cache: Map<string, Verdict>): void;
