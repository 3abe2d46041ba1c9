import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";

export function fixture(name: string): Buffer {
  const buf = readFileSync(new URL(`../../fixtures/diffs/${name}`, import.meta.url));
  return name.endsWith(".gz") ? gunzipSync(buf) : buf;
}
