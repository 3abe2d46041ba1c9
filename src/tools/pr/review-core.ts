// /review without I/O of its own: facts → pack into the model's budget → exactly one LLM call (when
// anything fits) → findings placed against the PR's hunks. The caller fetches and posts.
import { createHash } from "node:crypto";
import { canAnchor } from "../../diff/index.ts";
import type { DiffFile, ReviewAnchor } from "../../diff/types.ts";
import type { Llm } from "../../llm/client.ts";
import type { RepoConfig } from "../../config/schema.ts";
import type { NotCovered, UsageFooter } from "../markdown.ts";
import type { RunOptions } from "../options.ts";
import { runTask } from "../../compute/pool.ts";
import type { PrFacts } from "../pr-facts/types.ts";
import type { PrPromptContext } from "../prompt-context.ts";
import { reviewPrompt } from "../review/prompt.ts";
import type { PlacedFinding } from "../review/render.ts";
import { type Finding, type ReviewOutput, reviewSchema } from "../review/schema.ts";
import { type BudgetModel, overBudget, packFor, type PromptShape } from "./budget.ts";
import type { PackResult } from "../../diff/index.ts";
import { callLlm, footer, newTally } from "./llm-call.ts";
import { notCovered } from "./not-covered.ts";

export interface ReviewCoreInput {
  llm: Llm;
  title: string;
  body: string;
  /** The PR's whole diff: anchors are checked against it (it is what GitHub checks). */
  files: DiffFile[];
  /** What the model sees: the whole diff, or only the new commits' files on an incremental run. */
  shown: DiffFile[];
  commits: string[];
  unavailable: NotCovered[];
  incremental?: { fromSha: string; toSha: string };
  config: RepoConfig;
  options: RunOptions;
  /** Repo languages by bytes; fetched only when the diff does not fit (it only changes the order). */
  languages?: () => Promise<Record<string, number> | undefined>;
  usage: { tool: string; jobId?: number; installationId?: number };
  signal?: AbortSignal;
  /** The CLI's `--budget N`: N prompt tokens instead of the model's window minus its output tokens. */
  budget?: number;
}

export interface ReviewCoreResult {
  facts: PrFacts;
  review?: ReviewOutput;
  findings: PlacedFinding[];
  /** Findings whose anchors passed, with the anchor and a stable id for cross-run dedupe. */
  inline: Array<{ finding: Finding; anchor: ReviewAnchor; fingerprint: string }>;
  notReviewed: NotCovered[];
  llmNote?: string;
  usage?: UsageFooter;
  /** Token count of the diff the model saw (0 when no call). */
  promptTokens: number;
}

/** The deterministic facts, computed in the compute pool (globs and scans over the untrusted diff). */
export function factsFor(files: DiffFile[], config: RepoConfig): Promise<PrFacts> {
  const risky = config.pr.paths.risky ?? [];
  return runTask(
    "facts",
    {
      files,
      config: {
        ...(config.pr.paths.areas ? { areas: config.pr.paths.areas } : {}),
        ...(risky.length > 0 ? { riskyPaths: [{ glob: risky, reason: "configured as risky" }] } : {}),
      },
    },
    { what: "the diff (computing its facts)" },
  );
}

export function findingFingerprint(f: Finding): string {
  const title = f.title
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
  return createHash("sha256").update(`${f.file}\0${title}`).digest("hex").slice(0, 12);
}

export function findingAnchor(f: Finding): ReviewAnchor {
  return f.startLine < f.endLine
    ? { path: f.file, side: "RIGHT", line: f.endLine, start_line: f.startLine, start_side: "RIGHT" }
    : { path: f.file, side: "RIGHT", line: f.endLine };
}

