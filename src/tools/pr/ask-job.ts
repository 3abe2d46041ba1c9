// /ask: on the conversation, a question about the whole PR (packed diff, one call); in a
// review-comment thread, a question about the selected lines, answered in that thread.
import type { Services } from "../../app/services.ts";
import type { CommandPayload } from "../../events/commands.ts";
import type { Job } from "../../jobs/types.ts";
import { askLinePrompt, askPrompt, type LineSelection } from "../ask/prompt.ts";
import { renderAsk } from "../ask/render.ts";
import { askSchema } from "../ask/schema.ts";
import type { CommandContext } from "../command-job.ts";
import { quote } from "../markdown.ts";
import type { RunOptions } from "../options.ts";
import { packFor } from "./budget.ts";
import { callLlm, footer, newTally } from "./llm-call.ts";
import { notCovered } from "./not-covered.ts";
import { factsFor } from "./review-core.ts";
import { loadPr } from "./source.ts";

/** The selected lines of a review thread: the last lines of GitHub's `diff_hunk`, which ends at the comment. */
export function selectionFromThread(thread: NonNullable<CommandPayload["thread"]>): LineSelection {
  const end = thread.line ?? thread.startLine ?? 1;
  const start = Math.min(thread.startLine ?? end, end);
  const lines = thread.diffHunk.split("\n");
  const body = lines.filter((l) => !l.startsWith("@@"));
  const count = Math.max(1, end - start + 1);
  return {
    path: thread.path,
    startLine: start,
    endLine: end,
    text: body.slice(-count).join("\n"),
    hunk: thread.diffHunk,
  };
}

export async function runAskJob(
  s: Services,
  job: Job,
  ctx: CommandContext,
  send: (body: string) => Promise<void>,
): Promise<void> {
  const p = ctx.payload;
  if (p.command.name !== "ask") return;
  const question = p.command.question;
  const options: RunOptions = p.command.options;
  const pr = await loadPr(ctx.gw, p.number);
  const usage = { tool: "ask", jobId: job.id, installationId: job.installationId ?? undefined };
  const tally = newTally();
  const repo = { owner: ctx.gw.owner, repo: ctx.gw.repo, web: ctx.gw.webUrl };
  const changedFiles = pr.files.map((f) => f.path);
  if (p.commentKind === "review" && p.thread) {
    const lines = selectionFromThread(p.thread);
    const { system, user } = askLinePrompt(
      { title: pr.title, ...(options.language ? { language: options.language } : {}) },
      lines,
      question,
    );
    const called = await callLlm(s.llm, { schema: askSchema, name: "ask", system, user, usage }, tally);
    if (!called.ok) return send(`${quote(question)}\n\n${called.note}`);
    return send(
      renderAsk({
        repo,
        headSha: pr.headSha,
        question,
        answer: called.data,
        changedFiles,
        lines: { path: lines.path, startLine: lines.startLine, endLine: lines.endLine },
        notReviewed: [],
        usage: footer(s.llm, tally),
      }),
    );
  }
  const facts = await factsFor(pr.files, ctx.config);
  const build = (packedDiff: string) =>
    askPrompt(
      {
        title: pr.title,
        body: pr.body,
        commits: [],
        packedDiff,
        notReviewed: pr.unavailable,
        facts,
        ...(options.language ? { language: options.language } : {}),
      },
      question,
    );
  const packed = await packFor(
    s.llm,
    { name: "ask", schema: askSchema, build },
    { files: pr.files, ignore: ctx.config.pr.paths.ignore },
  );
  const { system, user } = build(packed.text);
  const called = await callLlm(s.llm, { schema: askSchema, name: "ask", system, user, usage }, tally);
  if (!called.ok) return send(`${quote(question)}\n\n${called.note}`);
  await send(
    renderAsk({
      repo,
      headSha: pr.headSha,
      question,
      answer: called.data,
      changedFiles,
      notReviewed: [...notCovered(pr.files, packed), ...pr.unavailable],
      usage: footer(s.llm, tally),
    }),
  );
}
