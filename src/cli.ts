#!/usr/bin/env node
import { existsSync } from "node:fs";
import { enableCompileCache } from "node:module";
import { main } from "./cli/main.ts";

// V8's on-disk code cache for every module loaded after this line (the commands are imported
// lazily): start-up drops by ~half, which is most of a short `ingest --once` or `incidents list`.
// Off with NODE_DISABLE_COMPILE_CACHE=1; the directory is NODE_COMPILE_CACHE or the OS temp dir.
const cache = enableCompileCache();
// Worker threads (the parallel back-fill) and child processes start from the environment: point them
// at the same cache.
if (cache.directory && !process.env.NODE_COMPILE_CACHE) process.env.NODE_COMPILE_CACHE = cache.directory;

// Like Probot, read ./.env when present; variables already in the environment win.
if (existsSync(".env")) process.loadEnvFile(".env");

process.exitCode = await main(process.argv.slice(2));