export function shapeFor(input: ReviewCoreInput, facts: PrFacts): PromptShape {
  const ctx = (packedDiff: string): PrPromptContext => ({
    title: input.title,
    body: input.body,
    commits: input.commits,
    packedDiff,
    notReviewed: input.unavailable,
    facts,
    ...(input.incremental ? { incremental: input.incremental } : {}),
    extraInstructions: input.options.extra_instructions ?? input.config.pr.review.extra_instructions,
    ...(input.options.language ? { language: input.options.language } : {}),
  });
  const maxFindings = input.options.num_findings ?? input.config.pr.review.max_findings;
  return { name: "review", schema: reviewSchema, build: (d) => reviewPrompt(ctx(d), { maxFindings }) };
}

/** The model the budget is computed from: the LLM's real window and output tokens, or `--budget`. */
export function budgetModel(input: Pick<ReviewCoreInput, "llm" | "budget">): BudgetModel {
  return input.budget !== undefined
    ? { contextWindow: input.budget, maxOutputTokens: 0 }
    : { contextWindow: input.llm.contextWindow, maxOutputTokens: input.llm.maxOutputTokens };
}

/**
 * The one budget computation for a review: what `review --dry-run` prints and what the real review
 * sends are the same packing of the same prompt.
 */
export async function planReview(
  input: ReviewCoreInput,
): Promise<{ facts: PrFacts; shape: PromptShape; packed: PackResult }> {
  const facts = await factsFor(input.files, input.config);
  const shape = shapeFor(input, facts);
  const model = budgetModel(input);
  const packArgs = {
    files: input.shown,
    ignore: input.config.pr.paths.ignore,
    contextLines: input.options.context_lines,
  };
  let packed = await packFor(model, shape, packArgs);
  if (overBudget(packed) && input.languages) {
    const languages = await input.languages();
    if (languages) packed = await packFor(model, shape, { ...packArgs, languages });
  }
  return { facts, shape, packed };
}

export async function reviewCore(input: ReviewCoreInput): Promise<ReviewCoreResult> {
  const { facts, shape, packed } = await planReview(input);
  const notReviewed = [...notCovered(input.shown, packed), ...input.unavailable];
  const base = { facts, findings: [], inline: [], notReviewed, promptTokens: 0 };
  const sent = packed.files.some((f) => f.status !== "omitted");
  if (!sent) {
    const llmNote =
      input.shown.length === 0
        ? input.incremental
          ? "The new commits change no files, so there was nothing new to send to the model."
          : "This pull request changes no files, so there was nothing to send to the model."
        : "No file in this diff has reviewable text changes (see Not reviewed), so nothing was sent to the model.";
    return { ...base, llmNote };
  }
  const tally = newTally();
  const { system, user } = shape.build(packed.text);
  const called = await callLlm(
    input.llm,
    { schema: reviewSchema, name: "review", system, user, usage: input.usage, signal: input.signal },
    tally,
  );
  if (!called.ok) return { ...base, llmNote: called.note };
  // Paths the model names are checked against the diff: a split suggestion keeps only real files.
  const changed = new Set(input.files.map((f) => f.path));
  const suggestions = called.data.canBeSplit.suggestions
    .map((s) => ({ ...s, files: s.files.filter((f) => changed.has(f)) }))
    .filter((s) => s.files.length > 0);
  const review = { ...called.data, canBeSplit: { ...called.data.canBeSplit, suggestions } };
  const max = input.options.num_findings ?? input.config.pr.review.max_findings;
  const kept = review.findings.slice(0, max);
  const inlineOn = input.config.pr.review.inline_findings;
  const findings: PlacedFinding[] = [];
  const inline: ReviewCoreResult["inline"] = [];
  for (const finding of kept) {
    const anchor = findingAnchor(finding);
    const check = canAnchor(input.files, anchor);
    if (!check.ok) findings.push({ finding, anchorError: check.reason });
    else if (!inlineOn)
      findings.push({ finding, anchorError: "inline comments are off (pr.review.inline_findings)" });
    else {
      findings.push({ finding, anchorError: null });
      inline.push({ finding, anchor, fingerprint: findingFingerprint(finding) });
    }
  }
  return {
    ...base,
    review: { ...review, findings: kept },
    findings,
    inline,
    usage: footer(input.llm, tally),
    promptTokens: packed.promptTokens,
  };
}
