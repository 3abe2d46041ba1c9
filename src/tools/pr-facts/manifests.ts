// Line readers for package manifests. Each sees every hunk line in order (context too) so it can
// track which section it is in, and returns the dependencies the line declares.
// Every pattern here is linear-time (npm run check:redos) and sees at most CAPS.manifestLine characters:
// a PR author controls these lines, and automatic review runs on every push without a permission check.
import { CAPS, overCap } from "../../caps.ts";
import type { DiffLine } from "../../diff/types.ts";

export interface ManifestEntry {
  name: string;
  version?: string;
  section?: string;
}

export interface SectionState {
  section: string | null;
  /** For pyproject: inside a `dependencies = [` array of the current table. */
  inArray?: boolean;
}

function entry(name: string, version: string | undefined, section: string | null): ManifestEntry {
  const e: ManifestEntry = { name };
  const v = version?.trim();
  if (v) e.version = v;
  if (section) e.section = section;
  return e;
}

const NPM_DEP_SECTIONS = new Set([
  "dependencies",
  "devDependencies",
  "peerDependencies",
  "optionalDependencies",
  "bundleDependencies",
]);
const NPM_VERSIONISH =
  /^(\^|~|>=?|<=?|=|\*|\d|x\b|latest$|next$|workspace:|npm:|file:|link:|git|github:|https?:)/;
const NPM_NOT_DEPS = new Set(["node", "npm", "yarn", "pnpm", "bun", "version", "vscode"]);

/** The trimmed line, or null when it is too long to be a declaration (see CAPS.manifestLine). */
function manifestText(line: DiffLine): string | null {
  return overCap(line.text, CAPS.manifestLine) ? null : line.text.trim();
}

export function npmEntry(line: DiffLine, state: SectionState): ManifestEntry[] {
  const t = manifestText(line);
  if (t === null) return [];
  const open = /^"([^"]+)"\s*:\s*\{/.exec(t);
  if (open) {
    state.section = open[1]!;
    return [];
  }
  if (/^}/.test(t)) {
    state.section = null;
    return [];
  }
  const m = /^"(@?[^"\s]+)"\s*:\s*"([^"]*)"\s*,?$/.exec(t);
  if (!m) return [];
  const [, name, spec] = m as unknown as [string, string, string];
  if (state.section !== null) {
    return NPM_DEP_SECTIONS.has(state.section) ? [entry(name, spec, state.section)] : [];
  }
  // The hunk starts inside a section whose header is not shown: accept only version-like values.
  if (NPM_NOT_DEPS.has(name) || !NPM_VERSIONISH.test(spec)) return [];
  return [entry(name, spec, null)];
}

/** PEP 503 normalisation, so `Foo_Bar` and `foo-bar` are one package. */
function pyName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, "-");
}

