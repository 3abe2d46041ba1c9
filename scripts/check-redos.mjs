// ReDoS check for CI (`npm run check:redos`): every regular expression in src/ must be linear-time,
// because Steward runs on one event loop and one super-linear match on outside text stalls webhooks,
// the worker API and /healthz alike (docs/SECURITY.md, section C).
//
// - Finds regexes with the TypeScript compiler (typescript/unstable/sync), never with a regex over the
//   source: regex literals, `new RegExp(…)` / `RegExp(…)`, and string patterns given to
//   `.match` / `.matchAll` / `.search` (which String.prototype turns into a RegExp).
// - Checks each with `recheck` (https://makenowjust-labs.github.io/recheck/), on its native binary when
//   the platform package is installed, else its pure-JS (Scala.js) backend, in-process. Neither downloads
//   anything; the Java backend is never used.
// - An exception needs a justification beside the regex, on its line or in the comment lines right
//   above it: `// redos-ok: <reason>`. A constructor whose pattern is not a literal cannot be checked and
//   needs one too. Justified regexes are listed in the report, so reviewers see every exception.
//
// Usage: node scripts/check-redos.mjs [--root DIR] [--json]
//   DIR (default: the repository) must hold a tsconfig.json whose program includes DIR/src.
// Exit code 0 when clean, 1 on any finding, 2 when the check itself could not run.
import { existsSync, readdirSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join, relative, resolve, sep } from "node:path";

const { API } = await import("typescript/unstable/sync");
const { SyntaxKind } = await import("typescript/unstable/ast");
const { cacheKey, loadCache, saveCache, verdict } = await import("./redos-verdict.mjs");

const JUSTIFY = /\bredos-ok:[ \t]*(\S[^\n]{0,300})/;
// One check per core: recheck's timeouts are wall-clock, so oversubscribing the CPU turns slow
// checks into "could not decide".
const CONCURRENCY = Math.max(1, availableParallelism());

function parseArgs(argv) {
  const out = { root: resolve(import.meta.dirname, ".."), json: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--root") out.root = resolve(argv[++i] ?? ".");
    else if (argv[i] === "--json") out.json = true;
    else throw new Error(`unknown argument ${argv[i]} (usage: check-redos.mjs [--root DIR] [--json])`);
  }
  return out;
}

function walkTs(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walkTs(p));
    else if (/\.(?:m|c)?tsx?$/.test(e.name) && !e.name.endsWith(".d.ts")) out.push(p);
  }
  return out;
}

function isRegExpCallee(expr) {
  if (!expr) return false;
  if (expr.kind === SyntaxKind.Identifier) return expr.text === "RegExp";
  // globalThis.RegExp(...)
  return (
    expr.kind === SyntaxKind.PropertyAccessExpression &&
    expr.name?.text === "RegExp" &&
    expr.expression?.kind === SyntaxKind.Identifier &&
    expr.expression.text === "globalThis"
  );
}

function isStringLiteral(n) {
  return n && (n.kind === SyntaxKind.StringLiteral || n.kind === SyntaxKind.NoSubstitutionTemplateLiteral);
}

/** Splits `/src/flags` as written in the source. */
function splitLiteral(text) {
  const last = text.lastIndexOf("/");
  return { source: text.slice(1, last), flags: text.slice(last + 1) };
}

/**
 * The justification for a regex starting on `line` (0-based): on that line, or in the comment block
 * right above it, or above the statement it continues (`const X =` / `new RegExp(` on the line before).
 */
