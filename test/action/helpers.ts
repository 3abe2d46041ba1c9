// Runs the action's entry point in a simulated Actions environment: GITHUB_EVENT_NAME/PATH with a real
// payload, GITHUB_API_URL at the (nock) GitHub, the inputs as INPUT_* variables, GITHUB_STEP_SUMMARY and
// GITHUB_OUTPUT as temp files. Also the App side of the comparison: the same payload through Probot.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as core from "@actions/core";
import nock from "nock";
import pino from "pino";
import { ProbotOctokit } from "probot";
import { vi } from "vitest";
import { main } from "../../src/action/main.ts";
import { type RunResult, runAction } from "../../src/action/run.ts";
import { GH, testApp } from "../helpers/app.ts";
import type { Db } from "../../src/store/types.ts";
import { completion } from "../llm/helpers.ts";

export const LLM = "http://llm.test";
export const LLM_KEY = "sk-action-test-0123456789";

/** Octokit without retries or write pacing, as the App tests build it. */
export const TestOctokit = ProbotOctokit.defaults((o: Record<string, any>) => ({
  ...o,
  retry: { enabled: false },
  throttle: { ...o.throttle, enabled: false },
}));

export interface ActionRun {
  dir: string;
  workspace: string;
  env: Record<string, string>;
  run(): Promise<RunResult>;
  /** The bundle's own entry (@actions/core writes the summary and outputs); returns the exit code. */
  main(): Promise<number>;
  summaryFile(): string;
  outputs(): string;
  cleanup(): void;
}

/**
 * Stubs the process environment as a runner does for one step. `inputs` are the `with:` values of the
 * workflow step (names as in action.yml); the token defaults to a GITHUB_TOKEN-shaped value.
 */
export function actionEnv(event: string, payload: unknown, inputs: Record<string, string> = {}): ActionRun {
  const dir = mkdtempSync(join(tmpdir(), "steward-action-"));
  const workspace = join(dir, "workspace");
  const eventPath = join(dir, "event.json");
  writeFileSync(eventPath, JSON.stringify(payload));
  writeFileSync(join(dir, "summary.md"), "");
  writeFileSync(join(dir, "output.txt"), "");
  const withInputs: Record<string, string> = {
    github_token: "ghs_workflowtoken0000000000000000000000",
    llm_base_url: `${LLM}/v1`,
    llm_api_key: LLM_KEY,
    llm_model: "gpt-4o-mini",
    index_path: ".steward/index.db",
    ...inputs,
  };
  const env: Record<string, string> = {
    GITHUB_ACTIONS: "true",
    GITHUB_EVENT_NAME: event,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_API_URL: GH,
    GITHUB_SERVER_URL: "https://github.com",
    GITHUB_REPOSITORY: (payload as any)?.repository?.full_name ?? "",
    GITHUB_RUN_ID: "4242",
    GITHUB_WORKSPACE: workspace,
    GITHUB_STEP_SUMMARY: join(dir, "summary.md"),
    GITHUB_OUTPUT: join(dir, "output.txt"),
    LLM_MAX_RETRIES: "0",
  };
  for (const [k, v] of Object.entries(withInputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  const stub = () => {
    for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
  };
  const log = pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });
  return {
    dir,
    workspace,
    env,
    async run() {
      stub();
      return runAction({ env: { ...process.env, ...env }, log, Octokit: TestOctokit, sleep: async () => {} });
    },
    async main() {
      stub();
      // @actions/core caches the summary file's path on first use (one step = one process on a runner).
      (core.summary as unknown as { _filePath?: string })._filePath = undefined;
      vi.stubEnv("STEWARD_LOG_LEVEL", "silent");
      return main({ ...process.env, ...env });
    },
    summaryFile: () => readFileSync(join(dir, "summary.md"), "utf8"),
    outputs: () => readFileSync(join(dir, "output.txt"), "utf8"),
    cleanup: () => {
      vi.unstubAllEnvs();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The LLM over nock, answering by the structured-output name the tool asks for (describe, review …), so
 * the App and the action get the same answers whatever order their jobs run in. Returns the requests.
 */
export function llmByName(answers: Record<string, unknown>): { calls: string[]; stop(): void } {
  const calls: string[] = [];
  const interceptor = nock(LLM).persist().post("/v1/chat/completions");
  interceptor
    // nock 15 hands reply functions the fetch Request.
    .reply((async (req: Request) => {
      const body = JSON.parse(await req.text());
      const name = String(body?.response_format?.json_schema?.name ?? "");
      calls.push(name);
      if (!Object.hasOwn(answers, name)) return [400, { error: { message: `no answer for ${name}` } }];
      return [200, completion(JSON.stringify(answers[name]))];
    }) as never);
  return { calls, stop: () => nock.removeInterceptor(interceptor) };
}

/** The App as `serve` wires it, driven with the same payload; drains every job it enqueues. */
export async function runApp(db: Db, name: string, payload: unknown): Promise<number> {
  const app = testApp(db, {
    LLM_API_KEY: LLM_KEY,
    LLM_BASE_URL: `${LLM}/v1`,
    LLM_MODEL: "gpt-4o-mini",
  });
  await app.receive(name, payload);
  return app.drain();
}