const PEP508 = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(\(?\s*(?:===|[<>=!~]=?)[^;#]*)?/;

export function requirementsEntry(line: DiffLine, _state: SectionState): ManifestEntry[] {
  const t = manifestText(line);
  if (t === null || t === "" || t.startsWith("#") || t.startsWith("-") || /^[a-z+]+:\/\//i.test(t)) return [];
  const m = PEP508.exec(t);
  if (!m) return [];
  return [entry(pyName(m[1]!), m[3]?.replace(/[()]/g, ""), null)];
}

function pep508Strings(text: string, section: string | null): ManifestEntry[] {
  const out: ManifestEntry[] = [];
  for (const q of text.matchAll(/"([^"]+)"|'([^']+)'/g)) {
    const m = PEP508.exec((q[1] ?? q[2])!.trim());
    if (m) out.push(entry(pyName(m[1]!), m[3]?.replace(/[()]/g, ""), section));
  }
  return out;
}

/**
 * `[tool.poetry]` / `[[tool.poetry.source]]` → the table name, else null. Written out by hand: the
 * regex it replaces (`^\[+\s*([^\]]+?)\s*\]+$`) is cubic, and one line of `[` and tabs stalled the server.
 */
export function tomlHeader(t: string): string | null {
  if (!t.startsWith("[") || !t.endsWith("]")) return null;
  let start = 0;
  while (t[start] === "[") start++;
  let end = t.length;
  while (end > start && t[end - 1] === "]") end--;
  const inner = t.slice(start, end);
  if (inner.includes("]")) return null;
  // Edge cases kept as the old regex had them: `[[]` names the table `[`, `[ \t]` names it `\t`.
  if (inner === "") return start >= 2 ? "[" : null;
  return inner.trim() || inner[inner.length - 1]!;
}

/** `text` up to its first `mark`, or all of it. */
function before(text: string, mark: string): string {
  const i = text.indexOf(mark);
  return i < 0 ? text : text.slice(0, i);
}

export function pyprojectEntry(line: DiffLine, state: SectionState): ManifestEntry[] {
  const t = manifestText(line);
  if (t === null) return [];
  const header = tomlHeader(t);
  if (header !== null) {
    state.section = header;
    state.inArray = false;
    return [];
  }
  const sec = state.section;
  if (state.inArray) {
    if (t.startsWith("]")) {
      state.inArray = false;
      return [];
    }
    return pep508Strings(before(t, "#"), sec);
  }
  // PEP 621 `dependencies = [...]`, optional-dependencies / dependency-groups `name = [...]`.
  const arr = /^([A-Za-z0-9_.-]+)\s*=\s*\[(.*)$/.exec(t);
  const arrayTable =
    sec === "project" || sec === "project.optional-dependencies" || sec === "dependency-groups";
  if (arr && arrayTable && (sec !== "project" || arr[1] === "dependencies")) {
    const rest = arr[2]!;
    if (!rest.includes("]")) state.inArray = true;
    return pep508Strings(before(rest, "]"), sec);
  }
  // Poetry-style tables: `name = "^1.2"` or `name = { version = "^1.2", ... }`.
  if (sec && /(^|\.)dependencies$/.test(sec) && !sec.startsWith("project")) {
    const kv = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*=\s*(\S.*)$/.exec(t);
    if (!kv || kv[1] === "python") return [];
    return [entry(pyName(kv[1]!), tomlVersion(kv[2]!), sec)];
  }
  // Inside an array whose opening line is outside the hunk.
  if (sec === null && /^["'][A-Za-z0-9]/.test(t) && /["'],?$/.test(t)) return pep508Strings(t, null);
  return [];
}

function tomlVersion(value: string): string | undefined {
  const v = value.trim();
  const plain = /^"([^"]*)"|^'([^']*)'/.exec(v);
  if (plain) return plain[1] ?? plain[2];
  const inTable = /version\s*=\s*"([^"]*)"/.exec(v);
  return inTable?.[1];
}

export function goModEntry(line: DiffLine, state: SectionState): ManifestEntry[] {
  if (overCap(line.text, CAPS.manifestLine)) return [];
  const t = before(line.text, "//").trim();
  const indirect = /\/\/\s*indirect/.test(line.text);
  const block = /^(require|replace|exclude|retract|tool|godebug)\s*\($/.exec(t);
  if (block) {
    state.section = block[1]!;
    return [];
  }
  if (t === ")") {
    state.section = null;
    return [];
  }
  const single = /^require\s+(\S+)\s+(v\S+)$/.exec(t);
  if (single) return [entry(single[1]!, single[2], indirect ? "indirect" : "require")];
  const inBlock = /^(\S+)\s+(v\d\S*)$/.exec(t);
  // A module path has a dot inside it (`golang.org/x/mod`), never only at an end.
  if (!inBlock || !inBlock[1]!.slice(1, -1).includes(".")) return [];
  // A bare `module vX` line inside an unseen block is most likely require, the common case.
  if (state.section === "require" || (state.section === null && /^\s/.test(line.text))) {
    return [entry(inBlock[1]!, inBlock[2], indirect ? "indirect" : "require")];
  }
  return [];
}

/** `text` before its first `#` that follows whitespace (a TOML comment), trailing whitespace dropped. */
function withoutTomlComment(text: string): string {
  for (let i = text.indexOf("#", 1); i > 0; i = text.indexOf("#", i + 1)) {
    if (/\s/.test(text[i - 1]!)) return text.slice(0, i).trimEnd();
  }
  return text;
}

export function cargoEntry(line: DiffLine, state: SectionState): ManifestEntry[] {
  if (overCap(line.text, CAPS.manifestLine)) return [];
  const t = withoutTomlComment(line.text).trim();
  const header = /^\[([^\]]+)\]$/.exec(t);
  if (header) {
    const name = header[1]!.trim();
    // `[dependencies.serde]` declares serde itself.
    const dotted = /^((?:target\..+\.)?(?:dev-|build-)?dependencies)\.([A-Za-z0-9_-]+)$/.exec(name);
    if (dotted) {
      state.section = `${dotted[1]}.${dotted[2]}`;
      return [entry(dotted[2]!, undefined, dotted[1]!)];
    }
    state.section = name;
    return [];
  }
  const sec = state.section;
  if (!sec || !/(^|\.)(dev-|build-)?dependencies$/.test(sec)) return [];
  const kv = /^([A-Za-z0-9_-]+)(\.workspace)?\s*=\s*(\S.*)$/.exec(t);
  if (!kv) return [];
  const version = kv[2] ? "workspace" : tomlVersion(kv[3]!);
  return [entry(kv[1]!, version, withoutTarget(sec))];
}

/** `target.'cfg(unix)'.dev-dependencies` → `dev-dependencies` (the regex for this was quadratic). */
function withoutTarget(sec: string): string {
  if (!sec.startsWith("target.")) return sec;
  for (const kind of ["dependencies", "dev-dependencies", "build-dependencies"]) {
    // `target.` + at least one character + `.` + kind, as `^target\..+\.(?=kind$)` required.
    if (sec.endsWith(`.${kind}`) && sec.length > "target.".length + kind.length + 1) return kind;
  }
  return sec;
}

export function gemEntry(line: DiffLine, _state: SectionState): ManifestEntry[] {
  const t = manifestText(line);
  if (t === null) return [];
  const gem = /^gem\s*(?:\(\s*)?["']([^"']+)["'](?:\s*,\s*["']([^"']+)["'])?/.exec(t);
  if (gem) return [entry(gem[1]!, gem[2], null)];
  const spec =
    /\.add_(development_|runtime_)?dependency\s*(?:\(\s*)?["']([^"']+)["'](?:\s*,\s*["']([^"']+)["'])?/.exec(
      t,
    );
  if (spec) return [entry(spec[2]!, spec[3], spec[1] ? "development" : null)];
  return [];
}

/** Maven: `<dependency>` blocks inside one hunk; a block opened on an added line is a new dependency. */
export function pomEntries(lines: DiffLine[]): Array<ManifestEntry & { side: "add" | "del" }> {
  const out: Array<ManifestEntry & { side: "add" | "del" }> = [];
  let block: {
    kind: DiffLine["kind"];
    fields: Map<string, Partial<Record<DiffLine["kind"], string>>>;
  } | null = null;
  for (const l of lines) {
    const t = manifestText(l);
    if (t === null) continue;
    if (/^<dependency>/.test(t)) {
      block = { kind: l.kind, fields: new Map() };
      continue;
    }
    if (!block) continue;
    const field = /^<(groupId|artifactId|version|scope)>([^<]*)<\/\1>/.exec(t);
    if (field) {
      const f = block.fields.get(field[1]!) ?? {};
      f[l.kind] = field[2]!.trim();
      block.fields.set(field[1]!, f);
      continue;
    }
    if (/^<\/dependency>/.test(t)) {
      const get = (key: string, side: "add" | "del") => {
        const f = block!.fields.get(key);
        return f?.[side] ?? f?.ctx;
      };
      const name = (side: "add" | "del") => {
        const g = get("groupId", side);
        const a = get("artifactId", side);
        return a ? (g ? `${g}:${a}` : a) : null;
      };
      const scope = (side: "add" | "del") => get("scope", side) ?? null;
      const sides: Array<"add" | "del"> = block.kind === "ctx" ? ["add", "del"] : [block.kind];
      const touched = block.kind !== "ctx" || [...block.fields.values()].some((f) => f.add || f.del);
      if (touched) {
        for (const side of sides) {
          const n = name(side);
          if (n) out.push({ ...entry(n, get("version", side), scope(side)), side });
        }
      }
      block = null;
    }
  }
  return out;
}
