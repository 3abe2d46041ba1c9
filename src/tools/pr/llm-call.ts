// One structured LLM call for a PR tool, with the two outcomes a tool must turn into a visible note
// instead of a dead-letter: no LLM configured, and the daily budget spent.
import { BudgetExceededError, LLMNotConfiguredError } from "../../errors.ts";
import type { CompleteOptions, Llm } from "../../llm/client.ts";
import type { UsageFooter } from "../markdown.ts";

export const NOT_CONFIGURED_NOTE =
  "No LLM is configured, so there is no model review: set `LLM_API_KEY` (and `LLM_BASE_URL` / `LLM_MODEL` for a non-OpenAI endpoint) in the Steward server's environment.";

export type Called<T> = { ok: true; data: T } | { ok: false; note: string };

export interface UsageTally {
  calls: number;
  promptTokens: number;
  completionTokens: number;
}

export function newTally(): UsageTally {
  return { calls: 0, promptTokens: 0, completionTokens: 0 };
}

export function footer(llm: Pick<Llm, "model">, t: UsageTally): UsageFooter | undefined {
  return t.calls > 0 ? { model: llm.model, ...t } : undefined;
}

/** Calls the model; LLMOutputError, timeouts and other failures propagate (the runner reports them). */
export async function callLlm<T>(llm: Llm, opts: CompleteOptions<T>, tally: UsageTally): Promise<Called<T>> {
  if (!llm.configured) return { ok: false, note: NOT_CONFIGURED_NOTE };
  try {
    const r = await llm.complete(opts);
    tally.calls += r.calls;
    tally.promptTokens += r.promptTokens;
    tally.completionTokens += r.completionTokens;
    return { ok: true, data: r.data };
  } catch (err) {
    if (err instanceof LLMNotConfiguredError) return { ok: false, note: NOT_CONFIGURED_NOTE };
    if (err instanceof BudgetExceededError) {
      // The renders add that the deterministic parts are complete; saying it here doubled it.
      return { ok: false, note: `${err.userMessage} The model part was skipped.` };
    }
    throw err;
  }
}
