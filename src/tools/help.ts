// /help and /config bodies.
import { stringify } from "yaml";
import { fence } from "./markdown.ts";
import { RUN_OPTION_KEYS } from "./options.ts";

const PR_COMMANDS: Array<[string, string]> = [
  [
    "/review",
    "Review the PR: effort, findings (inline where the lines are in the diff), security, tests, facts. Re-runs edit one comment.",
  ],
  [
    "/describe",
    "Write the PR summary into the PR body between Steward's markers (your own text is kept). `--format=json` posts the PR JSON.",
  ],
  [
    "/improve",
    "Committable code suggestions on changed lines (score ≥ threshold), the rest in one table comment. Never repeats a suggestion.",
  ],
  [
    "/ask <question>",
    "Answer a question about the PR. In a review-comment thread, answers about those lines.",
  ],
  ["/help", "This list."],
  ["/config", "Show the effective configuration."],
];

const ISSUE_COMMANDS: Array<[string, string]> = [
  ["/triage", "Score how well the issue is documented and ask for what is missing."],
  ["/score", "Re-score the issue."],
  ["/similar", "Find similar issues and PRs."],
  ["/analyze", "Analyse the issue from first principles."],
  ["/locate", "Point to the code the issue is most likely about."],
  ["/agent <instructions>", "Dispatch an AI coding worker (maintainers only)."],
  ["/approve <id> <prefix>", "Approve the exact command a worker asked to run."],
  ["/deny <id>", "Refuse a worker's request."],
  ["/incident <ignore|resolve|reopen|dispatch>", "Act on an incident issue."],
];

function table(rows: Array<[string, string]>): string {
  return `| Command | What it does |\n|---|---|\n${rows.map(([c, d]) => `| \`${c}\` | ${d} |`).join("\n")}`;
}

export function renderHelp(): string {
  return [
    "## Steward commands",
    "Write a command at the start of a line in a comment. Only the first command in a comment runs; commands in quotes or code blocks are ignored.",
    "### Pull requests",
    table(PR_COMMANDS),
    "### Issues",
    table(ISSUE_COMMANDS),
    `**Per-run options** (\`--key=value\`, e.g. \`/review --num_findings=3\`): ${RUN_OPTION_KEYS.map((k) => `\`--${k}\``).join(", ")}. Keys, URLs, models and budgets can only be set by the Steward operator.`,
    "See docs/pr-tools.md for details.",
  ].join("\n\n");
}

const SECRETISH = /(key|token|secret|password|passwd|credential|private|webhook)/i;

function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value === null || typeof value !== "object") return value;
  // fromEntries defines own properties: a config key "__proto__" stays a key, never a prototype.
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      SECRETISH.test(k) && v != null && v !== "" ? "[redacted]" : redact(v),
    ]),
  );
}

/** The effective config as YAML; secret-looking keys are redacted even if a caller passes them in. */
export function renderConfig(effective: unknown, source: string): string {
  return [
    "## Steward configuration",
    `Effective configuration (defaults merged with ${source}):`,
    fence(stringify(redact(effective)).trimEnd(), "yaml"),
    "_Server settings (LLM endpoint, keys, budgets) are not shown._",
  ].join("\n\n");
}
