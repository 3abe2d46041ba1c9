// An OpenAI-compatible chat-completions server on loopback. It answers every structured request with a
// generic instance of the JSON Schema the caller sent (json-schema-faker, checked with ajv), never with
// an answer written for a particular tool. In json_object mode there is no schema on the wire, so the
// first answer is a schema-less object (as a model without structured output often gives), which sends
// the caller down its repair path; the repair answer is generated from the schema the caller put in
// its system prompt. Faults, latency and holds can be injected.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { createGeneratorSync } from "json-schema-faker";

export interface LlmRequestRecord {
  model: string;
  /** response_format.type, or "text". */
  mode: string;
  /** The schema's name (json_schema mode), or the name quoted in the system prompt. */
  name: string;
  messages: Array<{ role: string; content: string }>;
  status: number;
  answer?: string;
}

export interface LlmFault {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  times?: number;
  /** Only requests whose schema name matches. */
  name?: string | RegExp;
  /**
   * Close the connection mid-answer: send the status line, headers and part of a well-formed body,
   * then destroy the socket (a proxy or server dying mid-response).
   */
  cut?: boolean;
  hits: number;
}

export interface LlmFakeOptions {
  apiKey?: string;
  /** Answer json_schema requests with 400, like servers without structured output. */
  rejectJsonSchema?: boolean;
  /** Added before every answer: a fixed delay, or a function drawn per request (e.g. seeded random). */
  latencyMs?: number | (() => number);
  seed?: number;
  /** Cite paths and line numbers seen in the prompt (default true). */
  ground?: boolean;
}

// Paths such as lib/request.js or src/a-b/c.ts; capped input keeps the scan linear and cheap.
const PATH_RE = /(?<![\w/.-])(?:[\w.-]+\/)*[\w-]+\.[A-Za-z]{1,8}(?![\w/])/g;
const LINE_RE = /^\s{0,8}(\d{1,6}) [ +-]/gm;

function ground(value: unknown, prompt: string, salt: number): unknown {
  const text = prompt.slice(0, 200_000);
  const paths = [...new Set(text.match(PATH_RE) ?? [])].filter(
    (p) => p.includes("/") || /\.(md|js|ts|py|go|json)$/.test(p),
  );
  const lines = [...text.matchAll(LINE_RE)].map((m) => Number(m[1]));
  let i = salt;
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (!node || typeof node !== "object") return node;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      if (typeof v === "string" && /(file|path)/i.test(k) && paths.length) out[k] = paths[i++ % paths.length];
      else if (typeof v === "number" && /line/i.test(k) && lines.length) out[k] = lines[i++ % lines.length];
      else out[k] = walk(v);
    }
    return out;
  };
  return walk(value);
}

const ajv = new Ajv2020({ strict: false, allErrors: true });
(addFormatsModule as unknown as (a: Ajv2020) => void)(ajv);

/** Pulls the JSON Schema a caller embedded in its system prompt (json_object mode). */
function schemaFromPrompt(system: string): { name: string; schema: Record<string, unknown> } | undefined {
  const m = /JSON Schema \("([^"]+)"\):\n/.exec(system);
  if (!m) return undefined;
  const rest = system.slice(m.index + m[0].length);
  const end = rest.lastIndexOf("}");
  try {
    return { name: m[1] as string, schema: JSON.parse(rest.slice(0, end + 1)) };
  } catch {
    return undefined;
  }
}

function promptText(messages: Array<{ role: string; content: string }>): string {
  return messages
    .filter((m) => m.role === "user")
    .map((m) => m.content)
    .join("\n");
}

export class LlmFake {
  readonly requests: LlmRequestRecord[] = [];
  /** Requests being answered now, and the most at once (the caller's LLM concurrency). */
  inFlight = 0;
  maxInFlight = 0;
  inflight = 0;
  lastRequestAt = 0;
  readonly opts: LlmFakeOptions;
  port = 0;
  #server: Server;
  #faults: LlmFault[] = [];
  #holds: Array<{ release: Promise<void>; notify: () => void }> = [];
  #gen: ReturnType<typeof createGeneratorSync>;

