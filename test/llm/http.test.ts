// Transport behaviour, driven through the real openai client against nock: retries honour
// retry-after, failures become typed errors, and json_schema falls back to json_object.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { LLMError } from "../../src/errors.ts";
import { createLlm, forgetStructuredOutputSupport } from "../../src/llm/client.ts";
import { usageByJob } from "../../src/llm/ledger.ts";
import { sqliteTestDb, type TestDb } from "../helpers/db.ts";
import { BASE, type ChatBody, captureLog, completion, KEY, testConfig } from "./helpers.ts";

const Answer = z.object({ answer: z.string() });
const GOOD = { answer: "42" };
const ask = { schema: Answer, name: "answer", system: "Answer questions.", user: "What is it?" };

let t: TestDb;
beforeEach(async () => {
  forgetStructuredOutputSupport();
  t = await sqliteTestDb();
});
afterEach(async () => {
  await t.cleanup();
});

/** Mocks one POST and records when it arrived and what it carried. */
function chat(
  log: Array<{ at: number; body: ChatBody }>,
  status: number,
  reply: unknown,
  headers: Record<string, string> = {},
) {
  return nock(BASE)
    .post("/v1/chat/completions", (b: ChatBody) => {
      log.push({ at: performance.now(), body: b });
      return true;
    })
    .reply(status, reply as nock.Body, headers);
}

const rateLimited = {
  error: { message: "Rate limit reached", type: "requests", code: "rate_limit_exceeded" },
};

