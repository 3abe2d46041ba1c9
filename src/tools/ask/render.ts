// Markdown for /ask: the question quoted back, the answer, and what the answer did not see.
import {
  blobLink,
  code,
  lineLabel,
  type NotCovered,
  quote,
  type RepoRef,
  renderFooter,
  renderNotCovered,
  safeText,
  type UsageFooter,
} from "../markdown.ts";
import type { AskOutput } from "./schema.ts";

export interface AskRenderInput {
  repo: RepoRef;
  headSha: string;
  question: string;
  answer: AskOutput;
  /** The PR's changed paths: a reference outside them is marked, not linked (the model may invent it). */
  changedFiles: readonly string[];
  /** For a question asked on selected lines (a review-comment thread). */
  lines?: { path: string; startLine: number; endLine: number };
  notReviewed: NotCovered[];
  usage?: UsageFooter;
}

export function renderAsk(input: AskRenderInput): string {
  const out: string[] = [quote(input.question)];
  if (input.lines) {
    const l = input.lines;
    out.push(
      `About ${code(lineLabel(l.path, l.startLine, l.endLine))} at ${code(input.headSha.slice(0, 12))}.`,
    );
  }
  out.push(safeText(input.answer.answer));
  const refs = input.answer.references ?? [];
  if (refs.length > 0) {
    const inPr = new Set(input.changedFiles);
    out.push(
      `**References:** ${refs
        .map((r) => {
          const label = code(r.line ? `${r.file}:${r.line}` : r.file);
          return inPr.has(r.file)
            ? `[${label}](${blobLink(input.repo, input.headSha, r.file, r.line)})`
            : `${label} (not a file this PR changes)`;
        })
        .join(", ")}`,
    );
  }
  // Line questions see only the selected lines and their hunk; saying so keeps expectations right.
  if (input.lines)
    out.push("_This answer saw the selected lines and their diff hunk, not the rest of the PR._");
  else out.push(renderNotCovered(input.notReviewed, "Not seen by the model"));
  out.push(renderFooter("ask", input.usage));
  return out.join("\n\n");
}
