// The prompt budget of one call, from the model's real context window: window − output reserve −
// everything in the prompt that is not the diff (instructions, schema, PR text, facts). Never a
// fixed cap. The diff is then packed into what is left.
import type { z } from "zod";
import { runTask } from "../../compute/pool.ts";
import { type ChunkResult, type PackResult, reviewBudget } from "../../diff/index.ts";
import type { DiffFile } from "../../diff/types.ts";
import { countMessageTokens } from "../../llm/client.ts";
import { jsonSchemaOf, systemPromptFor } from "../../llm/output.ts";

/** Slack for the fence around the diff and the seams between sections. */
const MARGIN = 64;

export interface BudgetModel {
  contextWindow: number;
  maxOutputTokens: number;
}

export interface PromptShape {
  name: string;
  schema: z.ZodType;
  /** The call's prompts with `packedDiff` in place of the diff. */
  build: (packedDiff: string) => { system: string; user: string };
}

/** Tokens of the prompt around an empty diff, in the costlier of the two structured-output modes. */
export function promptOverhead(shape: PromptShape): number {
  const { system, user } = shape.build("");
  const schemaText = JSON.stringify(jsonSchemaOf(shape.schema));
  const cost = (mode: "json_schema" | "json_object") =>
    countMessageTokens([
      { role: "system", content: systemPromptFor(mode, system, shape.name, schemaText) },
      { role: "user", content: user },
    ]);
  return Math.max(cost("json_schema"), cost("json_object")) + MARGIN;
}

export function diffBudget(model: BudgetModel): number {
  return reviewBudget({
    contextWindow: model.contextWindow,
    promptTokens: 0,
    outputReserve: model.maxOutputTokens,
  });
}

export interface PackArgs {
  files: readonly DiffFile[];
  ignore: readonly string[];
  contextLines?: number;
  languages?: Record<string, number>;
}

// Packing tokenises the whole untrusted diff: it runs in the compute pool, under its time budget. The
// prompt overhead (instructions and schema around the diff) is measured here, where the shape lives.
export function packFor(model: BudgetModel, shape: PromptShape, a: PackArgs): Promise<PackResult> {
  return runTask(
    "pack",
    {
      files: a.files,
      opts: {
        budget: diffBudget(model),
        promptOverhead: promptOverhead(shape),
        ignore: a.ignore,
        languages: a.languages,
        ...(a.contextLines !== undefined
          ? { contextBefore: a.contextLines, contextAfter: a.contextLines }
          : {}),
      },
    },
    { what: "the diff (packing it for the model)" },
  );
}

export function chunkFor(
  model: BudgetModel,
  shape: PromptShape,
  a: PackArgs & { maxChunks: number },
): Promise<ChunkResult> {
  return runTask(
    "chunk",
    {
      files: a.files,
      opts: {
        budget: diffBudget(model),
        promptOverhead: promptOverhead(shape),
        ignore: a.ignore,
        languages: a.languages,
        maxChunks: a.maxChunks,
        ...(a.contextLines !== undefined
          ? { contextBefore: a.contextLines, contextAfter: a.contextLines }
          : {}),
      },
    },
    { what: "the diff (splitting it for the model)" },
  );
}

/** True when some file was left out only for lack of room (not ignored, not binary). */
export function overBudget(p: PackResult): boolean {
  return p.files.some((f) => f.status === "omitted" && f.reason === "over budget");
}

/** Runs `fn` over `items` with at most `limit` in flight, keeping order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (t: T, i: number) => Promise<R>,
) {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}
