// The baseline of bench/ingest-mixed.ts: a bare line-splitting reader (node:readline), counting lines.
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";

let lines = 0;
const rl = createInterface({
  input: createReadStream(process.argv[2]!),
  crlfDelay: Number.POSITIVE_INFINITY,
});
for await (const _ of rl) lines++;
process.stdout.write(`${JSON.stringify({ lines })}\n`);
