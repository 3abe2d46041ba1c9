// Builds the GitHub Action's bundle with esbuild: dist/index.js from src/action/index.ts, plus the two
// files its worker threads load (dist/tasks.js, the compute pool's tasks; dist/worker.js, piscina's).
// Deterministic: fixed options, no source maps, no timestamps, module paths relative to the repository
// (node_modules may be a symlink, so symlinks are not resolved into machine-specific paths).
// `node scripts/build-action.mjs [OUTDIR]` — check-bundle.mjs builds into a temp dir and compares.
import { mkdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * The compute pool (src/compute/pool.ts) runs tasks from `new URL("./tasks.ts", import.meta.url)` in
 * piscina worker threads; in the bundle that module is dist/tasks.js, next to index.js.
 */
const taskModuleUrl = {
  name: "steward-task-module",
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]compute[\\/]pool\.ts$/ }, async (args) => {
      const text = await readFile(args.path, "utf8");
      if (!text.includes('new URL("./tasks.ts", import.meta.url)'))
        throw new Error("src/compute/pool.ts no longer loads ./tasks.ts: update scripts/build-action.mjs");
      return {
        contents: text.replace(
          'new URL("./tasks.ts", import.meta.url)',
          'new URL("./tasks.js", import.meta.url)',
        ),
        loader: "ts",
      };
    });
  },
};

export async function buildAction(outDir = join(root, "dist")) {
  mkdirSync(outDir, { recursive: true });
  await build({
    absWorkingDir: root,
    // The action; the compute pool's task module; piscina's worker-thread entry (it loads worker.js
    // from its own directory, which in the bundle is dist/).
    entryPoints: {
      index: "src/action/index.ts",
      tasks: "src/compute/tasks.ts",
      worker: "node_modules/piscina/dist/worker.js",
    },
    outdir: outDir,
    bundle: true,
    platform: "node",
    target: "node24",
    format: "esm",
    // The runner's node24 provides these; node:sqlite especially must stay the built-in. @napi-rs/nice is
    // piscina's optional native add-on, loaded in a try.
    external: ["node:*", "@napi-rs/nice"],
    preserveSymlinks: true,
    // CommonJS dependencies call require() and read __dirname; an ESM bundle gets them from its own URL.
    banner: {
      js: [
        'import { createRequire as __stewardCreateRequire } from "node:module";',
        'import { fileURLToPath as __stewardFileURLToPath } from "node:url";',
        'import { dirname as __stewardDirname } from "node:path";',
        "const require = __stewardCreateRequire(import.meta.url);",
        "const __filename = __stewardFileURLToPath(import.meta.url);",
        "const __dirname = __stewardDirname(__filename);",
      ].join("\n"),
    },
    plugins: [taskModuleUrl],
    legalComments: "none",
    sourcemap: false,
    minify: false,
    treeShaking: true,
    logLevel: "warning",
    logOverride: { "empty-import-meta": "silent" },
  });
  return join(outDir, "index.js");
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = await buildAction(process.argv[2] ? resolve(process.argv[2]) : undefined);
  console.log(`built ${out}`);
}
