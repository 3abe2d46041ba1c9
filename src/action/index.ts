import { main } from "./main.ts";

// Entry point of the action bundle: `runs.main` in action.yml is dist/index.js, built from this file.
process.exitCode = await main();
