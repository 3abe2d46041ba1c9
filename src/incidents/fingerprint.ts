import { createHash } from "node:crypto";
import { normalizeMessage } from "./parameterize.ts";
import type { FingerprintRule, Frame, NormalizedRecord } from "./schema.ts";
import { CAPS, capText } from "../caps.ts";
import { removeBracketed, stripAsAlias, suffixStart } from "../linear-text.ts";

// Groups error records into incidents. The algorithm is versioned and the version is stored with
// every hash: changing anything below that changes a hash for an existing input means a new
// version, otherwise every open incident would silently split in two after an upgrade.
export const FINGERPRINT_VERSION = "steward:2026-11";

export interface Fingerprint {
  hash: string;
  version: string;
  /** Which strategy contributed: in-app frames, the parameterised message, or a custom rule. */
  basis: "frames" | "message" | "custom";
  components: string[];
}

export interface CompiledRule {
  type?: RegExp;
  message?: RegExp;
  service?: RegExp;
  path?: RegExp;
  values: string[];
}

export function compileRules(rules: FingerprintRule[]): CompiledRule[] {
  return rules.map((r, i) => {
    const re = (key: keyof FingerprintRule["match"]) => {
      const src = r.match[key];
      if (src === undefined) return undefined;
      // redos-ok: a maintainer's pattern from incidents.rules in .github/steward.yml (cannot be checked at build time); it only ever sees CAPS.configPatternInput characters (ruleMatches)
      try {
        return new RegExp(src);
      } catch (err) {
        throw new TypeError(
          `incidents.rules[${i}].match.${key}: not a valid regular expression (${(err as Error).message})`,
        );
      }
    };
    return {
      type: re("type"),
      message: re("message"),
      service: re("service"),
      path: re("path"),
      values: r.fingerprint,
    };
  });
}

// Memo tables for the pure, regex-heavy steps. Production errors repeat, so these turn most
// records into lookups; bounded by clearing when full.
const MEMO_MAX = 10_000;
function memo<V>(m: Map<string, V>, key: string, make: () => V): V {
  let v = m.get(key);
  if (v === undefined) {
    v = make();
    if (m.size >= MEMO_MAX) m.clear();
    m.set(key, v);
  }
  return v;
}
const componentMemo = new Map<string, string>();
const hashMemo = new Map<string, string>();

export function frameComponent(f: Frame): string {
  const mod = f.module ?? "";
  const key = `${mod}\u0000${mod ? "" : (f.file ?? "")}\u0000${f.function}`;
  return memo(componentMemo, key, () => {
    const where = mod ? normalizeModule(mod) : normalizeFile(f.file ?? "");
    return `${where}:${normalizeFunction(f.function, mod !== "")}`;
  });
}

const CLASS_CHAR = /[\w$/.]/;
const GENERATED_CLASS = /\$\$(?:Lambda|EnhancerBy|FastClassBy|SpringCGLIB|Proxy)/;

/**
 * `tail.replace(/\$\$(?:Lambda|EnhancerBy\w*|…|Proxy)\$*[\w$/.]*$/, "$$<auto>")` for a tail made only
 * of `[\w$/.]`: everything after the marker is in that class, so the marker is the whole test.
 * (The regex itself rescanned the tail from every `$$`, quadratic on `$$Proxy$$$$…`.)
 */
function autoSuffix(tail: string): string {
  const m = GENERATED_CLASS.exec(tail);
  return m ? `${tail.slice(0, m.index)}$$<auto>` : tail;
}

