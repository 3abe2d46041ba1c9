#!/usr/bin/env node
// Steward's entry point (`npx steward`, `npm run steward`, `npm start`). Plain JavaScript on purpose:
// a TypeScript entry costs ~30 ms of type-stripper start-up before the first line runs, which is a
// tenth of a short `steward ingest --once`. Everything after the compile cache is TypeScript.
import { existsSync } from "node:fs";
import { enableCompileCache } from "node:module";

// V8's on-disk code cache (and the stripped TypeScript) for every module loaded after this line (the
// commands are imported lazily): start-up drops by about half. Off with NODE_DISABLE_COMPILE_CACHE=1;
// the directory is NODE_COMPILE_CACHE or the OS temp dir.
const cache = enableCompileCache();
// Worker threads (the parallel back-fill), child processes and the re-executed process below start
// from the environment: point them at the same cache.
if (cache.directory && !process.env.NODE_COMPILE_CACHE) process.env.NODE_COMPILE_CACHE = cache.directory;

// `ingest` allocates fast and briefly (decoded lines, parsed records); left alone, V8 grows the young
// generation to its maximum and RSS with it (~280–300 MB on a 1 GiB mixed log, for a live heap under
// 60 MB). The cap is a start-up flag, so the process replaces itself once with it: same pid, so
// signals, exit codes and kill -9 behave exactly as before. STEWARD_NO_REEXEC=1 turns this off.
const YOUNG_GEN_CAP = "--max-semi-space-size=2";
if (
  process.argv[2] === "ingest" &&
  !process.execArgv.includes(YOUNG_GEN_CAP) &&
  process.env.STEWARD_NO_REEXEC !== "1" &&
  typeof process.execve === "function"
)
  process.execve(process.execPath, [
    process.execPath,
    ...process.execArgv,
    YOUNG_GEN_CAP,
    ...process.argv.slice(1),
  ]);

// Like Probot, read ./.env when present; variables already in the environment win.
if (existsSync(".env")) process.loadEnvFile(".env");

const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