describe("retries (the SDK's, verified)", () => {
  it("honours retry-after-ms on 429, then succeeds", async () => {
    const seen: Array<{ at: number; body: ChatBody }> = [];
    chat(seen, 429, rateLimited, { "retry-after-ms": "700" });
    chat(seen, 200, completion(JSON.stringify(GOOD)));
    const llm = createLlm(testConfig(), { db: t.db, log: captureLog().log });
    const r = await llm.complete({ ...ask, usage: { tool: "ask", jobId: 1 } });
    expect(r.data).toEqual(GOOD);
    expect(seen).toHaveLength(2);
    // The SDK's own first backoff is at most 500 ms, so a gap of 700 ms or more means it obeyed the header.
    expect((seen[1]?.at ?? 0) - (seen[0]?.at ?? 0)).toBeGreaterThanOrEqual(690);
    // The SDK retried inside one logical call: one ledger row.
    expect((await usageByJob(t.db, 1)).map((row) => row.outcome)).toEqual(["ok"]);
  });

  it("honours retry-after in seconds on 429, then succeeds", async () => {
    const seen: Array<{ at: number; body: ChatBody }> = [];
    chat(seen, 429, rateLimited, { "retry-after": "1" });
    chat(seen, 200, completion(JSON.stringify(GOOD)));
    const llm = createLlm(testConfig(), { log: captureLog().log });
    const r = await llm.complete({ ...ask, usage: { tool: "ask" } });
    expect(r.data).toEqual(GOOD);
    expect(seen).toHaveLength(2);
    expect((seen[1]?.at ?? 0) - (seen[0]?.at ?? 0)).toBeGreaterThanOrEqual(990);
  });

  it("retries a 500, then succeeds", async () => {
    const seen: Array<{ at: number; body: ChatBody }> = [];
    chat(seen, 500, { error: { message: "The server had an error" } }, { "retry-after-ms": "10" });
    chat(seen, 200, completion(JSON.stringify(GOOD)));
    const llm = createLlm(testConfig(), { log: captureLog().log });
    expect((await llm.complete({ ...ask, usage: { tool: "ask" } })).data).toEqual(GOOD);
    expect(seen.map((s) => s.body)).toEqual([seen[0]?.body, seen[0]?.body]);
  });

  it("after the SDK's retries, a 429 is a transient LLMError carrying the server's retry-after", async () => {
    const seen: Array<{ at: number; body: ChatBody }> = [];
    chat(seen, 429, rateLimited, { "retry-after-ms": "5" });
    chat(seen, 429, rateLimited, { "retry-after": "30" });
    const llm = createLlm(testConfig({ maxRetries: 1 }), { db: t.db, log: captureLog().log });
    const err = await llm.complete({ ...ask, usage: { tool: "ask", jobId: 2 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LLMError);
    const e = err as LLMError;
    expect(e.transient).toBe(true);
    expect(e.retryAfterMs).toBe(30_000);
    expect(e.userMessage).toBe(
      "The LLM endpoint (llm.test) is rate-limiting Steward (429). The job will be retried after 30 s.",
    );
    expect(seen).toHaveLength(2);
    expect(await usageByJob(t.db, 2)).toMatchObject([
      { outcome: "error", promptTokens: 0, completionTokens: 0 },
    ]);
  });

  it("after the SDK's retries, a 503 is transient", async () => {
    chat([], 503, "upstream unavailable", { "retry-after-ms": "1" });
    chat([], 503, "upstream unavailable", { "retry-after-ms": "1" });
    const llm = createLlm(testConfig({ maxRetries: 1 }), { log: captureLog().log });
    const err = (await llm.complete({ ...ask, usage: { tool: "ask" } }).catch((e: unknown) => e)) as LLMError;
    expect(err).toBeInstanceOf(LLMError);
    expect(err.transient).toBe(true);
    expect(err.userMessage).toBe("The LLM endpoint (llm.test) failed with 503. The job will be retried.");
  });

  it("a request slower than LLM_TIMEOUT_MS is a transient timeout", async () => {
    // A real loopback server that never answers (nock's delay trips an undici assertion on abort).
    let hits = 0;
    const server = createServer(() => {
      hits++;
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const cfg = testConfig({ baseUrl: `http://127.0.0.1:${port}/v1`, timeoutMs: 150, maxRetries: 0 });
      const err = (await createLlm(cfg, { log: captureLog().log })
        .complete({ ...ask, usage: { tool: "ask" } })
        .catch((e: unknown) => e)) as LLMError;
      expect(err).toBeInstanceOf(LLMError);
      expect(err.transient).toBe(true);
      expect(err.message).toBe(`LLM request to 127.0.0.1:${port} timed out after 150 ms`);
      expect(hits).toBe(1);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe("cancellation", () => {
  it("an aborted signal ends the call as a transient LLMError", async () => {
    const llm = createLlm(testConfig(), { log: captureLog().log });
    const ac = new AbortController();
    ac.abort();
    const err = (await llm
      .complete({ ...ask, signal: ac.signal, usage: { tool: "ask" } })
      .catch((e: unknown) => e)) as LLMError;
    expect(err).toBeInstanceOf(LLMError);
    expect(err.transient).toBe(true);
    expect(err.message).toBe("LLM request aborted");
  });
});

describe("permanent failures", () => {
  it("a 401 is non-transient, not retried, and never leaks the key", async () => {
    const seen: Array<{ at: number; body: ChatBody }> = [];
    chat(seen, 401, {
      error: {
        message: `Incorrect API key provided: ${KEY}.`,
        type: "invalid_request_error",
        code: "invalid_api_key",
      },
    });
    const { log, lines } = captureLog();
    const llm = createLlm(testConfig(), { db: t.db, log });
    const err = (await llm
      .complete({ ...ask, usage: { tool: "ask", jobId: 3 } })
      .catch((e: unknown) => e)) as LLMError;
    expect(err).toBeInstanceOf(LLMError);
    expect(err.transient).toBe(false);
    expect(err.userMessage).toBe("LLM endpoint rejected the API key (401); check LLM_API_KEY.");
    expect(err.message).toBe("LLM endpoint llm.test answered 401");
    expect(seen).toHaveLength(1);
    expect(lines()).not.toContain(KEY);
    expect(await usageByJob(t.db, 3)).toMatchObject([{ outcome: "error" }]);
  });

  it("a 404 names LLM_MODEL and LLM_BASE_URL", async () => {
    chat([], 404, { error: { message: "The model `gpt-9` does not exist", code: "model_not_found" } });
    const llm = createLlm(testConfig({ model: "gpt-9", contextWindow: 8_000 }), { log: captureLog().log });
    const err = (await llm.complete({ ...ask, usage: { tool: "ask" } }).catch((e: unknown) => e)) as LLMError;
    expect(err.transient).toBe(false);
    expect(err.userMessage).toBe(
      'LLM endpoint llm.test has no model "gpt-9" or no chat completions route (404); check LLM_MODEL and LLM_BASE_URL.',
    );
  });

  it("429 insufficient_quota is not worth retrying later", async () => {
    const quota = { error: { message: "You exceeded your current quota", code: "insufficient_quota" } };
    chat([], 429, quota, { "retry-after-ms": "1" });
    const llm = createLlm(testConfig({ maxRetries: 0 }), { log: captureLog().log });
    const err = (await llm.complete({ ...ask, usage: { tool: "ask" } }).catch((e: unknown) => e)) as LLMError;
    expect(err.transient).toBe(false);
    expect(err.userMessage).toContain("no quota left");
  });
});

describe("structured-output modes", () => {
  const rejectSchema = {
    error: {
      message: "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model.",
    },
  };

  it("auto: falls back to json_object after a 400 and remembers it for the base URL", async () => {
    const seen: Array<{ at: number; body: ChatBody }> = [];
    chat(seen, 400, rejectSchema);
    chat(seen, 200, completion(JSON.stringify(GOOD)));
    chat(seen, 200, completion(JSON.stringify({ answer: "43" })));
    const { log, lines } = captureLog();
    const llm = createLlm(testConfig(), { db: t.db, log });
    const r1 = await llm.complete({ ...ask, usage: { tool: "ask", jobId: 4 } });
    expect(r1).toMatchObject({ data: GOOD, calls: 2 });
    const r2 = await createLlm(testConfig(), { log }).complete({ ...ask, usage: { tool: "ask" } });
    expect(r2).toMatchObject({ data: { answer: "43" }, calls: 1 });

    expect(seen.map((s) => s.body.response_format.type)).toEqual([
      "json_schema",
      "json_object",
      "json_object",
    ]);
    const system = seen[1]?.body.messages[0]?.content ?? "";
    expect(system).toContain('that matches this JSON Schema ("answer"):\n{"type":"object"');
    expect(system).toContain('"required":["answer"]');
    expect(lines()).toContain("using json_object mode");
    expect((await usageByJob(t.db, 4)).map((row) => row.outcome)).toEqual(["error", "ok"]);
  });

  it("json_object: sends the schema in the system prompt from the first call", async () => {
    const seen: Array<{ at: number; body: ChatBody }> = [];
    chat(seen, 200, completion(JSON.stringify(GOOD)));
    const llm = createLlm(testConfig({ structuredOutput: "json_object" }), { log: captureLog().log });
    await llm.complete({ ...ask, usage: { tool: "ask" } });
    expect(seen[0]?.body.response_format).toEqual({ type: "json_object" });
    expect(seen[0]?.body.messages[0]?.content).toBe(
      'Answer questions.\n\nAnswer with a single JSON object, and nothing else (no prose, no code fence), that matches this JSON Schema ("answer"):\n{"type":"object","properties":{"answer":{"type":"string"}},"required":["answer"]}',
    );
  });

  it("json_schema: a 400 is a permanent error, with no fallback", async () => {
    const seen: Array<{ at: number; body: ChatBody }> = [];
    chat(seen, 400, rejectSchema);
    const llm = createLlm(testConfig({ structuredOutput: "json_schema" }), { log: captureLog().log });
    const err = (await llm.complete({ ...ask, usage: { tool: "ask" } }).catch((e: unknown) => e)) as LLMError;
    expect(err.transient).toBe(false);
    expect(err.userMessage).toBe(
      "LLM endpoint rejected the request (400): Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model.. Check LLM_MODEL and LLM_STRUCTURED_OUTPUT.",
    );
    expect(seen).toHaveLength(1);
  });
});

describe("request shape per provider", () => {
  it("reasoning models get max_completion_tokens and no temperature", async () => {
    const seen: Array<{ at: number; body: ChatBody }> = [];
    chat(seen, 200, completion(JSON.stringify(GOOD)));
    const llm = createLlm(testConfig({ model: "o4-mini" }), { log: captureLog().log });
    await llm.complete({ ...ask, maxOutputTokens: 300, usage: { tool: "ask" } });
    expect(seen[0]?.body.max_completion_tokens).toBe(300);
    expect(seen[0]?.body.max_tokens).toBeUndefined();
    expect(seen[0]?.body.temperature).toBeUndefined();
    expect(llm.contextWindow).toBe(200_000);
  });

  it("Azure deployment URLs keep ?api-version= and send the api-key header", async () => {
    const azure = "https://steward.openai.azure.com";
    nock(azure)
      .matchHeader("api-key", KEY)
      .post("/openai/deployments/gpt4o/chat/completions")
      .query({ "api-version": "2024-10-21" })
      .reply(200, completion(JSON.stringify(GOOD)));
    const cfg = testConfig({
      baseUrl: `${azure}/openai/deployments/gpt4o?api-version=2024-10-21`,
      model: "gpt-4o",
    });
    const r = await createLlm(cfg, { log: captureLog().log }).complete({ ...ask, usage: { tool: "ask" } });
    expect(r.data).toEqual(GOOD);
  });
});
