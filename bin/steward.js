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
// Worker threads (the parallel back-fill) and child processes start from the environment: point them
// at the same cache.
if (cache.directory && !process.env.NODE_COMPILE_CACHE) process.env.NODE_COMPILE_CACHE = cache.directory;

// Like Probot, read ./.env when present; variables already in the environment win.
if (existsSync(".env")) process.loadEnvFile(".env");

const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
