#!/usr/bin/env node
// The same entry point as bin/steward.js (which is what `npm run steward`, `npm start` and `npx steward`
// run: a JavaScript entry starts ~30 ms sooner); kept so `node src/cli.ts …` still works.
import "../bin/steward.js";
