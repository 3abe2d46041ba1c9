// `steward review` beyond packing: a Markdown (or --json) review of a diff file or of a live PR
// (`--pr https://HOST/OWNER/REPO/pull/N`, read with GITHUB_TOKEN; github.com or Enterprise Server).
// Prints; never posts. Without an LLM it prints the deterministic facts, as the App does.
import pino from "pino";
import { ProbotOctokit } from "probot";
import type { CliIO } from "../../cli/types.ts";
import { DEFAULT_CONFIG } from "../../config/schema.ts";
import type { DiffFile } from "../../diff/types.ts";
import { apiUrlFromWeb, GITHUB_WEB, GitHubGateway } from "../../github/index.ts";
import type { Octokit } from "../../github/types.ts";
import { createLlm, type Llm } from "../../llm/client.ts";
import { parseLlmConfig } from "../../llm/schema.ts";
import type { NotCovered } from "../markdown.ts";
import { renderReviewComment } from "../review/render.ts";
import { withProgress } from "../../cli/progress.ts";
import { planReview, type ReviewCoreInput, reviewCore } from "./review-core.ts";
import { loadPr } from "./source.ts";

// Any host: github.com or an Enterprise Server (https://ghe.example.com/OWNER/REPO/pull/N).
const PR_URL =
  /^(https?:\/\/[A-Za-z0-9.-]{1,253}(?::\d{1,5})?)\/([A-Za-z0-9][A-Za-z0-9-]{0,38})\/([A-Za-z0-9._-]{1,100})\/pull\/(\d{1,9})\/?$/;

export interface PrUrl {
  web: string;
  owner: string;
  repo: string;
  number: number;
}

export function parsePrUrl(url: string): PrUrl | undefined {
  const m = PR_URL.exec(url.trim().slice(0, 600));
  if (!m) return undefined;
  const web = m[1]!.toLowerCase().replace(/^https?:\/\/www\.github\.com$/, GITHUB_WEB);
  return { web, owner: m[2]!, repo: m[3]!, number: Number(m[4]) };
}

export interface CliReviewOptions {
  dryRun: boolean;
  json: boolean;
  budget?: number;
  octokit?: Octokit;
}

interface Source {
  title: string;
  body: string;
  files: DiffFile[];
  unavailable: NotCovered[];
  where: { owner: string; repo: string; web: string; headSha: string };
  /** The first line of the human dry-run output. */
  heading: (p: { budget: number; promptTokens: number }) => string;
}

function cliLlm(io: CliIO): Llm {
  return createLlm(parseLlmConfig(io.env), { log: pino({ level: "silent" }) });
}

function coreInput(llm: Llm, src: Source, budget: number | undefined): ReviewCoreInput {
  return {
    llm,
    title: src.title,
    body: src.body,
    files: src.files,
    shown: src.files,
    commits: [],
    unavailable: src.unavailable,
    config: DEFAULT_CONFIG,
    options: {},
    usage: { tool: "review-cli" },
    ...(budget !== undefined ? { budget } : {}),
  };
}

async function dryRun(input: ReviewCoreInput, src: Source, io: CliIO, json: boolean): Promise<number> {
  const { packed } = await planReview(input);
  const files = packed.files.map((f) => ({ path: f.path, status: f.status, tokens: f.tokens }));
  if (json) {
    io.stdout(`${JSON.stringify({ budget: packed.budget, promptTokens: packed.promptTokens, files })}\n`);
    return 0;
  }
  const count = (s: string) => packed.files.filter((f) => f.status === s).length;
  const lines = [
    src.heading(packed),
    `Included ${count("included")}, compressed ${count("compressed")}, omitted ${count("omitted")}.`,
  ];
  for (const f of packed.files)
    lines.push(
      `  ${f.status.padEnd(10)} ${String(f.tokens).padStart(7)}  ${f.path}${f.reason ? `  (${f.reason})` : ""}`,
    );
  for (const u of src.unavailable) lines.push(`  unavailable ${u.path}  (${u.reason})`);
  io.stdout(`${lines.join("\n")}\n`);
  return 0;
}

