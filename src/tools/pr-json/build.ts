// Builds the PR JSON from what the tools already computed. Pure: the caller fetches, this assembles.
import type { DiffFile } from "../../diff/types.ts";
import type { DescribeOutput } from "../describe/schema.ts";
import type { Suggestion } from "../improve/schema.ts";
import type { PrFacts } from "../pr-facts/types.ts";
import type { Finding } from "../review/schema.ts";
import { type IssueRef, mergeIssueRefs, parseClosingReferences } from "./links.ts";
import { PR_JSON_SCHEMA_VERSION, PrJson, type PrJsonFile } from "./schema.ts";

export interface BuildPrJsonInput {
  repo?: { owner: string; repo: string; web?: string };
  number?: number;
  headSha?: string;
  title: string;
  body: string;
  files: DiffFile[];
  facts: PrFacts;
  describe?: DescribeOutput;
  findings?: Finding[];
  suggestions?: Array<Suggestion & { fingerprint?: string }>;
  notReviewed?: Array<{ path: string; reason: string }>;
  /** Issues GitHub reports as linked (GraphQL closingIssuesReferences). */
  graphqlIssues?: IssueRef[];
  issueMapping?: PrJson["issueMapping"];
}

export function buildPrJson(input: BuildPrJsonInput): PrJson {
  const summaries = new Map((input.describe?.walkthrough ?? []).map((w) => [w.file, w.summary]));
  const notReviewed = input.notReviewed ?? [];
  const skipped = new Set(notReviewed.map((n) => n.path));
  const files: PrJsonFile[] = input.files.map((f) => {
    const out: PrJsonFile = {
      path: f.path,
      status: f.status,
      additions: f.additions,
      deletions: f.deletions,
      reviewed: !skipped.has(f.path),
      hunks: f.hunks.map((h) => ({
        oldStart: h.oldStart,
        oldLines: h.oldLines,
        newStart: h.newStart,
        newLines: h.newLines,
      })),
    };
    if (f.oldPath && f.oldPath !== f.path) out.oldPath = f.oldPath;
    if (f.binary) out.binary = true;
    const summary = summaries.get(f.path);
    if (summary) out.summary = summary;
    return out;
  });
  const linked = mergeIssueRefs(
    parseClosingReferences(`${input.title}\n${input.body}`, input.repo),
    input.graphqlIssues ?? [],
  );
  const json: PrJson = {
    schemaVersion: PR_JSON_SCHEMA_VERSION,
    title: input.title,
    type: input.describe?.types ?? [],
    linkedIssues: linked,
    summary: input.describe?.summary ?? [],
    files,
    notReviewed,
    findings: input.findings ?? [],
    suggestions: (input.suggestions ?? []).map((s) => {
      const o: PrJson["suggestions"][number] = {
        file: s.file,
        startLine: s.startLine,
        endLine: s.endLine,
        label: s.label,
        score: s.score,
        summary: s.summary,
        improvedCode: s.improvedCode,
      };
      if (s.fingerprint) o.fingerprint = s.fingerprint;
      return o;
    }),
    facts: input.facts,
  };
  if (input.repo) json.repository = `${input.repo.owner}/${input.repo.repo}`;
  if (input.number !== undefined) json.number = input.number;
  if (input.headSha) json.headSha = input.headSha;
  if (input.issueMapping) json.issueMapping = input.issueMapping;
  // Validated before it leaves: a consumer relies on the documented shape.
  return PrJson.parse(json);
}
