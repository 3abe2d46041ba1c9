import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { LLMError, LLMNotConfiguredError, LLMOutputError } from "../../src/errors.ts";
import { createLlm, forgetStructuredOutputSupport } from "../../src/llm/client.ts";
import { usageByJob } from "../../src/llm/ledger.ts";
import { sqliteTestDb, type TestDb } from "../helpers/db.ts";
import { BASE, type ChatBody, captureLog, completion, KEY, testConfig } from "./helpers.ts";

const Review = z.object({
  summary: z.string(),
  findings: z.array(z.object({ file: z.string(), line: z.number().int(), message: z.string() })),
});
const GOOD = { summary: "Adds retry", findings: [{ file: "src/a.ts", line: 3, message: "off by one" }] };
const ask = { schema: Review, name: "review", system: "You review code.", user: "diff here" };

let t: TestDb;
beforeEach(async () => {
  forgetStructuredOutputSupport();
  t = await sqliteTestDb();
});
afterEach(async () => {
  await t.cleanup();
});

/** Mocks one POST /v1/chat/completions and keeps its body for assertions. */
function expectChat(
  bodies: ChatBody[],
  status: number,
  reply: unknown,
  headers: Record<string, string> = {},
) {
  return nock(BASE)
    .post("/v1/chat/completions", (b: ChatBody) => {
      bodies.push(b);
      return true;
    })
    .reply(status, reply as nock.Body, headers);
}

describe("createLlm().complete", () => {
  it("returns validated data from one json_schema call and records an ok ledger row", async () => {
    const bodies: ChatBody[] = [];
    nock(BASE)
      .matchHeader("authorization", `Bearer ${KEY}`)
      .post("/v1/chat/completions", (b: ChatBody) => {
        bodies.push(b);
        return true;
      })
      .reply(200, completion(JSON.stringify(GOOD)));
    const { log, lines } = captureLog();
    const llm = createLlm(testConfig(), { db: t.db, log });
    const r = await llm.complete({ ...ask, usage: { tool: "review", jobId: 7, installationId: 42 } });

    expect(r).toEqual({ data: GOOD, calls: 1, promptTokens: 100, completionTokens: 20 });
    expect(bodies).toHaveLength(1);
    const body = bodies[0] as ChatBody;
    expect(body.model).toBe("gpt-4o-mini");
    expect(body.max_tokens).toBe(512);
    expect(body.response_format.type).toBe("json_schema");
    expect(body.response_format.json_schema?.name).toBe("review");
    expect(body.response_format.json_schema?.strict).toBe(false);
    expect(body.response_format.json_schema?.schema).toMatchObject({
      type: "object",
      required: ["summary", "findings"],
    });
    expect(body.messages.map((m) => m.role)).toEqual(["system", "user"]);
    expect(body.messages[1]?.content).toBe("diff here");

    const rows = await usageByJob(t.db, 7);
    expect(rows).toMatchObject([
      {
        jobId: 7,
        installationId: 42,
        tool: "review",
        model: "gpt-4o-mini",
        promptTokens: 100,
        completionTokens: 20,
      },
    ]);
    expect(rows[0]?.outcome).toBe("ok");
    expect(rows[0]?.costUsd).toBeCloseTo((100 * 0.15 + 20 * 0.6) / 1e6, 12);
    expect(lines()).toContain('"host":"llm.test"');
    expect(lines()).not.toContain(KEY);
    expect(lines()).not.toContain("diff here");
  });

  it("accepts an answer wrapped in a ```json fence", async () => {
    const bodies: ChatBody[] = [];
    expectChat(bodies, 200, completion(`Here you go:\n\`\`\`json\n${JSON.stringify(GOOD, null, 2)}\n\`\`\``));
    const llm = createLlm(testConfig(), { log: captureLog().log });
    const r = await llm.complete({ ...ask, usage: { tool: "review" } });
    expect(r.data).toEqual(GOOD);
    expect(r.calls).toBe(1);
  });

  it("repairs malformed JSON with one re-ask that carries the answer and the validation error", async () => {
    const bodies: ChatBody[] = [];
    const bad = '{"summary": "Adds retry", "findings": [';
    expectChat(bodies, 200, completion(bad));
    expectChat(bodies, 200, completion(JSON.stringify(GOOD), { prompt_tokens: 150, completion_tokens: 25 }));
    const llm = createLlm(testConfig(), { db: t.db, log: captureLog().log });
    const r = await llm.complete({ ...ask, usage: { tool: "review", jobId: 8, installationId: 42 } });

    expect(r).toEqual({ data: GOOD, calls: 2, promptTokens: 250, completionTokens: 45 });
    const second = bodies[1] as ChatBody;
    expect(second.messages.map((m) => m.role)).toEqual(["system", "user", "assistant", "user"]);
    expect(second.messages[2]?.content).toBe(bad);
    expect(second.messages[3]?.content).toMatch(/^Your previous answer does not match the "review" schema/);
    expect(second.messages[3]?.content).toContain("- (root): not valid JSON (");
    expect((await usageByJob(t.db, 8)).map((row) => row.outcome)).toEqual(["invalid", "ok"]);
  });

  it("repairs valid JSON of the wrong shape, naming each bad path", async () => {
    const bodies: ChatBody[] = [];
    const wrong = { summary: "x", findings: [{ file: "a.ts", line: "12", message: "m" }, { file: "b.ts" }] };
    expectChat(bodies, 200, completion(JSON.stringify(wrong)));
    expectChat(bodies, 200, completion(JSON.stringify(GOOD)));
    const llm = createLlm(testConfig(), { log: captureLog().log });
    const r = await llm.complete({ ...ask, usage: { tool: "review" } });

    expect(r.data).toEqual(GOOD);
    const repair = (bodies[1] as ChatBody).messages[3]?.content ?? "";
    expect(repair).toContain("- findings[0].line: Invalid input: expected number, received string");
    expect(repair).toContain("- findings[1].line: Invalid input: expected number, received undefined");
    expect(repair).toContain("- findings[1].message: Invalid input: expected string, received undefined");
  });

  it("fails with LLMOutputError after two bad answers, records both as invalid, and asks no third time", async () => {
    const bodies: ChatBody[] = [];
    expectChat(bodies, 200, completion("I think the code is fine."));
    expectChat(bodies, 200, completion('{"summary": 5}'));
    const llm = createLlm(testConfig(), { db: t.db, log: captureLog().log });
    const err = await llm
      .complete({ ...ask, usage: { tool: "review", jobId: 9, installationId: 42 } })
      .catch((e: unknown) => e);

    expect(err).toBeInstanceOf(LLMOutputError);
    const e = err as LLMOutputError;
    expect(e.transient).toBe(false);
    expect(e.issues).toEqual([
      "summary: Invalid input: expected string, received number",
      "findings: Invalid input: expected array, received undefined",
    ]);
    expect(e.userMessage).toContain("did not match the expected format, even after one correction request");
    expect(e.userMessage).toContain("nothing was posted");
    expect(bodies).toHaveLength(2);
    expect((bodies[1] as ChatBody).messages[3]?.content).toContain("- (root): not valid JSON (");
    const rows = await usageByJob(t.db, 9);
    expect(rows.map((row) => [row.outcome, row.promptTokens, row.completionTokens])).toEqual([
      ["invalid", 100, 20],
      ["invalid", 100, 20],
    ]);
  });

  it("treats a truncated answer (finish_reason length) as invalid and says why", async () => {
    const bodies: ChatBody[] = [];
    const cut = completion('{"summary": "Adds');
    (cut.choices[0] as { finish_reason: string }).finish_reason = "length";
    expectChat(bodies, 200, cut);
    expectChat(bodies, 200, completion(JSON.stringify(GOOD)));
    const llm = createLlm(testConfig(), { log: captureLog().log });
    await llm.complete({ ...ask, usage: { tool: "review" } });
    expect((bodies[1] as ChatBody).messages[3]?.content).toContain(
      "- (root): the answer was cut off at the output token limit; answer more briefly",
    );
  });
});

