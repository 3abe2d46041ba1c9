// New, removed and changed dependencies, read from the added/removed lines of package manifests.
// Only the diff is available, so each manifest's section is tracked from the hunk's own lines
// (context included); an entry is "added" when its name appears only on the new side.
import type { DiffFile, DiffLine } from "../../diff/types.ts";
import {
  cargoEntry,
  gemEntry,
  goModEntry,
  type ManifestEntry,
  npmEntry,
  pomEntries,
  pyprojectEntry,
  requirementsEntry,
  type SectionState,
} from "./manifests.ts";
import type { DependencyChange, Ecosystem } from "./types.ts";

interface ManifestKind {
  ecosystem: Ecosystem;
  match: RegExp;
  /** Reads the dependency on `line`, given the section the tracker is in. */
  entry?: (line: DiffLine, state: SectionState) => ManifestEntry[];
  /** Whole-hunk readers (XML) return their own entries. */
  hunk?: (lines: DiffLine[]) => Array<ManifestEntry & { side: "add" | "del" }>;
}

const KINDS: ManifestKind[] = [
  { ecosystem: "npm", match: /(^|\/)package\.json$/, entry: npmEntry },
  { ecosystem: "pypi", match: /(^|\/)requirements[^/]*\.(txt|in)$/i, entry: requirementsEntry },
  { ecosystem: "pypi", match: /(^|\/)requirements\/[^/]+\.(txt|in)$/i, entry: requirementsEntry },
  { ecosystem: "pypi", match: /(^|\/)pyproject\.toml$/, entry: pyprojectEntry },
  { ecosystem: "go", match: /(^|\/)go\.mod$/, entry: goModEntry },
  { ecosystem: "cargo", match: /(^|\/)Cargo\.toml$/, entry: cargoEntry },
  { ecosystem: "rubygems", match: /(^|\/)(Gemfile|[^/]+\.gemspec)$/, entry: gemEntry },
  { ecosystem: "maven", match: /(^|\/)pom\.xml$/, hunk: pomEntries },
];

export function manifestKind(path: string): ManifestKind | undefined {
  return KINDS.find((k) => k.match.test(path));
}

interface Side {
  version?: string;
  section?: string;
}

export function dependencyChanges(files: DiffFile[]): DependencyChange[] {
  const out: DependencyChange[] = [];
  for (const f of files) {
    const kind = manifestKind(f.path);
    if (!kind || f.binary) continue;
    const added = new Map<string, Side>();
    const removed = new Map<string, Side>();
    const record = (e: ManifestEntry, side: "add" | "del") => {
      const m = side === "add" ? added : removed;
      if (!m.has(e.name)) m.set(e.name, { version: e.version, section: e.section });
    };
    for (const h of f.hunks) {
      if (kind.hunk) {
        for (const e of kind.hunk(h.lines)) record(e, e.side);
        continue;
      }
      const state: SectionState = { section: null };
      for (const line of h.lines) {
        const entries = kind.entry!(line, state);
        if (line.kind !== "ctx") for (const e of entries) record(e, line.kind);
      }
    }
    for (const [name, a] of added) {
      const r = removed.get(name);
      if (!r) {
        out.push(clean({ manifest: f.path, ecosystem: kind.ecosystem, name, change: "added", ...a }));
      } else if (r.version !== a.version || r.section !== a.section) {
        out.push(
          clean({
            manifest: f.path,
            ecosystem: kind.ecosystem,
            name,
            change: "changed",
            version: a.version,
            from: r.version,
            section: a.section,
          }),
        );
      }
    }
    for (const [name, r] of removed) {
      if (!added.has(name)) {
        out.push(clean({ manifest: f.path, ecosystem: kind.ecosystem, name, change: "removed", ...r }));
      }
    }
  }
  return out;
}

function clean(d: DependencyChange): DependencyChange {
  const o: DependencyChange = {
    manifest: d.manifest,
    ecosystem: d.ecosystem,
    name: d.name,
    change: d.change,
  };
  if (d.version !== undefined) o.version = d.version;
  if (d.from !== undefined) o.from = d.from;
  if (d.section !== undefined) o.section = d.section;
  return o;
}
