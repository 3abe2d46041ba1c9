// Files and lines changed, grouped by area: a configured glob group, else the top-level directory.
import picomatch from "picomatch";
import type { DiffFile } from "../../diff/types.ts";
import type { AreaStat } from "./types.ts";

export const ROOT_AREA = "(root)";

export function areaMatcher(areas: Record<string, string[]> | undefined): (path: string) => string {
  const rules = Object.entries(areas ?? {}).map(([name, globs]) => ({
    name,
    match: picomatch(globs, { dot: true }),
  }));
  return (path) => {
    for (const r of rules) if (r.match(path)) return r.name;
    const slash = path.indexOf("/");
    return slash > 0 ? path.slice(0, slash) : ROOT_AREA;
  };
}

export function areaStats(files: DiffFile[], areas?: Record<string, string[]>): AreaStat[] {
  const areaOf = areaMatcher(areas);
  const byArea = new Map<string, AreaStat>();
  for (const f of files) {
    const area = areaOf(f.path);
    const s = byArea.get(area) ?? { area, files: 0, additions: 0, deletions: 0 };
    s.files++;
    s.additions += f.additions;
    s.deletions += f.deletions;
    byArea.set(area, s);
  }
  // Biggest change first; name breaks ties so output is stable.
  return [...byArea.values()].sort(
    (a, b) => b.additions + b.deletions - (a.additions + a.deletions) || a.area.localeCompare(b.area),
  );
}
