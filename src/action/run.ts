// One workflow run, start to finish: inputs and event → safety checks (bot sender, fork PR, pwn
// request) → the App's own routes turn the event into jobs → the App's job handlers run them in
// process → one failure comment if any job gave up → the job summary and a non-zero exit on failure.
import { closeCompute } from "../compute/pool.ts";
import { errorMessage, StewardError } from "../errors.ts";
import { commandRoute } from "../events/commands.ts";
import { isBotSender, toEvent } from "../events/intake.ts";
import { issuesRoute } from "../events/issues.ts";
import { prRoute } from "../events/pr.ts";
import type { Route } from "../events/types.ts";
import type { Logger } from "../logger.ts";
import { createHandlers } from "../tools/registry.ts";
import { type ActionEvent, forkOf, pwnRequest, readEvent } from "./event.ts";
import { createExecutor, type JobReport } from "./executor.ts";
import { type ActionInputs, readInputs } from "./inputs.ts";
import { renderActionFailure, renderSummary, type SummaryInput } from "./render.ts";
import { type ActionServices, buildActionServices } from "./services.ts";
import type { ProbotOctokit } from "probot";

/** The events a workflow can hand the action; the App's other events (workers, incidents) need the server. */
export const ACTION_EVENTS = new Set([
  "pull_request",
  "pull_request_target",
  "issue_comment",
  "issues",
  "pull_request_review_comment",
]);

/** Job kinds that run inside a workflow: the PR tools, the issue tools and the commands they answer. */
export const ACTION_KINDS: ReadonlySet<string> = new Set([
  "pr.auto",
  "pr.push",
  "pr.review",
  "pr.describe",
  "pr.improve",
  "pr.map-issues",
  "issue.triage",
  "index.update",
  "index.remove",
  ...["review", "describe", "improve", "ask", "triage", "score", "similar", "analyze", "locate"].map(
    (c) => `command.${c}`,
  ),
  "command.help",
  "command.config",
  "command.error",
]);

const ROUTES: Route[] = [prRoute, commandRoute, issuesRoute];

export interface RunDeps {
  env: Record<string, string | undefined>;
  log: Logger;
  Octokit?: typeof ProbotOctokit;
  sleep?: (ms: number) => Promise<void>;
  backoff?: { baseMs?: number; maxMs?: number };
}

export interface RunResult {
  exitCode: 0 | 1;
  outcome: "success" | "failure" | "skipped";
  summary: string;
  jobs: JobReport[];
}

function targetNumber(payload: any): number | undefined {
  const n = payload?.pull_request?.number ?? payload?.issue?.number;
  return typeof n === "number" ? n : undefined;
}

function runUrl(env: Record<string, string | undefined>): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: id } = env;
  return server && repo && id ? `${server}/${repo}/actions/runs/${id}` : undefined;
}

function whyNot(ev: ActionEvent, inputs: ActionInputs): string | undefined {
  if (!ACTION_EVENTS.has(ev.name))
    return `The action does not handle \`${ev.name}\` events (it handles ${[...ACTION_EVENTS].join(", ")}).`;
  if (isBotSender(ev.payload)) return "The event was sent by a bot; Steward ignores bots, as the App does.";
  const fork = forkOf(ev);
  if (fork && ev.name === "pull_request")
    return [
      `This pull request comes from the fork \`${fork}\`. On \`pull_request\` from a fork GitHub gives the workflow a read-only token and no secrets${inputs.llm.apiKey ? "" : " (the LLM key is absent)"}, so Steward cannot comment here.`,
      "A maintainer can comment `/review` on the pull request: the slash-command workflow runs in the base repository with its secrets and never checks out the fork's code (docs/action.md).",
    ].join(" ");
  return undefined;
}

