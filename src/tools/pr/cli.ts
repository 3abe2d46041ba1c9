// `steward review` beyond --dry-run: a Markdown review of a diff file or of a live PR
// (`--pr https://github.com/OWNER/REPO/pull/N`, read with GITHUB_TOKEN). Prints; never posts.
import pino from "pino";
import { ProbotOctokit } from "probot";
import type { CliIO } from "../../cli/types.ts";
import { DEFAULT_CONFIG } from "../../config/schema.ts";
import type { DiffFile } from "../../diff/types.ts";
import { GitHubGateway } from "../../github/index.ts";
import type { Octokit } from "../../github/types.ts";
import { createLlm, type Llm } from "../../llm/client.ts";
import { parseLlmConfig } from "../../llm/schema.ts";
import { renderReviewComment } from "../review/render.ts";
import { packFor } from "./budget.ts";
import { reviewCore, shapeFor, factsFor } from "./review-core.ts";
import { loadPr } from "./source.ts";

const PR_URL =
  /^https:\/\/github\.com\/([A-Za-z0-9][A-Za-z0-9-]{0,38})\/([A-Za-z0-9._-]{1,100})\/pull\/(\d{1,9})\/?$/;

export function parsePrUrl(url: string): { owner: string; repo: string; number: number } | undefined {
  const m = PR_URL.exec(url.trim());
  return m ? { owner: m[1]!, repo: m[2]!, number: Number(m[3]) } : undefined;
}

function cliLlm(io: CliIO): Llm {
  return createLlm(parseLlmConfig(io.env), { log: pino({ level: "silent" }) });
}

async function reviewMarkdown(
  llm: Llm,
  input: { title: string; body: string; files: DiffFile[]; unavailable?: { path: string; reason: string }[] },
  where: { owner: string; repo: string; headSha: string },
): Promise<string> {
  const r = await reviewCore({
    llm,
    title: input.title,
    body: input.body,
    files: input.files,
    shown: input.files,
    commits: [],
    unavailable: input.unavailable ?? [],
    config: DEFAULT_CONFIG,
    options: {},
    usage: { tool: "review-cli" },
  });
  return `${renderReviewComment({
    repo: { owner: where.owner, repo: where.repo },
    headSha: where.headSha,
    ...(r.review ? { review: r.review } : {}),
    findings: r.findings,
    facts: r.facts,
    notReviewed: r.notReviewed,
    ...(r.llmNote ? { llmNote: r.llmNote } : {}),
    ...(r.usage ? { usage: r.usage } : {}),
  })}\n`;
}

/** The `runReview` hook of `steward review --diff-file` without --dry-run. */
export async function reviewDiffFile(input: { diff: { files: DiffFile[] }; io: CliIO }): Promise<number> {
  const md = await reviewMarkdown(
    cliLlm(input.io),
    { title: "(local diff)", body: "", files: input.diff.files },
    { owner: "local", repo: "diff", headSha: "working-tree" },
  );
  input.io.stdout(md);
  return 0;
}

/** `steward review --pr URL [--dry-run [--json]] [--budget N]`. */
export async function reviewPullRequest(
  url: string,
  io: CliIO,
  opts: { dryRun: boolean; json: boolean; budget?: number; octokit?: Octokit },
): Promise<number> {
  const ref = parsePrUrl(url);
  if (!ref) {
    io.stderr(`steward review: --pr expects https://github.com/OWNER/REPO/pull/N, got "${url}"\n`);
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
      retry: { enabled: false },
      throttle: { enabled: false },
    }) as Octokit);
  const gw = new GitHubGateway({ octokit, owner: ref.owner, repo: ref.repo, log: pino({ level: "silent" }) });
  const pr = await loadPr(gw, ref.number);
  const llm = cliLlm(io);
  if (opts.dryRun) {
    const facts = factsFor(pr.files, DEFAULT_CONFIG);
    const shape = shapeFor(
      {
        llm,
        title: pr.title,
        body: pr.body,
        files: pr.files,
        shown: pr.files,
        commits: [],
        unavailable: pr.unavailable,
        config: DEFAULT_CONFIG,
        options: {},
        usage: { tool: "review-cli" },
      },
      facts,
    );
    const model = opts.budget
      ? { contextWindow: opts.budget, maxOutputTokens: 0 }
      : { contextWindow: llm.contextWindow, maxOutputTokens: llm.maxOutputTokens };
    const packed = packFor(model, shape, { files: pr.files, ignore: [] });
    const files = packed.files.map((f) => ({ path: f.path, status: f.status, tokens: f.tokens }));
    if (opts.json)
      io.stdout(`${JSON.stringify({ budget: packed.budget, promptTokens: packed.promptTokens, files })}\n`);
    else {
      io.stdout(
        `PR #${ref.number} at ${pr.headSha.slice(0, 12)}: ${pr.files.length} file(s), budget ${packed.budget}, prompt ${packed.promptTokens} tokens.\n`,
      );
      for (const f of packed.files)
        io.stdout(
          `  ${f.status.padEnd(10)} ${String(f.tokens).padStart(7)}  ${f.path}${f.reason ? `  (${f.reason})` : ""}\n`,
        );
      for (const u of pr.unavailable) io.stdout(`  unavailable ${u.path}  (${u.reason})\n`);
    }
    return 0;
  }
  if (!llm.configured) {
    io.stderr("review without --dry-run needs an LLM configured: set LLM_API_KEY\n");
    return 1;
  }
  io.stdout(await reviewMarkdown(llm, pr, { owner: ref.owner, repo: ref.repo, headSha: pr.headSha }));
  return 0;
}
