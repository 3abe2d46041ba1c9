// `steward review`: pack a diff into the model's budget. --dry-run shows what would reach the model
// without calling it; a full review plugs in through `runReview`.
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { z } from "zod";
import { packDiff, parseDiff, reviewBudget } from "../diff/index.ts";
import type { PackResult } from "../diff/index.ts";
import type { ParsedDiff } from "../diff/types.ts";
import { CliUsageError, type CliCommand, type CliIO } from "./types.ts";

const USAGE = `Usage: steward review (--diff-file FILE | --pr https://github.com/OWNER/REPO/pull/N) [--budget TOKENS] [--dry-run] [--json]

Packs a diff into the LLM's token budget and reviews it.
  --diff-file FILE   a git diff (any encoding; invalid UTF-8 is replaced and flagged)
  --pr URL           a live pull request, read with GITHUB_TOKEN (nothing is posted)
  --budget TOKENS    prompt budget; default LLM_CONTEXT_WINDOW (128000) minus LLM_OUTPUT_RESERVE (4096)
  --dry-run          do not call the LLM; print what would be sent
  --json             with --dry-run: print {budget, promptTokens, files:[{path, status, tokens}]}`;

const Env = z.object({
  LLM_CONTEXT_WINDOW: z.coerce.number().int().positive().default(128_000),
  LLM_OUTPUT_RESERVE: z.coerce.number().int().nonnegative().default(4_096),
  LLM_API_KEY: z.string().optional(),
});

export interface ReviewInput {
  diff: ParsedDiff;
  packed: PackResult;
  io: CliIO;
}

/** Filled in by the PR tools: runs the LLM review on a packed diff and returns the exit code. */
export type RunReview = (input: ReviewInput) => Promise<number>;

interface Args {
  diffFile?: string;
  pr?: string;
  budget?: number;
  dryRun: boolean;
  json: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { dryRun: false, json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.includes("=")
      ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)]
      : [a, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new CliUsageError(`${flag} needs a value`);
      return v;
    };
    if (flag === "--diff-file") args.diffFile = value();
    else if (flag === "--budget") {
      const v = value();
      const n = Number(v);
      if (!Number.isInteger(n) || n <= 0)
        throw new CliUsageError(`--budget must be a positive integer of tokens, got "${v}"`);
      args.budget = n;
    } else if (flag === "--dry-run") args.dryRun = true;
    else if (flag === "--json") args.json = true;
    else if (flag === "--pr") args.pr = value();
    else throw new CliUsageError(`unknown option ${a}`);
  }
  if (!args.diffFile && !args.pr) throw new CliUsageError("--diff-file FILE or --pr URL is required");
  if (args.diffFile && args.pr) throw new CliUsageError("give either --diff-file or --pr, not both");
  return args;
}

export async function runReviewCommand(argv: string[], io: CliIO, runReview?: RunReview): Promise<number> {
  const args = parseArgs(argv);
  const env = Env.safeParse(io.env);
  if (!env.success) {
    const issue = env.error.issues[0]!;
    throw new CliUsageError(`${issue.path.join(".")}: expected a positive integer (${issue.message})`);
  }
  if (args.pr) {
    const { reviewPullRequest } = await import("../tools/pr/cli.ts");
    return reviewPullRequest(args.pr, io, { dryRun: args.dryRun, json: args.json, budget: args.budget });
  }
  if (!args.dryRun && !(runReview && env.data.LLM_API_KEY)) {
    io.stderr("review without --dry-run needs an LLM configured: set LLM_API_KEY\n");
    return 1;
  }
  const path = resolve(io.cwd, args.diffFile!);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    io.stderr(
      `steward review: cannot read ${args.diffFile}: ${(err as NodeJS.ErrnoException).code ?? String(err)}\n`,
    );
    return 1;
  }
  const diff = parseDiff(bytes);
  const budget =
    args.budget ??
    reviewBudget({
      contextWindow: env.data.LLM_CONTEXT_WINDOW,
      promptTokens: 0,
      outputReserve: env.data.LLM_OUTPUT_RESERVE,
    });
  const packed = packDiff(diff.files, { budget });
  if (!args.dryRun) return runReview!({ diff, packed, io });
  if (args.json) {
    const files = packed.files.map((f) => ({ path: f.path, status: f.status, tokens: f.tokens }));
    io.stdout(JSON.stringify({ budget: packed.budget, promptTokens: packed.promptTokens, files }) + "\n");
    return 0;
  }
  io.stdout(renderDryRun(diff, packed));
  return 0;
}

function renderDryRun(diff: ParsedDiff, p: PackResult): string {
  const count = (s: string) => p.files.filter((f) => f.status === s).length;
  const lines = [
    `Diff: ${diff.files.length} file(s). Budget ${p.budget} tokens, prompt ${p.promptTokens} tokens.`,
    `Included ${count("included")}, compressed ${count("compressed")}, omitted ${count("omitted")}.`,
  ];
  if (diff.files.length === 0) lines.push("The diff is empty: nothing to review.");
  for (const f of p.files)
    lines.push(
      `  ${f.status.padEnd(10)} ${String(f.tokens).padStart(7)}  ${f.path}${f.reason ? `  (${f.reason})` : ""}`,
    );
  for (const w of diff.warnings) lines.push(`warning: ${w}`);
  return lines.join("\n") + "\n";
}

export const command: CliCommand = {
  name: "review",
  summary: "Pack a diff into the LLM budget and review it (--dry-run: no LLM)",
  usage: USAGE,
  run: async (argv, io) => {
    const { reviewDiffFile } = await import("../tools/pr/cli.ts");
    return runReviewCommand(argv, io, reviewDiffFile);
  },
};
