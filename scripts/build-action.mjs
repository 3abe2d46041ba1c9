// Builds the GitHub Action's single bundle (dist/index.js) from src/action/index.ts with esbuild.
// Deterministic: fixed options, no source maps, no timestamps, module paths relative to the repository
// (node_modules may be a symlink, so symlinks are not resolved into machine-specific paths).
// `node scripts/build-action.mjs [OUTDIR]` — check-bundle.mjs builds into a temp dir and compares.
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

export async function buildAction(outDir = join(root, "dist")) {
  mkdirSync(outDir, { recursive: true });
  await build({
    absWorkingDir: root,
    entryPoints: ["src/action/index.ts"],
    outfile: join(outDir, "index.js"),
    bundle: true,
    platform: "node",
    target: "node24",
    format: "esm",
    // The runner's node24 provides these; node:sqlite especially must stay the built-in.
    external: ["node:*"],
    preserveSymlinks: true,
    // CommonJS dependencies call require(); an ESM bundle gets one from the module's own URL.
    banner: {
      js: 'import { createRequire as __stewardCreateRequire } from "node:module";\nconst require = __stewardCreateRequire(import.meta.url);',
    },
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
