#!/usr/bin/env node
import { existsSync } from "node:fs";
import { main } from "./cli/main.ts";

// Like Probot, read ./.env when present; variables already in the environment win.
if (existsSync(".env")) process.loadEnvFile(".env");

process.exitCode = await main(process.argv.slice(2));
