// The structured PR description for AI coding agents. Versioned: a consumer checks
// `schemaVersion` and a breaking change bumps it.
import { z } from "zod";

export const PR_JSON_SCHEMA_VERSION = 1;

const hunkRange = z.object({
  oldStart: z.number().int().min(0),
  oldLines: z.number().int().min(0),
  newStart: z.number().int().min(0),
  newLines: z.number().int().min(0),
});

const file = z.object({
  path: z.string().describe("Path after the change; the old path for a deleted file."),
  oldPath: z.string().optional().describe("Path before a rename or copy."),
  status: z.enum(["added", "modified", "deleted", "renamed", "copied"]),
  additions: z.number().int().min(0),
  deletions: z.number().int().min(0),
  binary: z.boolean().optional(),
  summary: z.string().optional().describe("One-line change summary from /describe's walkthrough."),
  reviewed: z.boolean().describe("False when the file was not sent to the model (see notReviewed)."),
  hunks: z.array(hunkRange),
});

const finding = z.object({
  file: z.string(),
  startLine: z.number().int().positive(),
  endLine: z.number().int().positive(),
  severity: z.enum(["critical", "major", "minor", "info"]),
  title: z.string(),
  explanation: z.string(),
});

const suggestion = z.object({
  file: z.string(),
  startLine: z.number().int().positive(),
  endLine: z.number().int().positive(),
  label: z.string(),
  score: z.number().int().min(0).max(10),
  summary: z.string(),
  improvedCode: z.string(),
  fingerprint: z.string().optional(),
});

const facts = z.object({
  totals: z.object({ files: z.number().int(), additions: z.number().int(), deletions: z.number().int() }),
  areas: z.array(
    z.object({
      area: z.string(),
      files: z.number().int(),
      additions: z.number().int(),
      deletions: z.number().int(),
    }),
  ),
  tests: z.object({
    sourceFiles: z.array(z.string()),
    testFiles: z.array(z.string()),
    untested: z.array(z.object({ file: z.string(), expected: z.array(z.string()) })),
  }),
  dependencies: z.array(
    z.object({
      manifest: z.string(),
      ecosystem: z.enum(["npm", "pypi", "go", "cargo", "rubygems", "maven"]),
      name: z.string(),
      change: z.enum(["added", "removed", "changed"]),
      version: z.string().optional(),
      from: z.string().optional(),
      section: z.string().optional(),
    }),
  ),
  risky: z.array(z.object({ path: z.string(), reason: z.string() })),
  secrets: z.array(
    z.object({ file: z.string(), line: z.number().int(), kind: z.string(), preview: z.string() }),
  ),
  large: z.array(
    z.object({
      path: z.string(),
      reason: z.enum(["large", "generated", "binary"]),
      changedLines: z.number().int(),
    }),
  ),
});

const issueMapping = z.array(
  z.object({
    issue: z.number().int().positive(),
    links: z.array(z.object({ element: z.string(), path: z.string(), score: z.number() })),
    unaddressed: z.array(z.string()),
  }),
);

export const PrJson = z.object({
  schemaVersion: z.literal(PR_JSON_SCHEMA_VERSION),
  repository: z.string().optional().describe("owner/repo"),
  number: z.number().int().positive().optional(),
  headSha: z.string().optional(),
  title: z.string(),
  type: z.array(z.string()).describe("Type labels from /describe; empty when it has not run."),
  linkedIssues: z.array(
    z.object({
      number: z.number().int().positive(),
      url: z.string().optional(),
      source: z.enum(["closing-keyword", "graphql"]),
    }),
  ),
  summary: z.array(z.string()),
  files: z.array(file),
  notReviewed: z.array(z.object({ path: z.string(), reason: z.string() })),
  findings: z.array(finding),
  suggestions: z.array(suggestion),
  facts,
  issueMapping: issueMapping.optional(),
});

export type PrJson = z.output<typeof PrJson>;
export type PrJsonFile = z.output<typeof file>;
