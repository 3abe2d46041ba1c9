// /describe: one LLM call over the packed diff, then the PR body between Steward's markers (the
// author's text is kept), optional type labels, and the PR JSON (collapsed in the body, or as a
// comment with --format=json).
import type { Services } from "../../app/services.ts";
import type { RepoConfig } from "../../config/schema.ts";
import type { DiffFile } from "../../diff/types.ts";
import type { GitHubGateway } from "../../github/index.ts";
import type { Job } from "../../jobs/types.ts";
import { describePrompt } from "../describe/prompt.ts";
import { reconcileWalkthrough } from "../describe/reconcile.ts";
import { mergeDescription, renderDescribeSection } from "../describe/render.ts";
import { type DescribeOutput, describeSchema } from "../describe/schema.ts";
import { fence, plural } from "../markdown.ts";
import type { RunOptions } from "../options.ts";
import { loadIssueMapping } from "../issues/map.ts";
import { buildPrJson } from "../pr-json/build.ts";
import type { PrFacts } from "../pr-facts/types.ts";
import { packFor } from "./budget.ts";
import { callLlm, footer, newTally } from "./llm-call.ts";
import { notCovered } from "./not-covered.ts";
import { factsFor } from "./review-core.ts";
import { linkedIssues, loadPr } from "./source.ts";

export interface DescribeJobArgs {
  gw: GitHubGateway;
  config: RepoConfig;
  number: number;
  options: RunOptions;
  /** Where a `--format=json` answer goes (the command's reply). */
  replyJson?: (body: string) => Promise<void>;
}

/** Without a model: a summary built from the facts alone, and a note saying what to configure. */
export function deterministicDescribe(
  title: string,
  files: DiffFile[],
  facts: PrFacts,
  note: string,
): DescribeOutput {
  const t = facts.totals;
  const areas = facts.areas
    .slice(0, 5)
    .map((a) => a.area)
    .join(", ");
  return {
    types: [],
    title,
    summary: [
      `${plural(t.files, "file")} changed, +${t.additions} −${t.deletions}${areas ? ` (${areas})` : ""}.`,
      note,
    ],
    walkthrough: files.map((f) => ({
      file: f.path,
      summary: `${f.status}, +${f.additions} −${f.deletions}`,
    })),
  };
}

export async function runDescribeJob(s: Services, job: Job, a: DescribeJobArgs): Promise<void> {
  const { gw, number, config, options } = a;
  const pr = await loadPr(gw, number);
  const facts = await factsFor(pr.files, config);
  const ctx = (packedDiff: string) => ({
    title: pr.title,
    body: pr.body,
    commits: [],
    packedDiff,
    notReviewed: pr.unavailable,
    facts,
    ...(options.extra_instructions ? { extraInstructions: options.extra_instructions } : {}),
    ...(options.language ? { language: options.language } : {}),
  });
  const shape = { name: "describe", schema: describeSchema, build: (d: string) => describePrompt(ctx(d)) };
  const packed = await packFor(s.llm, shape, { files: pr.files, ignore: config.pr.paths.ignore });
  const sentNotReviewed = [...notCovered(pr.files, packed), ...pr.unavailable];
  const tally = newTally();
  let answered: DescribeOutput;
  let modelAnswered = false;
  if (!packed.files.some((f) => f.status !== "omitted")) {
    answered = deterministicDescribe(
      pr.title,
      pr.files,
      facts,
      pr.files.length === 0
        ? "This pull request changes no files."
        : "No file has reviewable text changes, so no model summary was written (see Not described).",
    );
  } else {
    const { system, user } = shape.build(packed.text);
    const called = await callLlm(
      s.llm,
      {
        schema: describeSchema,
        name: "describe",
        system,
        user,
        usage: { tool: "describe", jobId: job.id, installationId: job.installationId ?? undefined },
      },
      tally,
    );
    modelAnswered = called.ok;
    answered = called.ok ? called.data : deterministicDescribe(pr.title, pr.files, facts, called.note);
  }
  // Every path the model named is checked against the diff; the walkthrough lists every changed file.
  const reconciled = reconcileWalkthrough(answered, pr.files, sentNotReviewed, modelAnswered);
  const describe = reconciled.describe;
  const notReviewed = reconciled.notDescribed;
  if (reconciled.unknown.length > 0)
    s.log.info({ jobId: job.id, unknown: reconciled.unknown.length }, "describe dropped paths not in the PR");
  const prJson = buildPrJson({
    repo: { owner: gw.owner, repo: gw.repo, web: gw.webUrl },
    number,
    headSha: pr.headSha,
    title: pr.title,
    body: pr.body,
    files: pr.files,
    facts,
    describe,
    notReviewed: sentNotReviewed,
    graphqlIssues: await linkedIssues(gw, number),
    // Filled by the issue↔code mapping job (pr.map-issues) once it has run for this PR.
    issueMapping: await loadIssueMapping(s.db, `${gw.owner}/${gw.repo}`, number),
  });
  if (options.format === "json") {
    const body = `### PR JSON for \`${pr.headSha.slice(0, 12)}\`\n\nSchema: docs/pr-json.md (schemaVersion ${prJson.schemaVersion}).\n\n${fence(JSON.stringify(prJson, null, 2), "json")}`;
    if (a.replyJson) await a.replyJson(body);
    else await gw.upsertComment({ issueNumber: number, kind: "pr-json", key: String(number), body });
    return;
  }
  const section = renderDescribeSection({ describe, notReviewed, prJson, usage: footer(s.llm, tally) });
  // Re-read the body just before writing: the author may have edited it while the model ran.
  const fresh = await gw.getPullRequest(number);
  const merged = mergeDescription(fresh.body, section);
  if (merged !== (fresh.body ?? "")) await gw.updatePullBody(number, merged);
  if (config.pr.describe.update_title && tally.calls > 0 && describe.title !== fresh.title) {
    await gw.updateIssue(number, { title: describe.title });
  }
  if (config.pr.describe.labels && describe.types.length > 0) {
    const have = new Set((fresh.labels ?? []).map((l) => (typeof l === "string" ? l : l.name)));
    const missing = describe.types.filter((t) => !have.has(t));
    if (missing.length > 0) await gw.addLabels(number, missing);
  }
}