describe("not configured, budget and context guards", () => {
  it("throws LLMNotConfiguredError without a key and makes no request", async () => {
    const llm = createLlm(testConfig({ apiKey: undefined }), { db: t.db, log: captureLog().log });
    expect(llm.configured).toBe(false);
    const err = await llm.complete({ ...ask, usage: { tool: "review" } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LLMNotConfiguredError);
    expect((err as LLMNotConfiguredError).userMessage).toContain("Set `LLM_API_KEY`");
  });

  it("refuses a prompt that cannot fit the context window, before any request", async () => {
    const llm = createLlm(testConfig({ contextWindow: 2_000, maxOutputTokens: 1_000 }), {
      log: captureLog().log,
    });
    expect(llm.contextWindow).toBe(2_000);
    const err = await llm
      .complete({ ...ask, user: "word ".repeat(1_500), usage: { tool: "review" } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LLMError);
    expect((err as LLMError).transient).toBe(false);
    expect((err as LLMError).userMessage).toMatch(
      /^The review prompt needs \d+ tokens plus 1000 for the answer, more than the 2000-token context window of gpt-4o-mini\. Set LLM_CONTEXT_WINDOW/,
    );
  });

  it("throws BudgetExceededError without any HTTP call once today's tokens are spent", async () => {
    const { recordUsage } = await import("../../src/llm/ledger.ts");
    await recordUsage(t.db, {
      installationId: 42,
      tool: "review",
      model: "gpt-4o-mini",
      promptTokens: 9_000,
      completionTokens: 990,
      costUsd: 0,
      outcome: "ok",
    });
    const llm = createLlm(testConfig({ dailyTokenBudget: 10_000 }), { db: t.db, log: captureLog().log });
    const err = await llm
      .complete({ ...ask, usage: { tool: "review", installationId: 42 } })
      .catch((e: unknown) => e);
    const { BudgetExceededError } = await import("../../src/errors.ts");
    expect(err).toBeInstanceOf(BudgetExceededError);
    expect((err as InstanceType<typeof BudgetExceededError>).transient).toBe(false);
    expect((err as InstanceType<typeof BudgetExceededError>).userMessage).toBe(
      "Steward's daily LLM budget for this installation (10000 tokens) is spent; it resets at 00:00 UTC. Raise LLM_DAILY_TOKEN_BUDGET to allow more.",
    );
  });

  it("charges the budget per installation: another installation still runs", async () => {
    const { recordUsage } = await import("../../src/llm/ledger.ts");
    await recordUsage(t.db, {
      installationId: 42,
      tool: "review",
      model: "m",
      promptTokens: 10_000,
      completionTokens: 0,
      costUsd: 0,
      outcome: "ok",
    });
    expectChat([], 200, completion(JSON.stringify(GOOD)));
    const llm = createLlm(testConfig({ dailyTokenBudget: 10_000 }), { db: t.db, log: captureLog().log });
    const r = await llm.complete({ ...ask, usage: { tool: "review", jobId: 1, installationId: 43 } });
    expect(r.data).toEqual(GOOD);
  });
});
