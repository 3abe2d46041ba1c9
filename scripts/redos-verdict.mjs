// The verdict on one regex for `npm run check:redos` (scripts/check-redos.mjs) and for the tests that
// check patterns assembled at load time (test/security/redos-dynamic.test.ts): recheck's answer, with
// a fuzz verdict confirmed by replaying its attack in V8. Loading this module picks recheck's backend.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Worker } from "node:worker_threads";

const require = createRequire(import.meta.url);

/** Native binary when its platform package is installed; otherwise the in-process pure-JS checker. */
function pickBackend() {
  if (process.env.RECHECK_BACKEND === "pure" || process.env.RECHECK_BACKEND === "native") {
    return process.env.RECHECK_BACKEND;
  }
  const pkg = { linux: "linux-x64", darwin: `macos-${process.arch}`, win32: "windows-x64" }[process.platform];
  try {
    if (pkg && process.arch === "x64") {
      require.resolve(`recheck-${pkg}/package.json`);
      return "native";
    }
    if (pkg && process.platform === "darwin") {
      require.resolve(`recheck-${pkg}/package.json`);
      return "native";
    }
  } catch {}
  return "pure";
}
// recheck reads its backend from the environment when it first checks; "auto" would also try Java.
process.env.RECHECK_BACKEND = pickBackend();

const { check } = await import("recheck");
/**
 * recheck parameters: deterministic (fixed seed) and bounded, so CI gives the same answer each run.
 * The automaton checker is exact but can time out on large bounded repeats (`{16,}`); those get a
 * second pass with the fuzz checker, which handles them quickly.
 */
const PARAMS = { randomSeed: 42, timeout: 5_000 };
const FUZZ_PARAMS = { randomSeed: 42, timeout: 15_000, checker: "fuzz" };
/** Length of the attack string replayed in V8 to confirm a fuzz verdict, and the time that confirms it. */
const REPLAY_CHARS = 100_000;
const REPLAY_CONFIRM_MS = 100;
const RECHECK_VERSION = require("recheck/package.json").version;
const CACHE_FILE = join(import.meta.dirname, "..", "node_modules", ".cache", "check-redos", "verdicts.json");

/**
 * recheck's fuzz checker (used where the exact automaton checker gives up: bounded repeats,
 * look-arounds) measures growth in its own VM and reports some linear patterns as polynomial. Its
 * attack string is therefore replayed in V8 at REPLAY_CHARS/2 and REPLAY_CHARS characters, in a worker
 * that is stopped after 5 s: only a verdict that V8 reproduces (over REPLAY_CONFIRM_MS at full size, and
 * more than 3x the half-size time, where linear work doubles) fails the check.
 */
function replayInV8(source, flags, attack) {
  const pumps = attack.pumps ?? [];
  const perStep = pumps.reduce((n, p) => n + p.pump.length, 0) || 1;
  const fixed = pumps.reduce((n, p) => n + p.prefix.length, 0) + attack.suffix.length;
  const build = (chars) => {
    const k = Math.max(1, Math.ceil((chars - fixed) / perStep));
    return pumps.map((p) => p.prefix + p.pump.repeat(Math.max(0, k + p.bias))).join("") + attack.suffix;
  };
  const texts = [build(REPLAY_CHARS / 2), build(REPLAY_CHARS)];
  // Best of three at each size, so a busy machine does not pass for growth.
  const code = `
    const { parentPort, workerData: w } = require("node:worker_threads");
    const re = new RegExp(w.source, w.flags);
    const run = (text) => {
      let best = Infinity;
      for (let i = 0; i < 3; i++) {
        re.lastIndex = 0;
        const t = performance.now();
        if (re.global || re.sticky) text.replace(re, ""); else re.test(text);
        best = Math.min(best, performance.now() - t);
      }
      return best;
    };
    parentPort.postMessage(w.texts.map(run));`;
  return new Promise((done) => {
    const worker = new Worker(code, { eval: true, workerData: { source, flags, texts } });
    const finish = (ms) => {
      clearTimeout(timer);
      void worker.terminate();
      done({ half: ms[0], ms: ms[1], chars: texts[1].length });
    };
    const timer = setTimeout(() => finish([Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY]), 5_000);
    worker.once("message", (ms) => finish(ms));
    worker.once("error", () => finish([Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY]));
  });
}

/** Verdicts survive between local runs (keyed by recheck version, settings and pattern); CI starts empty. */
export function loadCache() {
  try {
    return new Map(Object.entries(JSON.parse(readFileSync(CACHE_FILE, "utf8"))));
  } catch {
    return new Map();
  }
}

export function saveCache(cache) {
  try {
    mkdirSync(dirname(CACHE_FILE), { recursive: true });
    writeFileSync(CACHE_FILE, JSON.stringify(Object.fromEntries(cache)));
  } catch {}
}

export function cacheKey(source, flags) {
  const settings = JSON.stringify([RECHECK_VERSION, PARAMS, FUZZ_PARAMS, REPLAY_CHARS, REPLAY_CONFIRM_MS]);
  return createHash("sha256").update(`${settings}\u0000${flags}\u0000${source}`).digest("hex");
}

/** recheck's verdict, with fuzz verdicts confirmed in V8; a plain object so it can be cached. */
export async function verdict(source, flags) {
  let d;
  try {
    d = await check(source, flags, PARAMS);
    if (d.status === "unknown" && d.error?.kind === "timeout") d = await check(source, flags, FUZZ_PARAMS);
  } catch (err) {
    return { status: "unknown", error: { kind: "exception", message: err.message } };
  }
  const v = {
    status: d.status,
    checker: d.checker,
    complexity: d.complexity,
    error: d.error,
    attack: d.attack?.pattern,
  };
  if (d.status === "vulnerable" && d.checker === "fuzz" && d.attack) {
    const replay = await replayInV8(source, flags, d.attack);
    v.replay = {
      ms: Number.isFinite(replay.ms) ? Math.round(replay.ms * 10) / 10 : null,
      chars: replay.chars,
    };
    // Confirmed only when it is slow at full size AND grows faster than the input (linear doubles).
    const superLinear = !Number.isFinite(replay.ms) || replay.ms > 3 * replay.half;
    if (replay.ms < REPLAY_CONFIRM_MS || !superLinear) v.status = "not reproduced";
  }
  return v;
}
