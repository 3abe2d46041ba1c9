// The GitHub Action in a simulated Actions environment: the action's bundle (what action.yml runs), built
// from the current source by the same script as the committed dist/ (which `npm run check:bundle` proves
// identical to it), as a child process, with GITHUB_EVENT_NAME / GITHUB_EVENT_PATH holding the event's
// payload, GITHUB_API_URL at the GitHub simulator, the workflow token and the step's `with:` inputs as
// INPUT_* variables (taken from the workflow files in docs/action.md), and GITHUB_STEP_SUMMARY /
// GITHUB_OUTPUT as files. One workspace per world, kept across runs, as actions/cache keeps the index.
import { spawn } from "node:child_process";
import { createPublicKey } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { testPrivateKey } from "../helpers/webhooks.ts";
import { APP_ID, LLM_KEY, type World } from "./harness.ts";
import { LlmFake } from "./llm/fake.ts";
import { GitHubSimulator } from "./sim/server.ts";
import type { SimRepo } from "./sim/state.ts";

const ROOT = resolve(import.meta.dirname, "../..");

let built: Promise<string> | undefined;
/**
 * The bundle built from the source under test, once per test process. Running the committed dist/ would
 * test whatever src/ was when it was last rebuilt; check:bundle is what keeps dist/ equal to this.
 */
export function bundle(): Promise<string> {
  built ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), "steward-bundle-e2e-"));
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
    // @ts-expect-error: a plain .mjs build script without type declarations
    const { buildAction } = (await import("../../scripts/build-action.mjs")) as {
      buildAction(out: string): Promise<string>;
    };
    return buildAction(dir);
  })();
  return built;
}
export const ACTIONS_BOT = "github-actions[bot]";

export interface Workflow {
  name: string;
  on: Record<string, { types?: string[] } | null>;
  permissions?: Record<string, string>;
  jobs: Record<string, { if?: string; steps: Array<{ uses?: string; with?: Record<string, unknown> }> }>;
}

/** The workflow files docs/action.md tells users to copy (every ```yaml block with `jobs:`). */
export function docWorkflows(): Workflow[] {
  const md = readFileSync(resolve(ROOT, "docs/action.md"), "utf8");
  return [...md.matchAll(/```yaml\n([\s\S]*?)```/g)]
    .map((m) => parseYaml(m[1]!) as Workflow)
    .filter((w) => w && typeof w === "object" && "jobs" in w);
}

/** The workflow of docs/action.md that runs on `event.action`, and its Steward step's inputs. */
export function workflowFor(
  event: string,
  action: string | undefined,
): { workflow: Workflow; with: Record<string, string> } {
  for (const workflow of docWorkflows()) {
    const on = workflow.on?.[event];
    if (on === undefined) continue;
    if (action && on?.types && !on.types.includes(action)) continue;
    for (const job of Object.values(workflow.jobs)) {
      const step = job.steps.find((s) => s.uses?.includes("/steward@"));
      if (step)
        return {
          workflow,
          with: Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, String(v)])),
        };
    }
  }
  throw new Error(`docs/action.md has no workflow for ${event}.${action}`);
}

export interface ActionRunResult {
  code: number | null;
  summary: string;
  outputs: string;
  log: string;
}

/** A GitHub simulator and an LLM fake, with the action run against them on demand. */
export class ActionWorld {
  readonly sim: GitHubSimulator;
  readonly llm: LlmFake;
  readonly dir: string;
  readonly workspace: string;
  #token = "";
  #runs = 0;

  constructor() {
    const publicKey = createPublicKey(testPrivateKey()).export({ type: "spki", format: "pem" }).toString();
    this.sim = new GitHubSimulator({ appId: APP_ID, appSlug: "steward-test", publicKey });
    this.llm = new LlmFake({ apiKey: LLM_KEY });
    this.dir = mkdtempSync(join(tmpdir(), "steward-action-e2e-"));
    this.workspace = join(this.dir, "workspace");
    mkdirSync(this.workspace);
  }

  /** What the payload builders need of a World. */
  get world(): World {
    return { sim: this.sim } as unknown as World;
  }

  async start(): Promise<this> {
    await bundle();
    await this.sim.start();
    await this.llm.start();
    this.#token = this.sim.userToken(ACTIONS_BOT);
    return this;
  }

