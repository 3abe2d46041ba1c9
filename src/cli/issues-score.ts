import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { InvalidInputError } from "../errors.ts";
import { IssueInputSchema } from "../tools/issue-score/schema.ts";
import { scoreIssue } from "../tools/issue-score/score.ts";
import type { IssueInput, ScoreResult } from "../tools/issue-score/types.ts";
import { type CliCommand, CliUsageError } from "./types.ts";

const USAGE = `steward issues score --file issue.md [--title T] [--labels a,b] [--threshold N] [--json]

Scores how well an issue is documented (0–10) without any network or LLM.
  --file       Markdown body, or a .json issue ({title, body, labels}) such as a GitHub API issue.
               Without --title, a Markdown file's leading "# Heading" line is used as the title.
  --title      Issue title.
  --labels     Comma-separated label names (they decide bug / feature / question first).
  --threshold  Also report whether the score is below this value (exit code stays 0).
  --json       Print {score, type, elements:[{id,label,present}], missing:[...]}.`;

async function loadIssue(path: string, cwd: string, title?: string, labels?: string[]): Promise<IssueInput> {
  const bytes = await readFile(resolve(cwd, path)).catch((err: NodeJS.ErrnoException) => {
    throw new InvalidInputError(`cannot read --file ${path}: ${err.code ?? err.message}`);
  });
  // A score of a binary is a number about nothing: refuse it rather than print 0.5/10.
  if (bytes.subarray(0, 8000).includes(0))
    throw new InvalidInputError(`--file ${path} is a binary file, not an issue (Markdown text or JSON)`);
  const text = bytes.toString("utf8");
  if (!text.trim() && title === undefined)
    throw new InvalidInputError(`--file ${path} is empty: there is no issue text to score`);
  if (path.endsWith(".json")) {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw new InvalidInputError(`--file ${path}: not valid JSON`);
    }
    const parsed = IssueInputSchema.safeParse(raw);
    if (!parsed.success) throw new InvalidInputError(`--file ${path}: ${z.prettifyError(parsed.error)}`);
    return { ...parsed.data, title: title ?? parsed.data.title, labels: labels ?? parsed.data.labels };
  }
  const heading = title === undefined ? /^#\s+(.+)\n?/.exec(text) : null;
  return {
    title: title ?? heading?.[1]?.trim() ?? "",
    body: heading ? text.slice(heading[0].length) : text,
    labels: labels ?? [],
  };
}

function readable(r: ScoreResult): string {
  const lines = [`Score: ${r.score}/10 (${r.type}, from ${r.typeSource})`];
  if (r.threshold !== undefined)
    lines.push(`Threshold: ${r.threshold}: ${r.belowThreshold ? "BELOW" : "met"}`);
  for (const e of r.elements) {
    lines.push(
      `  ${e.present ? "[x]" : "[ ]"} ${e.label} (${e.weight})${e.evidence ? `: ${e.evidence}` : ""}`,
    );
  }
  const labels = r.missing.map((id) => r.elements.find((e) => e.id === id)?.label ?? id);
  lines.push(labels.length ? `Missing, most valuable first: ${labels.join(", ")}` : "Nothing missing.");
  if (r.truncated) lines.push("Note: the body is very long; only its beginning was scanned.");
  return lines.join("\n") + "\n";
}

export const scoreCommand: CliCommand = {
  name: "issues score",
  summary: "Score how well an issue is documented",
  usage: USAGE,
  async run(argv, io) {
    let values: { file?: string; title?: string; labels?: string; threshold?: string; json?: boolean };
    try {
      ({ values } = parseArgs({
        args: argv,
        options: {
          file: { type: "string" },
          title: { type: "string" },
          labels: { type: "string" },
          threshold: { type: "string" },
          json: { type: "boolean" },
        },
        strict: true,
      }));
    } catch (err) {
      throw new CliUsageError((err as Error).message);
    }
    if (!values.file) throw new CliUsageError("--file is required");
    const threshold = values.threshold === undefined ? undefined : Number(values.threshold);
    if (threshold !== undefined && !(threshold >= 0 && threshold <= 10)) {
      throw new CliUsageError(`--threshold: expected a number from 0 to 10, got '${values.threshold}'`);
    }
    const labels = values.labels
      ?.split(",")
      .map((l) => l.trim())
      .filter(Boolean);
    const issue = await loadIssue(values.file, io.cwd, values.title, labels);
    const result = scoreIssue(issue, { threshold });
    if (values.json) {
      const out: Record<string, unknown> = {
        score: result.score,
        type: result.type,
        elements: result.elements.map((e) => ({ id: e.id, label: e.label, present: e.present })),
        missing: result.missing,
      };
      if (result.threshold !== undefined)
        Object.assign(out, { threshold: result.threshold, belowThreshold: result.belowThreshold });
      io.stdout(JSON.stringify(out) + "\n");
    } else io.stdout(readable(result));
    return 0;
  },
};
