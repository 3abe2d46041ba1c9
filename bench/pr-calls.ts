// bench:pr — LLM calls per PR tool run, counted at a local fake OpenAI-compatible server on
// 127.0.0.1 with the real `openai` client: (a) /review on a PR that fits the budget; (b) /improve on
// a real diff 5× over the budget. Baseline in the same run: PR-Agent's documented call pattern
// (review: 1 call; improve: up to 3 chunks + 1 self-reflection call per chunk) applied to the same
// diff at the same budget.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { cpus } from "node:os";
import { gunzipSync } from "node:zlib";
import pino from "pino";
import { DEFAULT_CONFIG } from "../src/config/schema.ts";
import { parseDiff } from "../src/diff/parse.ts";
import { renderFile } from "../src/diff/render.ts";
import { filterFiles } from "../src/diff/filter.ts";
import type { DiffFile } from "../src/diff/types.ts";
import { createLlm } from "../src/llm/client.ts";
import { countTokens } from "../src/llm/tokens.ts";
import { diffBudget } from "../src/tools/pr/budget.ts";
import { improveCore } from "../src/tools/pr/improve-core.ts";
import { reviewCore } from "../src/tools/pr/review-core.ts";

const log = pino({ level: "silent" });

function answerFor(name: string, user: string): unknown {
  if (name === "review")
    return {
      effort: 2,
      summary: "ok",
      findings: [],
      securityConcerns: [],
      tests: { assessment: "fine" },
      canBeSplit: { possible: false, suggestions: [] },
    };
  if (name === "improve_scores") {
    const n = (user.match(/^#\d+ /gm) ?? []).length;
    return { scores: Array.from({ length: n }, (_, index) => ({ index, score: 8 })) };
  }
  const file = /## File: (\S+)/.exec(user)?.[1] ?? "x.ts";
  return {
    suggestions: [
      {
        file,
        startLine: 1,
        endLine: 1,
        existingCode: "",
        improvedCode: "x",
        label: "best practice",
        score: 7,
        summary: `s ${file}`,
      },
    ],
  };
}

async function fakeServer() {
  const calls: string[] = [];
  const server = createServer((req, res) => {
    let raw = "";
    req.on("data", (d) => {
      raw += d;
    });
    req.on("end", () => {
      const body = JSON.parse(raw);
      const name = body.response_format?.json_schema?.name ?? "improve";
      calls.push(name);
      const user = body.messages.find((m: { role: string }) => m.role === "user")?.content ?? "";
      res.setHeader("content-type", "application/json");
      res.end(
        JSON.stringify({
          id: "x",
          object: "chat.completion",
          created: 0,
          model: body.model,
          choices: [
            {
              index: 0,
              message: { role: "assistant", content: JSON.stringify(answerFor(name, user)) },
              finish_reason: "stop",
            },
          ],
          usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
        }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return { calls, url: `http://127.0.0.1:${port}/v1`, close: () => server.close() };
}

function llmAt(url: string, contextWindow: number) {
  return createLlm(
    {
      baseUrl: url,
      apiKey: "sk-bench",
      model: "gpt-4o-mini",
      contextWindow,
      maxOutputTokens: 1024,
      timeoutMs: 30_000,
      maxRetries: 0,
      structuredOutput: "json_schema",
      dailyTokenBudget: 0,
      priceInputPerMTok: undefined,
      priceOutputPerMTok: undefined,
    },
    { log },
  );
}

const usage = { tool: "bench" };
const base = { title: "bench", body: "", unavailable: [], config: DEFAULT_CONFIG, options: {}, usage };

async function main() {
  const srv = await fakeServer();
  const real = parseDiff(
    gunzipSync(readFileSync(new URL("../fixtures/diffs/real/ky-v1.14.3..v2.0.0.diff.gz", import.meta.url))),
  ).files;
  const reviewable = filterFiles(real).kept.filter((f) => f.hunks.length > 0);
  const diffTokens = (fs: DiffFile[]) => fs.reduce((n, f) => n + countTokens(renderFile(f)), 0);

  // (a) A PR that fits: the first files of the real range, well under a 128k window.
  const small = reviewable.slice(0, 5);
  srv.calls.length = 0;
  const r = await reviewCore({
    ...base,
    llm: llmAt(srv.url, 128_000),
    files: small,
    shown: small,
    commits: [],
  });
  const reviewCalls = srv.calls.length;
  if (r.notReviewed.length > 0) throw new Error("the small PR should fit");

  // (b) /improve 5× over budget: pick the window so the whole real diff is ~5× the diff budget.
  const total = diffTokens(reviewable);
  let window = 16_000;
  for (let i = 0; i < 8; i++) {
    const llm = llmAt(srv.url, window);
    const ratio = total / diffBudget(llm);
    window = Math.round(window * (ratio / 5) ** 0.5 + 0);
    if (Math.abs(ratio - 5) < 0.2) break;
  }
  const llm = llmAt(srv.url, window);
  const budget = diffBudget(llm);
  srv.calls.length = 0;
  const imp = await improveCore({ ...base, llm, files: reviewable, posted: new Set() });
  const improveCalls = srv.calls.length;
  const improveNames = [...srv.calls];

  // PR-Agent baseline on the same diff: chunks of (budget − 1500) up to 3, each + 1 reflection call.
  const prAgentBudget = Math.min(budget, 32_000) - 1_500;
  const prAgentChunks = Math.min(3, Math.ceil(total / prAgentBudget));
  const prAgentCalls = prAgentChunks * 2;
  srv.close();

  const out = {
    machine: `${cpus().length} cores, ${cpus()[0]?.model ?? "?"}`,
    date: new Date().toISOString().slice(0, 10),
    review: { files: small.length, diffTokens: diffTokens(small), llmCalls: reviewCalls, prAgentCalls: 1 },
    improve: {
      files: reviewable.length,
      diffTokens: total,
      contextWindow: window,
      diffBudget: budget,
      overBudget: Number((total / budget).toFixed(2)),
      llmCalls: improveCalls,
      callKinds: improveNames,
      chunks: imp.chunks,
      notReviewed: imp.notReviewed.length,
      prAgentCalls,
      ratio: Number((improveCalls / prAgentCalls).toFixed(2)),
    },
  };
  console.log(JSON.stringify(out, null, 2));
  if (reviewCalls !== 1) throw new Error(`review made ${reviewCalls} calls, expected exactly 1`);
  if (improveCalls > 4) throw new Error(`improve made ${improveCalls} calls, expected at most 4`);
}

await main();
