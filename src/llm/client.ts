// The LLM client every tool uses: one structured call = count → budget → request → validate →
// (one repair re-ask) → validated data, with every request written to the usage ledger.
import { OpenAI } from "openai";
import type { z } from "zod";
import { LLMError, LLMNotConfiguredError, LLMOutputError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import type { Db } from "../store/types.ts";
import { metrics } from "../metrics.ts";
import { assertWithinBudget, costUsd, recordUsage, type UsageOutcome } from "./ledger.ts";
import { DEFAULT_CONTEXT_WINDOW, lookupContextWindow } from "./models.ts";
import { checkAnswer, jsonSchemaOf, repairMessage, systemPromptFor, type WireMode } from "./output.ts";
import type { LlmConfig } from "./schema.ts";
import { countTokens } from "./tokens.ts";
import { isJsonSchemaUnsupported, wrapLlmError } from "./wrap.ts";
import { trimEndChar } from "../linear-text.ts";

export interface CompleteOptions<T> {
  schema: z.ZodType<T>;
  /** Schema name sent to the server; letters, digits, _ and - only. */
  name: string;
  system: string;
  user: string;
  maxOutputTokens?: number;
  usage: { tool: string; jobId?: number; installationId?: number };
  signal?: AbortSignal;
}

export interface CompleteResult<T> {
  data: T;
  calls: number;
  promptTokens: number;
  completionTokens: number;
}

export interface Llm {
  readonly configured: boolean;
  readonly model: string;
  readonly contextWindow: number;
  readonly maxOutputTokens: number;
  countTokens(text: string): number;
  complete<T>(opts: CompleteOptions<T>): Promise<CompleteResult<T>>;
}

type Message = { role: "system" | "user" | "assistant"; content: string };

// Base URLs whose server rejected `json_schema` once; remembered for the life of the process.
const jsonSchemaRejected = new Set<string>();

/** For tests: forget which servers rejected json_schema. */
export function forgetStructuredOutputSupport(): void {
  jsonSchemaRejected.clear();
}

// Chat-format overhead per message and per reply, as in OpenAI's token-counting guide.
const PER_MESSAGE = 4;
const PER_REPLY = 3;

export function countMessageTokens(messages: Message[]): number {
  return messages.reduce((n, m) => n + PER_MESSAGE + countTokens(m.content), PER_REPLY);
}

// Reasoning models reject `max_tokens` and any temperature but the default.
const isReasoningModel = (model: string) => /(^|\/)(o\d|gpt-5)/i.test(model);

export function resolveContextWindow(cfg: LlmConfig, log: Logger): number {
  if (cfg.contextWindow !== undefined) return cfg.contextWindow;
  const known = lookupContextWindow(cfg.model);
  if (known !== undefined) return known;
  log.warn(
    { model: cfg.model, contextWindow: DEFAULT_CONTEXT_WINDOW },
    "unknown LLM model; assuming the default context window (set LLM_CONTEXT_WINDOW)",
  );
  return DEFAULT_CONTEXT_WINDOW;
}

function buildClient(cfg: LlmConfig, apiKey: string): OpenAI {
  // Azure's classic deployment URLs carry `?api-version=`; the SDK appends paths to baseURL, so the
  // query moves to defaultQuery. Azure also wants the key in `api-key`.
  const url = new URL(cfg.baseUrl);
  const defaultQuery = Object.fromEntries(url.searchParams);
  url.search = "";
  const azure = /\.(openai\.azure\.com|cognitiveservices\.azure\.com)$/i.test(url.hostname);
  return new OpenAI({
    apiKey,
    baseURL: trimEndChar(url.toString(), "/"),
    timeout: cfg.timeoutMs,
    maxRetries: cfg.maxRetries,
    ...(Object.keys(defaultQuery).length ? { defaultQuery } : {}),
    ...(azure ? { defaultHeaders: { "api-key": apiKey } } : {}),
  });
}

export function createLlm(cfg: LlmConfig, deps: { db?: Db; log: Logger }): Llm {
  const { db, log } = deps;
  const contextWindow = resolveContextWindow(cfg, log);
  const host = new URL(cfg.baseUrl).host;
  const client = cfg.apiKey ? buildClient(cfg, cfg.apiKey) : undefined;
  const wrapCtx = { model: cfg.model, host, timeoutMs: cfg.timeoutMs, apiKey: cfg.apiKey };

  const modeFor = (): WireMode =>
    cfg.structuredOutput === "json_object" ||
    (cfg.structuredOutput === "auto" && jsonSchemaRejected.has(cfg.baseUrl))
      ? "json_object"
      : "json_schema";

  async function complete<T>(opts: CompleteOptions<T>): Promise<CompleteResult<T>> {
    if (!client) throw new LLMNotConfiguredError();
    const maxOut = opts.maxOutputTokens ?? cfg.maxOutputTokens;
    const schemaJson = jsonSchemaOf(opts.schema);
    const schemaText = JSON.stringify(schemaJson);
    const u = opts.usage;
    let calls = 0;
    let promptTotal = 0;
    let completionTotal = 0;

    const record = async (outcome: UsageOutcome, promptTokens: number, completionTokens: number) => {
      // Only these fields: the key, prompts and answers never reach the log.
      log.info(
        {
          tool: u.tool,
          jobId: u.jobId,
          installationId: u.installationId,
          model: cfg.model,
          host,
          promptTokens,
          completionTokens,
          outcome,
        },
        "llm call",
      );
      metrics.llmTokens.inc({ direction: "prompt", tool: u.tool }, promptTokens);
      metrics.llmTokens.inc({ direction: "completion", tool: u.tool }, completionTokens);
      if (!db) return;
      await recordUsage(db, {
        jobId: u.jobId,
        installationId: u.installationId,
        tool: u.tool,
        model: cfg.model,
        promptTokens,
        completionTokens,
        costUsd: costUsd(promptTokens, completionTokens, cfg),
        outcome,
      });
    };

    const guard = async (messages: Message[]): Promise<number> => {
      const promptTokens = countMessageTokens(messages);
      if (promptTokens + maxOut > contextWindow) {
        throw new LLMError(
          `prompt of ${promptTokens} tokens + ${maxOut} output tokens exceeds the ${contextWindow}-token window of ${cfg.model}`,
          {
            transient: false,
            userMessage: `The ${u.tool} prompt needs ${promptTokens} tokens plus ${maxOut} for the answer, more than the ${contextWindow}-token context window of ${cfg.model}. Set LLM_CONTEXT_WINDOW if your deployment allows more.`,
          },
        );
      }
      if (db && u.installationId !== undefined) {
        await assertWithinBudget(db, u.installationId, promptTokens, cfg.dailyTokenBudget);
      }
      return promptTokens;
    };

    /** One HTTP exchange (plus the json_schema → json_object fallback). Records usage. */
    const ask = async (mode: WireMode, history: Message[]) => {
      const messages: Message[] = [
        { role: "system", content: systemPromptFor(mode, opts.system, opts.name, schemaText) },
        ...history,
      ];
      const estimate = await guard(messages);
      const reasoning = isReasoningModel(cfg.model);
      try {
        calls++;
        const res = await client.chat.completions.create(
          {
            model: cfg.model,
            messages,
            ...(reasoning ? { max_completion_tokens: maxOut } : { max_tokens: maxOut, temperature: 0.2 }),
            response_format:
              mode === "json_schema"
                ? { type: "json_schema", json_schema: { name: opts.name, schema: schemaJson, strict: false } }
                : { type: "json_object" },
          },
          opts.signal ? { signal: opts.signal } : undefined,
        );
        const choice = res.choices[0];
        const content = choice?.message.content ?? "";
        const promptTokens = res.usage?.prompt_tokens ?? estimate;
        const completionTokens = res.usage?.completion_tokens ?? countTokens(content);
        promptTotal += promptTokens;
        completionTotal += completionTokens;
        const checked = checkAnswer(opts.schema, content, {
          refusal: choice?.message.refusal,
          finishReason: choice?.finish_reason,
        });
        await record(checked.ok ? "ok" : "invalid", promptTokens, completionTokens);
        return { mode, content, checked };
      } catch (err) {
        if (err instanceof LLMError) throw err;
        // A failed request is not billed, so it costs no budget; the row keeps the failure visible.
        await record("error", 0, 0);
        if (mode === "json_schema" && cfg.structuredOutput === "auto" && isJsonSchemaUnsupported(err)) {
          jsonSchemaRejected.add(cfg.baseUrl);
          log.warn(
            { host, model: cfg.model },
            "LLM endpoint rejected json_schema output; using json_object mode",
          );
          return ask("json_object", history);
        }
        const wrapped = wrapLlmError(err, wrapCtx);
        log.warn({ host, model: cfg.model, tool: u.tool, transient: wrapped.transient }, "llm call failed");
        throw wrapped;
      }
    };

    const user: Message = { role: "user", content: opts.user };
    const first = await ask(modeFor(), [user]);
    if (first.checked.ok) {
      return {
        data: first.checked.data,
        calls,
        promptTokens: promptTotal,
        completionTokens: completionTotal,
      };
    }

    // One repair re-ask: the model sees its own answer and the exact validation errors.
    const fix: Message[] = [
      { role: "assistant", content: first.content },
      { role: "user", content: repairMessage(opts.name, first.checked.issues) },
    ];
    // If the conversation no longer fits, the answer and the errors alone still allow a format fix.
    const withContext = [
      { role: "system" as const, content: systemPromptFor(first.mode, opts.system, opts.name, schemaText) },
      user,
      ...fix,
    ];
    const fits = countMessageTokens(withContext) + maxOut <= contextWindow;
    const second = await ask(first.mode, fits ? [user, ...fix] : fix);
    if (second.checked.ok) {
      return {
        data: second.checked.data,
        calls,
        promptTokens: promptTotal,
        completionTokens: completionTotal,
      };
    }
    const issues = second.checked.issues;
    throw new LLMOutputError(
      `LLM answer for "${opts.name}" failed validation after one repair: ${issues.join("; ")}`,
      issues,
      {
        userMessage: `The model's answer for ${u.tool} did not match the expected format, even after one correction request, so nothing was posted. Problems: ${issues.slice(0, 5).join("; ")}. Retrying may help; a stronger LLM_MODEL is more reliable.`,
      },
    );
  }

  return {
    configured: client !== undefined,
    model: cfg.model,
    contextWindow,
    maxOutputTokens: cfg.maxOutputTokens,
    countTokens,
    complete,
  };
}
