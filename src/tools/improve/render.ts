// Markdown for /improve: committable ```suggestion comments for validated, high-scoring suggestions,
// and one persistent table comment for the rest.
import {
  blobLink,
  cell,
  code,
  fence,
  lineLabel,
  type NotCovered,
  plural,
  type RepoRef,
  renderFooter,
  renderNotCovered,
  safeText,
  type UsageFooter,
} from "../markdown.ts";
import { fingerprintMarker } from "./fingerprint.ts";
import type { Suggestion } from "./schema.ts";

function indentOf(line: string): string {
  return /^[ \t]*/.exec(line)![0];
}

function firstNonBlank(lines: string[]): string | undefined {
  return lines.find((l) => l.trim() !== "");
}

/**
 * Re-bases `improved` so its first non-blank line has the indentation of the file's first
 * non-blank line in the replaced range: models often drop or change the leading indentation.
 * Relative indentation inside the block is kept.
 */
export function reindent(improved: string, fileLines: string[]): string {
  const lines = improved.split(/\r?\n/);
  const target = firstNonBlank(fileLines);
  const first = firstNonBlank(lines);
  if (target === undefined || first === undefined) return improved;
  const want = indentOf(target);
  const have = indentOf(first);
  if (want === have) return improved;
  return lines
    .map((l) => {
      if (l.trim() === "") return "";
      if (l.startsWith(have)) return want + l.slice(have.length);
      return want + l.trimStart();
    })
    .join("\n");
}

export type SuggestionBody = { ok: true; body: string } | { ok: false; reason: string };

/**
 * The body of a committable suggestion that replaces exactly lines startLine..endLine (new side).
 * `fileLines` are those lines as they are in the head commit; the model's `existingCode` must match
 * them (ignoring whitespace), otherwise committing would replace the wrong code.
 */
export function suggestionCommentBody(
  s: Suggestion & { fingerprint: string },
  fileLines: string[],
): SuggestionBody {
  if (fileLines.length !== s.endLine - s.startLine + 1) {
    return {
      ok: false,
      reason: `expected ${s.endLine - s.startLine + 1} lines of the file, got ${fileLines.length}`,
    };
  }
  const squash = (t: string) => t.replace(/\s+/g, "");
  if (s.existingCode.trim() !== "" && squash(s.existingCode) !== squash(fileLines.join("\n"))) {
    return { ok: false, reason: "the existing code the model quoted is not what those lines contain" };
  }
  const improved = reindent(s.improvedCode, fileLines);
  const body = [
    `**${safeText(s.label)}** · score ${s.score}/10 — ${safeText(s.summary)}`,
    "",
    fence(improved, "suggestion"),
    "",
    fingerprintMarker(s.fingerprint),
  ].join("\n");
  return { ok: true, body };
}

export interface ImproveTableInput {
  repo: RepoRef;
  headSha: string;
  /** Suggestions posted as committable comments this run. */
  posted: Suggestion[];
  /** Suggestions shown only in this table, with why they were not posted inline. */
  rest: Array<Suggestion & { why: string; inDiff?: boolean }>;
  /** How many suggestions were dropped as already posted on an earlier run. */
  duplicates: number;
  threshold: number;
  notReviewed: NotCovered[];
  usage?: UsageFooter;
}

export function improveStateMarker(sha: string): string {
  return `<!-- steward:improve-state last_sha=${sha} -->`;
}

export function renderImproveComment(input: ImproveTableInput): string {
  const out: string[] = [
    "## Steward code suggestions",
    `Updated for ${code(input.headSha.slice(0, 12))}.`,
    improveStateMarker(input.headSha),
  ];
  const total = input.posted.length + input.rest.length;
  if (total === 0 && input.duplicates === 0) {
    out.push("No suggestions for the reviewed changes.");
  } else {
    const bits = [
      `${plural(input.posted.length, "suggestion")} posted on the diff (score ≥ ${input.threshold})`,
    ];
    if (input.rest.length > 0) bits.push(`${input.rest.length} listed below`);
    if (input.duplicates > 0)
      bits.push(`${input.duplicates} already posted on an earlier run and not repeated`);
    out.push(`${bits.join(" · ")}.`);
  }
  const byLabel = new Map<string, Array<Suggestion & { why: string; inDiff?: boolean }>>();
  for (const s of input.rest) byLabel.set(s.label, [...(byLabel.get(s.label) ?? []), s]);
  const groups = [...byLabel.entries()]
    .map(([label, list]) => ({ label, list: [...list].sort((a, b) => b.score - a.score) }))
    .sort((a, b) => b.list[0]!.score - a.list[0]!.score || a.label.localeCompare(b.label));
  for (const g of groups) {
    const rows = g.list.map((s) => {
      const where = cell(lineLabel(s.file, s.startLine, s.endLine));
      // No link to a file the PR does not change: it may not exist at all.
      const shown =
        s.inDiff === false
          ? where
          : `[${where}](${blobLink(input.repo, input.headSha, s.file, s.startLine, s.endLine)})`;
      return `| ${s.score} | ${shown} | ${cell(s.summary)} | ${cell(s.why)} |`;
    });
    out.push(
      `### ${cell(g.label)}\n\n| Score | Where | Suggestion | Not inline because |\n|---:|---|---|---|\n${rows.join("\n")}`,
    );
    const diffs = g.list.map((s) => {
      const diff = [
        ...s.existingCode.split("\n").map((l) => `-${l}`),
        ...s.improvedCode.split("\n").map((l) => `+${l}`),
      ].join("\n");
      return `${code(lineLabel(s.file, s.startLine, s.endLine))} — ${safeText(s.summary)}\n\n${fence(diff, "diff")}`;
    });
    out.push(`<details><summary>Code (${g.list.length})</summary>\n\n${diffs.join("\n\n")}\n\n</details>`);
  }
  out.push(renderNotCovered(input.notReviewed));
  out.push(renderFooter("improve", input.usage));
  return out.join("\n\n");
}