export async function runAction(deps: RunDeps): Promise<RunResult> {
  const { env, log } = deps;
  let inputs: ActionInputs;
  let ev: ActionEvent;
  try {
    inputs = readInputs();
    ev = readEvent(env);
  } catch (err) {
    const why = err instanceof StewardError ? err.userMessage : errorMessage(err);
    const summary = renderSummary({
      event: env.GITHUB_EVENT_NAME ?? "?",
      repo: env.GITHUB_REPOSITORY ?? "?",
      notes: [`Steward could not start: ${why}`],
      jobs: [],
      writes: [],
      skipped: "Nothing was run.",
      llm: { configured: false, model: "" },
    });
    return { exitCode: 1, outcome: "failure", summary, jobs: [] };
  }
  const number = targetNumber(ev.payload);
  const base: Omit<SummaryInput, "jobs" | "writes" | "llm"> = {
    event: ev.payload?.action ? `${ev.name}.${ev.payload.action}` : ev.name,
    repo: ev.repo,
    ...(number ? { number } : {}),
    notes: [],
  };
  const skipped = whyNot(ev, inputs);
  if (skipped) {
    const summary = renderSummary({
      ...base,
      skipped,
      jobs: [],
      writes: [],
      llm: { configured: false, model: "" },
    });
    return { exitCode: 0, outcome: "skipped", summary, jobs: [] };
  }
  const executor = createExecutor({
    log,
    installationId: Number(ev.payload.installation?.id ?? ev.payload.repository?.id ?? 1) || 1,
    kinds: ACTION_KINDS,
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
    ...(deps.backoff ? { backoff: deps.backoff } : {}),
  });
  let built: ActionServices | undefined;
  try {
    const pwn = pwnRequest(ev, env.GITHUB_WORKSPACE);
    built = await buildActionServices({
      inputs,
      env,
      log,
      executor,
      ...(deps.Octokit ? { Octokit: deps.Octokit } : {}),
    });
    const { services } = built;
    if (pwn) return await fail(built, base, number, [{ kind: "safety check", reason: pwn }], env, []);
    // Routes see pull_request_target as the pull_request it describes (same payload shape).
    const name = ev.name === "pull_request_target" ? "pull_request" : ev.name;
    const event = toEvent(name, env.GITHUB_RUN_ID ?? "action", ev.payload);
    for (const route of ROUTES) for (const spec of route(event)) executor.enqueue({ ...spec, repo: ev.repo });
    const jobs = await executor.run(createHandlers(services));
    const notes = services.llm.configured
      ? []
      : [
          "No LLM is configured (the `llm_api_key` input is empty): reviews and descriptions carry a note instead of a model answer.",
        ];
    const failed = jobs.filter((j) => j.outcome === "failed");
    if (failed.length > 0)
      return await fail(
        built,
        { ...base, notes },
        number,
        failed.map((f) => ({ kind: f.kind, reason: f.reason ?? "failed" })),
        env,
        jobs,
      );
    const summary = renderSummary({
      ...base,
      notes,
      jobs,
      writes: built.writes,
      llm: { configured: services.llm.configured, model: services.llm.model },
    });
    return { exitCode: 0, outcome: "success", summary, jobs };
  } catch (err) {
    const why = err instanceof StewardError ? err.userMessage : `Unexpected error: ${errorMessage(err)}`;
    log.error({ err: errorMessage(err) }, "action failed");
    if (built) return await fail(built, base, number, [{ kind: "action", reason: why }], env, []);
    const summary = renderSummary({
      ...base,
      notes: [`Steward could not start: ${why}`],
      jobs: [],
      writes: [],
      llm: { configured: false, model: "" },
    });
    return { exitCode: 1, outcome: "failure", summary, jobs: [] };
  } finally {
    await built?.close().catch(() => {});
    // The compute pool's worker threads would keep the step's process alive until their idle timeout.
    await closeCompute().catch(() => {});
  }
}

/** One clear comment (edited in place by re-runs) on the PR or issue, the summary, and exit 1. */
async function fail(
  built: ActionServices,
  base: Omit<SummaryInput, "jobs" | "writes" | "llm">,
  number: number | undefined,
  failed: Array<{ kind: string; reason: string }>,
  env: Record<string, string | undefined>,
  jobs: JobReport[],
): Promise<RunResult> {
  const notes = [...base.notes];
  const { services } = built;
  if (number) {
    try {
      const [owner, repo] = base.repo.split("/") as [string, string];
      const gw = await services.gateway(0, `${owner}/${repo}`);
      await gw.upsertComment({
        issueNumber: number,
        kind: "failure",
        key: "action",
        body: renderActionFailure(failed, runUrl(env)),
      });
    } catch (err) {
      notes.push(`The failure comment could not be posted either: ${errorMessage(err).slice(0, 300)}`);
    }
  }
  for (const f of failed) notes.push(`${f.kind} failed: ${f.reason}`);
  const summary = renderSummary({
    ...base,
    notes,
    jobs,
    writes: built.writes,
    llm: { configured: services.llm.configured, model: services.llm.model },
  });
  return { exitCode: 1, outcome: "failure", summary, jobs };
}