  constructor(opts: LlmFakeOptions = {}) {
    this.opts = opts;
    this.#gen = createGeneratorSync({
      seed: opts.seed ?? 7,
      maxItems: 3,
      optionalsProbability: 0.8,
      maxLength: 120,
    });
    this.#server = createServer((req, res) => {
      this.inflight++;
      this.lastRequestAt = Date.now();
      res.on("close", () => {
        this.inflight--;
      });
      void this.#handle(req, res);
    });
  }

  /**
   * A scripted answer for requests with this schema name (instead of a generated one), for flows whose
   * outcome depends on what the model says (e.g. a major finding on a given line). The answer must
   * still validate against the schema Steward sent; when it does not, the request fails with 500 and
   * the problem is recorded in `scriptProblems`, so a script cannot smuggle in what a model could not say.
   */
  answerWith(name: string, value: unknown): void {
    this.#scripted.set(name, value);
  }
  readonly scriptProblems: string[] = [];
  #scripted = new Map<string, unknown>();

  /**
   * Restarts the answer generator from `seed`: two fakes reseeded alike answer the same sequence of
   * requests alike (to compare two runs of the same flow, e.g. the App and the Action).
   */
  reseed(seed: number): void {
    this.#gen = createGeneratorSync({ seed, maxItems: 3, optionalsProbability: 0.8, maxLength: 120 });
  }

  /** The base URL to give Steward as LLM_BASE_URL. */
  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}/v1`;
  }

  async start(): Promise<number> {
    await new Promise<void>((r) => this.#server.listen(0, "127.0.0.1", r));
    const addr = this.#server.address();
    this.port = typeof addr === "object" && addr ? addr.port : 0;
    return this.port;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((r) => this.#server.close(() => r()));
  }

  fail(f: Omit<LlmFault, "hits">): LlmFault {
    const fault = { times: 1, ...f, hits: 0 };
    this.#faults.push(fault);
    return fault;
  }

  /** Holds the next request until released; `arrived` resolves when it comes in. */
  hold(): { arrived: Promise<void>; release: () => void } {
    let release!: () => void;
    let notify!: () => void;
    const arrived = new Promise<void>((r) => {
      notify = r;
    });
    const released = new Promise<void>((r) => {
      release = r;
    });
    this.#holds.push({ release: released, notify });
    return { arrived, release };
  }

  /**
   * A generic valid instance of `schema` (several seeds are tried; each candidate is checked with ajv).
   * With `prompt`, it is grounded the way a model cites what it read: string fields named like a file
   * or path take paths that appear in the prompt, integer fields named like a line take numbers that
   * start a line of the prompt. A grounded candidate that no longer validates is dropped.
   */
  instanceOf(schema: Record<string, unknown>, prompt?: string): unknown {
    const validate = ajv.compile(schema);
    let last: unknown;
    for (let attempt = 0; attempt < 20; attempt++) {
      last = this.#gen.generate(schema as never);
      if (!validate(last)) continue;
      if (prompt && this.opts.ground !== false) {
        const grounded = ground(structuredClone(last), prompt, attempt);
        if (validate(grounded)) return grounded;
      }
      return last;
    }
    throw new Error(
      `json-schema-faker produced no valid instance: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(last)}`,
    );
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(JSON.stringify(body));
    };
    const url = new URL(req.url ?? "/", "http://x");
    if (req.method !== "POST" || !/\/chat\/completions$/.test(url.pathname)) {
      return send(404, {
        error: {
          message: `Unknown request URL: ${req.method} ${url.pathname}`,
          type: "invalid_request_error",
        },
      });
    }
    let body: any;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      return send(400, {
        error: {
          message: "We could not parse the JSON body of your request.",
          type: "invalid_request_error",
        },
      });
    }
    const messages = (body.messages ?? []) as Array<{ role: string; content: string }>;
    const format = body.response_format?.type ?? "text";
    const system = messages.find((m) => m.role === "system")?.content ?? "";
    const fromPrompt = schemaFromPrompt(system);
    const name = body.response_format?.json_schema?.name ?? fromPrompt?.name ?? "";
    const record: LlmRequestRecord = { model: String(body.model), mode: format, name, messages, status: 0 };
    this.requests.push(record);

    const hold = this.#holds.shift();
    if (hold) {
      hold.notify();
      await hold.release;
    }
    const latency = typeof this.opts.latencyMs === "function" ? this.opts.latencyMs() : this.opts.latencyMs;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    res.on("close", () => {
      this.inFlight--;
    });
    if (latency) await new Promise((r) => setTimeout(r, latency));
    if (this.opts.apiKey && req.headers.authorization !== `Bearer ${this.opts.apiKey}`) {
      record.status = 401;
      return send(401, {
        error: {
          message: "Incorrect API key provided.",
          type: "invalid_request_error",
          code: "invalid_api_key",
        },
      });
    }
    const fault = this.#faults.find(
      (f) =>
        (f.times ?? 1) > f.hits &&
        (f.name === undefined || (typeof f.name === "string" ? f.name === name : f.name.test(name))),
    );
    if (fault?.cut) {
      fault.hits++;
      record.status = fault.status;
      const partial = JSON.stringify({
        id: "chatcmpl-cut",
        object: "chat.completion",
        choices: [{ index: 0, message: { role: "assistant", content: '{"summary": "The change' } }],
      });
      res.writeHead(fault.status, {
        "content-type": "application/json",
        "content-length": String(partial.length * 2),
      });
      res.write(partial.slice(0, Math.floor(partial.length / 2)));
      setTimeout(() => res.socket?.destroy(), 20);
      return;
    }
    if (fault) {
      fault.hits++;
      record.status = fault.status;
      return send(
        fault.status,
        fault.body ?? { error: { message: `simulated ${fault.status}`, type: "server_error" } },
        fault.headers,
      );
    }
    if (format === "json_schema" && this.opts.rejectJsonSchema) {
      record.status = 400;
      return send(400, {
        error: {
          message: "response_format json_schema is not supported by this model",
          type: "invalid_request_error",
          param: "response_format",
        },
      });
    }
    let answer: string;
    if (format === "json_schema" && this.#scripted.has(name)) {
      const value = this.#scripted.get(name);
      const validate = ajv.compile(body.response_format.json_schema.schema);
      if (!validate(value)) {
        this.scriptProblems.push(`${name}: ${ajv.errorsText(validate.errors)}`);
        record.status = 500;
        return send(500, {
          error: { message: "scripted answer does not match the schema", type: "server_error" },
        });
      }
      answer = JSON.stringify(value);
    } else if (format === "json_schema") {
      answer = JSON.stringify(this.instanceOf(body.response_format.json_schema.schema, promptText(messages)));
    } else if (format === "json_object") {
      const repairing = messages.some((m) => m.role === "assistant");
      // First answer without a schema to follow: valid JSON of the wrong shape.
      answer =
        repairing && fromPrompt
          ? JSON.stringify(this.instanceOf(fromPrompt.schema))
          : JSON.stringify({ answer: "Looks fine to me." });
    } else {
      answer = "Looks fine to me.";
    }
    record.status = 200;
    record.answer = answer;
    const promptTokens = Math.ceil(JSON.stringify(messages).length / 4);
    const completionTokens = Math.ceil(answer.length / 4);
    send(200, {
      id: `chatcmpl-${this.requests.length}`,
      object: "chat.completion",
      created: Math.floor(Date.now() / 1000),
      model: String(body.model),
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: answer, refusal: null },
          logprobs: null,
          finish_reason: "stop",
        },
      ],
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: completionTokens,
        total_tokens: promptTokens + completionTokens,
      },
    });
  }
}
