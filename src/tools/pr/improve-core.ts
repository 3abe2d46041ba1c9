// /improve without I/O of its own. A diff that fits: one call. Over budget: at most
// `max_chunks − 1` generation calls (2 in flight) plus one scoring pass, so `max_chunks` caps the
// calls of a run (default 4). Suggestions already posted on an earlier run are set aside by
// fingerprint.
import type { RepoConfig } from "../../config/schema.ts";
import type { DiffFile } from "../../diff/types.ts";
import type { Llm } from "../../llm/client.ts";
import { dedupeSuggestions } from "../improve/fingerprint.ts";
import { improvePrompt, scoringPrompt } from "../improve/prompt.ts";
import { applyScores, improveSchema, type Suggestion, scoringSchema } from "../improve/schema.ts";
import type { NotCovered, UsageFooter } from "../markdown.ts";
import type { RunOptions } from "../options.ts";
import type { PrPromptContext } from "../prompt-context.ts";
import { chunkFor, mapLimit, overBudget, packFor } from "./budget.ts";
import { callLlm, footer, newTally } from "./llm-call.ts";
import { notCovered } from "./not-covered.ts";
import { factsFor } from "./review-core.ts";

/** Generation calls in flight at once: fast enough, and gentle on rate limits. */
export const IMPROVE_CONCURRENCY = 2;

export interface ImproveCoreInput {
  llm: Llm;
  title: string;
  body: string;
  files: DiffFile[];
  unavailable: NotCovered[];
  config: RepoConfig;
  options: RunOptions;
  /** Fingerprints of suggestions posted on earlier runs. */
  posted: Set<string>;
  languages?: () => Promise<Record<string, number> | undefined>;
  usage: { tool: string; jobId?: number; installationId?: number };
}

export type Fingerprinted = Suggestion & { fingerprint: string };

export interface ImproveCoreResult {
  fresh: Fingerprinted[];
  duplicates: Fingerprinted[];
  notReviewed: NotCovered[];
  chunks: number;
  llmNote?: string;
  usage?: UsageFooter;
}

export async function improveCore(input: ImproveCoreInput): Promise<ImproveCoreResult> {
  const facts = await factsFor(input.files, input.config);
  const ctx = (packedDiff: string): PrPromptContext => ({
    title: input.title,
    body: input.body,
    commits: [],
    packedDiff,
    notReviewed: input.unavailable,
    facts,
    ...(input.options.extra_instructions ? { extraInstructions: input.options.extra_instructions } : {}),
    ...(input.options.language ? { language: input.options.language } : {}),
  });
  const maxSuggestions = input.options.max_suggestions;
  const build = (d: string, chunk?: { index: number; of: number }) =>
    improvePrompt(ctx(d), { ...(maxSuggestions ? { maxSuggestions } : {}), ...(chunk ? { chunk } : {}) });
  // The overhead is measured with the longest chunk note, so every chunk's prompt fits.
  const shape = {
    name: "improve",
    schema: improveSchema,
    build: (d: string) => build(d, { index: 99, of: 99 }),
  };
  const args = {
    files: input.files,
    ignore: input.config.pr.paths.ignore,
    contextLines: input.options.context_lines,
  };
  let texts: string[];
  let notReviewed: NotCovered[];
  const single = await packFor(input.llm, shape, args);
  const maxCalls = input.config.pr.improve.max_chunks;
  if (!overBudget(single) || maxCalls <= 1) {
    texts = single.files.some((f) => f.status !== "omitted") ? [single.text] : [];
    notReviewed = notCovered(input.files, single);
  } else {
    const languages = input.languages ? await input.languages() : undefined;
    const chunked = await chunkFor(input.llm, shape, {
      ...args,
      ...(languages ? { languages } : {}),
      maxChunks: maxCalls - 1,
    });
    texts = chunked.chunks.map((c) => c.text);
    notReviewed = chunked.omitted.map((o) => ({ path: o.path, reason: o.reason ?? "omitted" }));
    for (const c of chunked.chunks)
      for (const f of c.files)
        if (f.reason?.startsWith("partial"))
          notReviewed.push({ path: f.path, reason: `only partly reviewed (${f.reason}; over budget)` });
  }
  notReviewed.push(...input.unavailable);
  const base = { fresh: [], duplicates: [], notReviewed, chunks: texts.length };
  if (texts.length === 0) {
    return {
      ...base,
      llmNote:
        input.files.length === 0
          ? "This pull request changes no files."
          : "No file in this diff has text changes to improve (see Not reviewed).",
    };
  }
  const tally = newTally();
  const usage = { ...input.usage, tool: "improve" };
  const results = await mapLimit(texts, IMPROVE_CONCURRENCY, (text, i) => {
    const { system, user } = build(text, texts.length > 1 ? { index: i + 1, of: texts.length } : undefined);
    return callLlm(input.llm, { schema: improveSchema, name: "improve", system, user, usage }, tally);
  });
  const failed = results.find((r) => !r.ok);
  if (failed && !failed.ok) return { ...base, llmNote: failed.note };
  let all: Suggestion[] = results.flatMap((r) => (r.ok ? r.data.suggestions : []));
  if (texts.length > 1 && all.length > 0) {
    // One scoring pass puts suggestions from different chunks on one scale.
    const { system, user } = scoringPrompt(all);
    const scored = await callLlm(
      input.llm,
      { schema: scoringSchema, name: "improve_scores", system, user, usage },
      tally,
    );
    if (scored.ok) all = applyScores(all, scored.data);
  }
  const { fresh, duplicates } = dedupeSuggestions(all, input.posted);
  return { ...base, fresh, duplicates, usage: footer(input.llm, tally) };
}