  async stop(): Promise<void> {
    await this.sim.stop();
    await this.llm.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /**
   * Runs the bundle for one event as the docs' workflow would: its `with:` inputs (secrets and
   * expressions replaced by the runner's values), plus `inputs` overrides; `env` adds step variables.
   */
  async run(
    event: string,
    payload: any,
    opts: { inputs?: Record<string, string>; env?: Record<string, string>; token?: string } = {},
  ): Promise<ActionRunResult> {
    const n = ++this.#runs;
    const eventPath = join(this.dir, `event-${n}.json`);
    const summaryPath = join(this.dir, `summary-${n}.md`);
    const outputPath = join(this.dir, `output-${n}.txt`);
    writeFileSync(eventPath, JSON.stringify(payload));
    writeFileSync(summaryPath, "");
    writeFileSync(outputPath, "");
    const step = workflowFor(event, payload.action).with;
    const token = opts.token ?? this.#token;
    const inputs: Record<string, string> = { github_token: token };
    for (const [k, v] of Object.entries(step)) {
      inputs[k] = v
        .replace(/\$\{\{\s*secrets\.LLM_API_KEY\s*\}\}/g, LLM_KEY)
        .replace(/\$\{\{\s*github\.token\s*\}\}/g, token);
    }
    Object.assign(inputs, { llm_base_url: this.llm.baseUrl }, opts.inputs ?? {});
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? "",
      GITHUB_ACTIONS: "true",
      CI: "true",
      GITHUB_EVENT_NAME: event,
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_API_URL: `${this.sim.origin}/api/v3`,
      GITHUB_GRAPHQL_URL: `${this.sim.origin}/api/graphql`,
      GITHUB_SERVER_URL: this.sim.origin,
      GITHUB_REPOSITORY: String(payload.repository?.full_name ?? ""),
      GITHUB_RUN_ID: String(1000 + n),
      GITHUB_RUN_ATTEMPT: "1",
      GITHUB_WORKSPACE: this.workspace,
      GITHUB_STEP_SUMMARY: summaryPath,
      GITHUB_OUTPUT: outputPath,
      RUNNER_TEMP: this.dir,
      LLM_MAX_RETRIES: "0",
      ...opts.env,
    };
    // action.yml's defaults, as the runner applies them when `with:` leaves an input out.
    inputs.index_path ??= ".steward/index.db";
    for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
    const child = spawn(process.execPath, [await bundle()], {
      cwd: this.workspace,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let log = "";
    child.stdout.on("data", (d) => {
      log += d;
    });
    child.stderr.on("data", (d) => {
      log += d;
    });
    const code = await new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
    return {
      code,
      summary: readFileSync(summaryPath, "utf8"),
      outputs: readFileSync(outputPath, "utf8"),
      log,
    };
  }
}

export const CONFIG = "issues:\n  grace_minutes: 0\n";
/** The App's debounce and grace windows, shortened for the test; the action gets the same values. */
export const WINDOWS = {
  STEWARD_COMMAND_DEBOUNCE_MS: "0",
  STEWARD_PUSH_DEBOUNCE_MS: "0",
  STEWARD_INDEX_DEBOUNCE_MS: "200",
  STEWARD_MAP_DEBOUNCE_MS: "200",
  STEWARD_ISSUE_GRACE_MS: "0",
};

export function seedRepo(sim: GitHubSimulator, config = CONFIG): SimRepo {
  const repo = sim.state.addRepo("acme/widgets", { installationId: 1 });
  repo.permissions.set("alice", "write");
  repo.permissions.set("rita", "read");
  repo.files.set(".github/steward.yml", config);
  return repo;
}

/**
 * Everything a user sees on #n, with the simulator's own origin (its port) taken out, and the ids of
 * the user comments named in `ids` (ids are per simulator) replaced by their names in Steward's markers.
 */
export function seen(sim: GitHubSimulator, repo: SimRepo, n: number, ids: Record<string, number> = {}) {
  const norm = (s: string | null | undefined) => {
    let out = (s ?? "").split(sim.origin).join("ORIGIN");
    for (const [name, id] of Object.entries(ids)) out = out.split(`key=${id} `).join(`key=${name} `);
    return out;
  };
  const issue = repo.issues.get(n);
  return {
    comments: sim.state
      .commentsOn(repo, n)
      .filter((c) => c.user.type === "Bot")
      .map((c) => norm(c.body)),
    reviews: [...repo.reviews.values()]
      .filter((r) => r.pullNumber === n)
      .map((r) => ({ body: norm(r.body), state: r.state, commit: r.commitId })),
    inline: [...repo.reviewComments.values()]
      .filter((c) => c.pullNumber === n)
      .map((c) => ({ path: c.path, line: c.line, startLine: c.startLine, body: norm(c.body) })),
    body: norm(issue?.body),
    labels: [...(issue?.labels ?? [])].sort(),
    // Reactions on #n and its comments, named by what they are on (ids differ between simulators).
    reactions: repo.reactions.flatMap((r) => {
      if (r.subject.kind === "issue") return r.subject.number === n ? [`${r.content} on #${n}`] : [];
      const c = r.subject.kind === "comment" ? repo.comments.get(r.subject.id) : undefined;
      return c?.issueNumber === n ? [`${r.content} on ${c.user.login}'s "${c.body.slice(0, 40)}"`] : [];
    }),
  };
}
