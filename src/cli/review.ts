// `steward review`: review a diff file or a live PR and print the result. --dry-run shows what would
// reach the model without calling it; the budget is computed by the same function the real review
// uses (src/tools/pr/review-core.ts `planReview`), so the two always agree.
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { parseDiff } from "../diff/index.ts";
import { CliUsageError, type CliCommand, type CliIO } from "./types.ts";

const USAGE = `steward review (--diff-file FILE | --pr URL) [--budget TOKENS] [--dry-run] [--json]

Reviews a diff with the LLM and prints the review (nothing is posted). Without an LLM (no
LLM_API_KEY) it prints the deterministic facts, as the App does.
  --diff-file FILE   a git diff, e.g. from \`git diff\` (any encoding; invalid UTF-8 is replaced and flagged)
  --pr URL           a live pull request, https://github.com/OWNER/REPO/pull/N or the same URL on your
                     GitHub Enterprise Server; read with GITHUB_TOKEN
  --budget TOKENS    prompt budget; default: the context window of LLM_MODEL (or LLM_CONTEXT_WINDOW)
                     minus LLM_MAX_OUTPUT_TOKENS
  --dry-run          do not call the LLM; print how the diff is packed into the budget
  --json             print JSON: with --dry-run {budget, promptTokens, files:[{path, status, tokens}]},
                     else {review, findings, facts, notReviewed, llmNote, usage}`;

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
        throw new CliUsageError(`--budget must be a positive integer of tokens, got "${v.slice(0, 40)}"`);
      args.budget = n;
    } else if (flag === "--dry-run") args.dryRun = true;
    else if (flag === "--json") args.json = true;
    else if (flag === "--pr") args.pr = value();
    else throw new CliUsageError(`unknown option ${a.slice(0, 80)}`);
  }
  if (!args.diffFile && !args.pr) throw new CliUsageError("--diff-file FILE or --pr URL is required");
  if (args.diffFile && args.pr) throw new CliUsageError("give either --diff-file or --pr, not both");
  return args;
}

/** A NUL byte near the start: a binary file (git diffs, even of binary files, are text). */
function binaryFile(bytes: Buffer, name: string): string | undefined {
  return bytes.subarray(0, 8000).includes(0)
    ? `${name} is a binary file, not a diff (make one with \`git diff > changes.diff\`)`
    : undefined;
}

/** Why `bytes` cannot be reviewed as a diff, or undefined when it holds at least one file. */
function notADiff(bytes: Buffer, name: string, files: number): string | undefined {
  if (files > 0) return undefined;
  if (bytes.toString("utf8").trim() === "") return `${name} is empty: there is nothing to review`;
  return `${name} is not a diff: it has no "diff --git" or "--- a/… / +++ b/…" file headers (make one with \`git diff > changes.diff\`)`;
}

export async function runReviewCommand(argv: string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv);
  const { reviewDiffFile, reviewPullRequest } = await import("../tools/pr/cli.ts");
  const opts = { dryRun: args.dryRun, json: args.json, ...(args.budget ? { budget: args.budget } : {}) };
  if (args.pr) return reviewPullRequest(args.pr, io, opts);
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
  const binary = binaryFile(bytes, args.diffFile!);
  if (binary) {
    io.stderr(`steward review: ${binary}\n`);
    return 1;
  }
  const diff = parseDiff(bytes);
  const why = notADiff(bytes, args.diffFile!, diff.files.length);
  if (why) {
    io.stderr(`steward review: ${why}\n`);
    return 1;
  }
  return reviewDiffFile(diff, io, opts);
}

export const command: CliCommand = {
  name: "review",
  summary: "Review a diff file or a PR and print it (--dry-run: show the packing, no LLM)",
  usage: USAGE,
  run: runReviewCommand,
};