/** Java/Go module: drop JPMS/classloader prefixes and generated class suffixes. */
export function normalizeModule(mod: string): string {
  const bare = mod.replace(/^(?:[\w.-]+@[\w.-]+\/|[\w.]+\/(?=[\w$]+\.))/, "").replace(/^app\/\//, "");
  // Generated-class suffixes live in the trailing run of class-name characters.
  const tail = suffixStart(bare, (c) => CLASS_CHAR.test(c));
  return (bare.slice(0, tail) + autoSuffix(bare.slice(tail)))
    .replace(/\$Proxy\d+$/, "$$Proxy")
    .replace(
      /(GeneratedMethodAccessor|GeneratedConstructorAccessor|GeneratedSerializationConstructorAccessor)\d+$/,
      "$1",
    )
    .replace(/_\$\$_jvst\w+$/, "_$$$$_jvst")
    .replace(/\$HibernateProxy\$\w+$/, "$$HibernateProxy");
}

/** Lower-cased basename, without bundler content hashes or query strings. */
export function normalizeFile(file: string): string {
  const cut = file.search(/[?#]/);
  const clean = cut < 0 ? file : file.slice(0, cut);
  const base = clean.slice(Math.max(clean.lastIndexOf("/"), clean.lastIndexOf("\\")) + 1);
  return base.toLowerCase().replace(/[.-][0-9a-f]{6,}(?=\.)/g, "");
}

export function normalizeFunction(fn: string, hasModule: boolean): string {
  let f = fn.trim();
  if (!f) return "";
  // Python comprehensions and lambdas carry no stable name; <module> does.
  if (/^<(?:lambda|listcomp|dictcomp|setcomp|genexpr)>$/.test(f)) return "<lambda>";
  // Java: lambda$outer$3 → lambda$outer; access$000 → access$.
  f = f.replace(/^lambda\$(.+?)\$\d+$/, "lambda$$$1").replace(/^access\$\d+$/, "access$$");
  // Go closures: .func1.2 → .func
  f = f.replace(/\.func\d+(?:\.\d+)*$/, ".func");
  if (hasModule) return removeBracketed(f);
  // V8: `async`, `new`, `[as alias]`, receiver prefixes (Object., Module., Class.) carry no identity.
  f = stripAsAlias(f.replace(/^(?:async|new) /, ""), "one").trim();
  if (f === "<anonymous>" || f === "?" || f === "Object.<anonymous>") return "";
  const dot = f.lastIndexOf(".");
  if (dot >= 0 && !f.includes(" ")) f = f.slice(dot + 1);
  return f === "<anonymous>" ? "" : f;
}

// Frames arrays shared between records (frozen, from the stack caches) give the same parts.
const partsMemo = new WeakMap<object, string[]>();
function frameParts(frames: Frame[]): string[] {
  const shared = Object.isFrozen(frames);
  const hit = shared ? partsMemo.get(frames) : undefined;
  if (hit) return hit;
  const parts: string[] = [];
  let prev = "";
  for (const f of frames) {
    if (!f.inApp) continue;
    const c = frameComponent(f);
    if (c === prev) continue; // direct recursion counts once
    parts.push(c);
    prev = c;
  }
  if (shared) partsMemo.set(frames, parts);
  return parts;
}

/** The default (Sentry-style) components: in-app frames when there are any, else type + message. */
export function defaultComponents(r: NormalizedRecord): {
  basis: "frames" | "message";
  components: string[];
} {
  const type = r.exceptionType ?? "";
  const parts = frameParts(r.frames);
  if (parts.length) return { basis: "frames", components: [`type:${type}`, ...parts] };
  return { basis: "message", components: [`type:${type}`, `message:${normalizeMessage(r.message)}`] };
}

function resolveValue(v: string, r: NormalizedRecord): string {
  switch (v.replace(/\s+/g, "")) {
    case "{{type}}":
    case "{{error.type}}":
      return r.exceptionType ?? "<no-type>";
    case "{{message}}":
    case "{{error.value}}":
      return normalizeMessage(r.message) || "<no-message>";
    case "{{service}}":
      return r.service ?? "<no-service>";
    case "{{path}}":
      return r.path ?? "<no-path>";
    case "{{method}}":
      return r.method ?? "<no-method>";
    default:
      return v;
  }
}

function ruleMatches(rule: CompiledRule, r: NormalizedRecord): boolean {
  return (
    (!rule.type || rule.type.test(capText(r.exceptionType ?? "", CAPS.configPatternInput))) &&
    (!rule.message || rule.message.test(capText(r.message, CAPS.configPatternInput))) &&
    (!rule.service || rule.service.test(capText(r.service ?? "", CAPS.configPatternInput))) &&
    (!rule.path || rule.path.test(capText(r.path ?? "", CAPS.configPatternInput)))
  );
}

// Records whose frames come from the stack caches share one frames array, and with no custom rule
// their fingerprint depends only on that array and the exception type: it is computed once.
const byFrames = new WeakMap<object, Map<string, Fingerprint>>();
const MAX_TYPES_PER_FRAMES = 64;

export function fingerprint(r: NormalizedRecord, rules: CompiledRule[] = []): Fingerprint {
  const rule = rules.length ? rules.find((x) => ruleMatches(x, r)) : undefined;
  if (rule || !Object.isFrozen(r.frames)) return compute(r, rule);
  let types = byFrames.get(r.frames);
  const type = r.exceptionType ?? "";
  const hit = types?.get(type);
  if (hit) return hit;
  const fp = compute(r, undefined);
  // A message-based fingerprint (no in-app frames) depends on the message: never shared.
  if (fp.basis !== "frames") return fp;
  if (!types) {
    types = new Map();
    byFrames.set(r.frames, types);
  }
  if (types.size < MAX_TYPES_PER_FRAMES) {
    Object.freeze(fp.components);
    types.set(type, Object.freeze(fp));
  }
  return fp;
}

function compute(r: NormalizedRecord, rule: CompiledRule | undefined): Fingerprint {
  const def = defaultComponents(r);
  let basis: Fingerprint["basis"] = def.basis;
  let components = def.components;
  if (rule) {
    basis = "custom";
    const extra: string[] = [];
    let withDefault = false;
    for (const v of rule.values) {
      if (/^\{\{\s*default\s*\}\}$/.test(v)) withDefault = true;
      else extra.push(`custom:${resolveValue(v, r)}`);
    }
    // With {{ default }} the rule salts the default grouping; without it the values alone decide.
    components = withDefault ? [...def.components, ...extra] : extra;
  }
  const joined = components.join("\n");
  const hash = memo(hashMemo, joined, () =>
    createHash("sha256").update(`${FINGERPRINT_VERSION}\0${joined}`).digest("hex").slice(0, 32),
  );
  return { hash, version: FINGERPRINT_VERSION, basis, components };
}

/** `[incident]`-free title: `Type: first line of the message`, at most 200 chars. */
export function incidentTitle(r: NormalizedRecord): string {
  const first = (r.message.split("\n").find((l) => l.trim()) ?? "").trim();
  const t = r.exceptionType ? (first ? `${r.exceptionType}: ${first}` : r.exceptionType) : first || "Error";
  return t.length > 200 ? `${t.slice(0, 197)}...` : t;
}
