// CI check: the committed action bundle (dist/) is exactly what the source builds to. Rebuilds into a
// temp dir with the same script and fails, naming the difference, when dist/ is stale or has extra files.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { buildAction } from "./build-action.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const committed = join(root, "dist");
const fresh = mkdtempSync(join(tmpdir(), "steward-bundle-"));
try {
  await buildAction(fresh);
  const want = readdirSync(fresh).sort();
  let have = [];
  try {
    have = readdirSync(committed).sort();
  } catch {
    // no dist/ at all: reported below as missing files
  }
  const problems = [];
  for (const f of want) {
    if (!have.includes(f)) {
      problems.push(`dist/${f} is missing`);
      continue;
    }
    const a = readFileSync(join(fresh, f));
    const b = readFileSync(join(committed, f));
    if (!a.equals(b)) {
      let i = 0;
      while (i < a.length && i < b.length && a[i] === b[i]) i++;
      const line = a.subarray(0, i).toString("utf8").split("\n").length;
      problems.push(`dist/${f} differs from a fresh build (first difference at line ${line})`);
    }
  }
  for (const f of have) if (!want.includes(f)) problems.push(`dist/${f} is not produced by the build`);
  if (problems.length > 0) {
    console.error(`check:bundle: the committed action bundle is stale:\n  ${problems.join("\n  ")}`);
    console.error("Run `npm run build:action` and commit dist/.");
    process.exit(1);
  }
  console.log(`check:bundle: dist/ matches a fresh build (${want.join(", ")})`);
} finally {
  rmSync(fresh, { recursive: true, force: true });
}
