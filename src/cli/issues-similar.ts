// `steward issues similar`: offline similar-issue search over JSONL files, for evaluation.

import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { InvalidInputError } from "../errors.ts";
import { RepoIndex } from "../search/index.ts";
import { CliUsageError, type CliCommand, type CliIO } from "./types.ts";

const USAGE = `steward issues similar --corpus corpus.jsonl --queries queries.jsonl [--top 5] [--json]

Ranks, for each query issue, the corpus issues most similar to it. Offline: no network.
  --corpus FILE    JSONL, one issue per line: {"number", "title", "body", "created_at"?}
  --queries FILE   JSONL in the same shape; a query may also appear in the corpus
  --top N          results per query (1-100, default 5)
  --json           one line per query: {"number", "results": [{"number", "score"}]}
Candidates are corpus issues created before the query (when both have created_at), never the query itself.
Scores are similarities in [0, 1].`;

const lineSchema = z.object({
  number: z.number().int().positive(),
  title: z.string(),
  body: z.string().nullish(),
  created_at: z.union([z.string(), z.number()]).nullish(),
});

export interface JsonlIssue {
  number: number;
  title: string;
  body: string;
  createdAt?: number;
}

/** Parses JSONL issues; any bad line throws an error naming the file and line number. */
export function parseIssuesJsonl(text: string, file: string): JsonlIssue[] {
  const out: JsonlIssue[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    const where = `${file} line ${i + 1}`;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      throw new InvalidInputError(`${where}: not valid JSON`);
    }
    const r = lineSchema.safeParse(raw);
    if (!r.success) {
      const issue = r.error.issues[0];
      throw new InvalidInputError(`${where}: ${issue.path.join(".") || "(line)"}: ${issue.message}`);
    }
    let createdAt: number | undefined;
    const c = r.data.created_at;
    if (c !== undefined && c !== null) {
      createdAt = typeof c === "number" ? c : Date.parse(c);
      if (!Number.isFinite(createdAt))
        throw new InvalidInputError(`${where}: created_at: expected an ISO 8601 date or epoch milliseconds`);
    }
    out.push({ number: r.data.number, title: r.data.title, body: r.data.body ?? "", createdAt });
  }
  return out;
}

async function readInput(io: CliIO, path: string, flag: string): Promise<string> {
  try {
    return await readFile(resolve(io.cwd, path), "utf8");
  } catch (err) {
    throw new InvalidInputError(
      `cannot read ${flag} ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
}

const oneLine = (t: string) => t.replace(/\s+/g, " ").trim().slice(0, 100);

/** "#12 Crash on save" then one indented line per result: number, score, title. */
function readable(
  q: { number: number; title: string },
  results: Array<{ number: number; title: string; score: number }>,
) {
  const head = `#${q.number} ${oneLine(q.title)}`.trimEnd();
  if (results.length === 0) return `${head}\n  no similar issues\n`;
  const w = Math.max(...results.map((r) => String(r.number).length)) + 1;
  return `${head}\n${results.map((r) => `  ${`#${r.number}`.padEnd(w)}  ${r.score.toFixed(2)}  ${oneLine(r.title)}`.trimEnd()).join("\n")}\n`;
}

export const command: CliCommand = {
  name: "similar",
  summary: "Rank similar issues offline from JSONL files",
  usage: USAGE,
  async run(argv, io) {
    let values: { corpus?: string; queries?: string; top?: string; json?: boolean };
    try {
      ({ values } = parseArgs({
        args: argv,
        options: {
          corpus: { type: "string" },
          queries: { type: "string" },
          top: { type: "string" },
          json: { type: "boolean" },
        },
        strict: true,
      }));
    } catch (err) {
      throw new CliUsageError((err as Error).message);
    }
    if (!values.corpus) throw new CliUsageError("--corpus is required");
    if (!values.queries) throw new CliUsageError("--queries is required");
    const top = values.top === undefined ? 5 : Number(values.top);
    if (!Number.isInteger(top) || top < 1 || top > 100)
      throw new CliUsageError(`--top must be an integer from 1 to 100, got '${values.top}'`);

    const corpus = parseIssuesJsonl(await readInput(io, values.corpus, "--corpus"), values.corpus);
    const queries = parseIssuesJsonl(await readInput(io, values.queries, "--queries"), values.queries);
    const index = new RepoIndex();
    for (const d of corpus)
      index.upsert({
        number: d.number,
        kind: "issue",
        title: d.title,
        body: d.body,
        comments: "",
        createdAt: d.createdAt,
      });

    const titles = new Map(corpus.map((d) => [d.number, d.title]));
    for (const q of queries) {
      const results = index
        .search(q, { limit: top })
        .map((c) => ({ number: c.number, title: titles.get(c.number) ?? "", score: c.score }));
      if (values.json) io.stdout(`${JSON.stringify({ number: q.number, title: q.title, results })}\n`);
      else io.stdout(readable(q, results));
    }
    return 0;
  },
};