async function fullReview(input: ReviewCoreInput, src: Source, io: CliIO, json: boolean): Promise<number> {
  if (!input.llm.configured)
    io.stderr("steward review: no LLM configured (set LLM_API_KEY): printing the deterministic facts only\n");
  const r = input.llm.configured
    ? await withProgress(io, `Waiting for ${input.llm.model}`, () => reviewCore(input))
    : await reviewCore(input);
  if (json) {
    const out = {
      review: r.review ?? null,
      findings: r.findings.map((f) => ({ ...f.finding, inline: f.anchorError === null, why: f.anchorError })),
      facts: r.facts,
      notReviewed: r.notReviewed,
      llmNote: r.llmNote ?? null,
      usage: r.usage ?? null,
    };
    io.stdout(`${JSON.stringify(out)}\n`);
    return 0;
  }
  const md = renderReviewComment({
    repo: { owner: src.where.owner, repo: src.where.repo, web: src.where.web },
    headSha: src.where.headSha,
    ...(r.review ? { review: r.review } : {}),
    findings: r.findings,
    facts: r.facts,
    notReviewed: r.notReviewed,
    ...(r.llmNote ? { llmNote: r.llmNote } : {}),
    ...(r.usage ? { usage: r.usage } : {}),
  });
  io.stdout(`${md}\n`);
  return 0;
}

function run(src: Source, io: CliIO, opts: CliReviewOptions): Promise<number> {
  const input = coreInput(cliLlm(io), src, opts.budget);
  return opts.dryRun ? dryRun(input, src, io, opts.json) : fullReview(input, src, io, opts.json);
}

/** `steward review --diff-file FILE`, once the file is known to hold a diff. */
export function reviewDiffFile(
  diff: { files: DiffFile[]; warnings: string[] },
  io: CliIO,
  opts: CliReviewOptions,
): Promise<number> {
  return run(
    {
      title: "(local diff)",
      body: "",
      files: diff.files,
      unavailable: [],
      where: { owner: "local", repo: "diff", web: GITHUB_WEB, headSha: "working-tree" },
      heading: (p) =>
        `Diff: ${diff.files.length} file(s). Budget ${p.budget} tokens, prompt ${p.promptTokens} tokens.` +
        diff.warnings.map((w) => `\nwarning: ${w}`).join(""),
    },
    io,
    opts,
  );
}

/** `steward review --pr URL [--dry-run] [--json] [--budget N]`. */
export async function reviewPullRequest(url: string, io: CliIO, opts: CliReviewOptions): Promise<number> {
  const ref = parsePrUrl(url);
  if (!ref) {
    io.stderr(
      `steward review: --pr expects https://github.com/OWNER/REPO/pull/N (or your Enterprise Server's PR URL), got "${url.slice(0, 200)}"\n`,
    );
    return 2;
  }
  const token = io.env.GITHUB_TOKEN;
  if (!opts.octokit && !token) {
    io.stderr("steward review --pr needs GITHUB_TOKEN (a token that can read the repository)\n");
    return 1;
  }
  const octokit =
    opts.octokit ??
    (new ProbotOctokit({
      auth: { token },
      baseUrl: apiUrlFromWeb(ref.web),
      retry: { enabled: false },
      throttle: { enabled: false },
    }) as Octokit);
  const gw = new GitHubGateway({ octokit, owner: ref.owner, repo: ref.repo, log: pino({ level: "silent" }) });
  const pr = await loadPr(gw, ref.number);
  return run(
    {
      title: pr.title,
      body: pr.body,
      files: pr.files,
      unavailable: pr.unavailable,
      where: { owner: ref.owner, repo: ref.repo, web: gw.webUrl, headSha: pr.headSha },
      heading: (p) =>
        `PR #${ref.number} at ${pr.headSha.slice(0, 12)}: ${pr.files.length} file(s), budget ${p.budget}, prompt ${p.promptTokens} tokens.`,
    },
    io,
    opts,
  );
}