function justification(lines, line) {
  const own = JUSTIFY.exec(lines[line] ?? "");
  if (own) return own[1].trim();
  let i = line - 1;
  for (
    let hops = 0;
    hops < 2 && i >= 0 && /[=(,[{]\s*$/.test(lines[i]) && !lines[i].trim().startsWith("//");
    hops++
  ) {
    const m = JUSTIFY.exec(lines[i]);
    if (m) return m[1].trim();
    i--;
  }
  for (; i >= 0; i--) {
    const t = lines[i].trim();
    if (!t.startsWith("//") && !t.startsWith("*") && !t.startsWith("/*")) break;
    const m = JUSTIFY.exec(t);
    if (m) return m[1].trim();
  }
  return null;
}

/** Every regex site in one parsed source file. */
function collect(sf, file) {
  const text = sf.text;
  const lines = text.split("\n");
  const sites = [];
  const at = (node) => {
    const start = node.getStart(sf);
    const lc = sf.getLineAndCharacterOfPosition(start);
    return { file, line: lc.line + 1, col: lc.character + 1, justification: justification(lines, lc.line) };
  };
  const visit = (node) => {
    const k = node.kind;
    if (k === SyntaxKind.RegularExpressionLiteral) {
      sites.push({ ...at(node), kind: "literal", ...splitLiteral(node.text) });
    } else if (
      (k === SyntaxKind.NewExpression || k === SyntaxKind.CallExpression) &&
      isRegExpCallee(node.expression)
    ) {
      const [pattern, flagsArg] = node.arguments ?? [];
      const staticFlags = flagsArg === undefined ? "" : isStringLiteral(flagsArg) ? flagsArg.text : null;
      if (isStringLiteral(pattern) && staticFlags !== null) {
        sites.push({ ...at(node), kind: "constructor", source: pattern.text, flags: staticFlags });
      } else if (pattern?.kind === SyntaxKind.RegularExpressionLiteral && staticFlags !== null) {
        // new RegExp(/x/, "g"): the literal is visited (and checked) on its own; check it with these flags too.
        const lit = splitLiteral(pattern.text);
        sites.push({
          ...at(node),
          kind: "constructor",
          source: lit.source,
          flags: flagsArg ? staticFlags : lit.flags,
        });
      } else {
        sites.push({ ...at(node), kind: "dynamic", source: null, flags: null });
      }
    } else if (
      k === SyntaxKind.CallExpression &&
      node.expression?.kind === SyntaxKind.PropertyAccessExpression &&
      ["match", "matchAll", "search"].includes(node.expression.name?.text) &&
      isStringLiteral(node.arguments?.[0])
    ) {
      const flags = node.expression.name.text === "matchAll" ? "g" : "";
      sites.push({ ...at(node), kind: "string pattern", source: node.arguments[0].text, flags });
    }
    node.forEachChild(visit);
  };
  visit(sf);
  return sites;
}

async function pool(items, n, fn) {
  const out = new Array(items.length);
  let next = 0;
  const run = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, run));
  return out;
}

function describe(d) {
  if (d.status === "vulnerable" || d.status === "not reproduced") {
    const c =
      d.complexity?.type === "polynomial" ? `polynomial (degree ${d.complexity.degree})` : d.complexity?.type;
    const attack = String(d.attack ?? "");
    const shown = attack.length > 100 ? `${attack.slice(0, 97)}...` : attack;
    if (d.status === "not reproduced") {
      return `recheck's fuzz checker reported ${c}, but V8 ran its attack (${d.replay.chars} chars) in ${d.replay.ms} ms`;
    }
    if (d.replay) {
      const took = d.replay.ms === null ? "over 2 s" : `${d.replay.ms} ms`;
      return `${c}; V8 took ${took} on ${d.replay.chars} chars of the attack ${shown}`;
    }
    return `${c}; attack: ${shown}`;
  }
  if (d.status === "unknown")
    return `could not decide (${d.error?.kind ?? "unknown"}${d.error?.message ? `: ${d.error.message}` : ""})`;
  return d.status;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const srcDir = join(args.root, "src");
  if (!existsSync(join(args.root, "tsconfig.json")) || !existsSync(srcDir)) {
    throw new Error(`${args.root} needs a tsconfig.json and a src/ folder`);
  }
  const t0 = performance.now();
  const api = new API({ cwd: args.root });
  const sites = [];
  try {
    const snapshot = api.updateSnapshot({ openProject: join(args.root, "tsconfig.json") });
    const project = snapshot.getProjects()[0];
    const program = project.program;
    const inProgram = new Set(program.getSourceFileNames().map((f) => resolve(f)));
    const files = walkTs(srcDir);
    const missing = files.filter((f) => !inProgram.has(resolve(f)));
    if (missing.length) {
      throw new Error(
        `tsconfig.json does not include ${missing.map((f) => relative(args.root, f)).join(", ")}`,
      );
    }
    for (const f of files) {
      const sf = program.getSourceFile(f);
      if (!sf) throw new Error(`TypeScript did not parse ${f}`);
      sites.push(...collect(sf, relative(args.root, f).split(sep).join("/")));
    }
  } finally {
    api.close();
  }
  const parsedMs = performance.now() - t0;

  // Identical patterns are checked once.
  const keyOf = (s) => `${s.flags}\u0000${s.source}`;
  const unique = [...new Map(sites.filter((s) => s.source !== null).map((s) => [keyOf(s), s])).values()];
  const results = new Map();
  const timings = [];
  const cache = loadCache();
  await pool(unique, CONCURRENCY, async (s) => {
    const t = performance.now();
    const key = cacheKey(s.source, s.flags);
    let d = cache.get(key);
    if (!d) {
      d = await verdict(s.source, s.flags);
      if (d.status !== "unknown") cache.set(key, d);
    }
    results.set(keyOf(s), d);
    timings.push({
      ms: Math.round(performance.now() - t),
      regex: `/${s.source}/${s.flags}`,
      where: `${s.file}:${s.line}`,
    });
  });
  saveCache(cache);

  const report = {
    backend: process.env.RECHECK_BACKEND,
    checked: sites.length,
    unique: unique.length,
    failures: [],
    justified: [],
    unusedJustifications: [],
    notReproduced: [],
  };
  for (const s of sites) {
    const where = `${s.file}:${s.line}:${s.col}`;
    const d = s.source === null ? null : results.get(keyOf(s));
    const safe = d?.status === "safe" || d?.status === "not reproduced";
    if (d?.status === "not reproduced" && !s.justification) {
      report.notReproduced.push({ where, regex: `/${s.source}/${s.flags}`, finding: describe(d) });
    }
    const why = s.source === null ? "dynamic pattern: cannot be checked statically" : describe(d);
    const shown = s.source === null ? `${s.kind} RegExp` : `/${s.source}/${s.flags}`;
    if (safe) {
      if (s.justification)
        report.unusedJustifications.push({ where, regex: shown, justification: s.justification });
      continue;
    }
    if (s.justification)
      report.justified.push({ where, regex: shown, finding: why, justification: s.justification });
    else report.failures.push({ where, regex: shown, finding: why });
  }
  report.ms = Math.round(performance.now() - t0);
  report.parseMs = Math.round(parsedMs);
  report.slowest = timings.sort((a, b) => b.ms - a.ms).slice(0, 10);

  if (args.json) {
    console.log(JSON.stringify(report, null, 2));
  } else {
    for (const j of report.justified)
      console.log(
        `justified  ${j.where}  ${j.regex}\n           ${j.finding}\n           redos-ok: ${j.justification}`,
      );
    for (const n of report.notReproduced)
      console.log(`not repro  ${n.where}  ${n.regex}\n           ${n.finding}`);
    for (const u of report.unusedJustifications)
      console.log(`note       ${u.where}  ${u.regex} is linear; its redos-ok comment can go`);
    for (const f of report.failures)
      console.log(`VULNERABLE ${f.where}  ${f.regex}\n           ${f.finding}`);
    console.log(
      `check-redos: ${report.checked} regexes (${report.unique} distinct) in src/, ${report.failures.length} failing, ${report.justified.length} justified; recheck ${report.backend} backend, ${report.ms} ms`,
    );
    if (report.failures.length) {
      console.log(
        "Make each one linear (no overlapping quantifiers; anchor or cap input), or justify it beside the regex with `// redos-ok: <reason>`.",
      );
    }
  }
  process.exitCode = report.failures.length ? 1 : 0;
}

try {
  await main();
} catch (err) {
  console.error(`check-redos: ${err.message}`);
  process.exitCode = 2;
}
// recheck's native agent is unref'd; nothing else keeps the process alive.
