import { createHash } from "node:crypto";
import { z } from "zod";

// Commands are typed data from an allow-list. Steward only ever executes the STORED command, never
// text read back out of a comment, so this schema is the whole vocabulary a worker can propose.

const branchName = z
  .string()
  .min(1)
  .max(200)
  .regex(/^(?!-)(?!.*\.\.)[A-Za-z0-9._/-]+$/, "expected a git branch name (letters, digits, . _ / -)");

export const commandSchema = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("shell"),
    argv: z.array(z.string().max(4000)).min(1, "argv: expected at least the program name").max(200),
    cwd: z.string().max(500).optional(),
  }),
  z.strictObject({ type: z.literal("push"), branch: branchName }),
  z.strictObject({
    type: z.literal("open_pr"),
    head: branchName,
    base: branchName,
    title: z.string().min(1).max(256),
    body: z.string().max(20_000),
  }),
  z.strictObject({
    type: z.literal("merge_pr"),
    number: z.number().int().positive(),
    method: z.enum(["merge", "squash", "rebase"]),
  }),
  z.strictObject({
    type: z.literal("deploy"),
    environment: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "expected an environment name"),
  }),
  z.strictObject({ type: z.literal("close_issue"), number: z.number().int().positive() }),
  z.strictObject({
    type: z.literal("label"),
    number: z.number().int().positive(),
    labels: z.array(z.string().min(1).max(100)).min(1).max(20),
  }),
]);

export type Command = z.infer<typeof commandSchema>;
export type CommandType = Command["type"];

/** Commands Steward performs itself through the GitHub gateway; the rest go back to the proposing run. */
export const GITHUB_SIDE: ReadonlySet<CommandType> = new Set(["open_pr", "merge_pr", "close_issue", "label"]);

/** JSON with object keys sorted at every depth and no whitespace: one byte string per command. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(",")}}`;
}

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

export function commandHash(command: Command): string {
  return sha256Hex(canonicalJson(command));
}

// ── Risk ─────────────────────────────────────────────────────────────────────────────────────────

export type PermissionLevel = "none" | "read" | "triage" | "write" | "maintain" | "admin";
const LEVEL_RANK: Record<PermissionLevel, number> = {
  none: 0,
  read: 1,
  triage: 2,
  write: 3,
  maintain: 4,
  admin: 5,
};

/** `auto` runs without a human; the others name the minimum repository permission of the approver. */
export type Risk = "auto" | "triage" | "write" | "maintain" | "admin";

export function levelMeets(level: PermissionLevel, risk: Risk): boolean {
  if (risk === "auto") return true;
  return LEVEL_RANK[level] >= LEVEL_RANK[risk];
}

export const riskPolicySchema = z.strictObject({
  byType: z
    .partialRecord(
      z.enum(["shell", "push", "open_pr", "merge_pr", "deploy", "close_issue", "label"]),
      z.enum(["auto", "triage", "write", "maintain", "admin"]),
    )
    .default({}),
  /** Exact argv lists that are read-only and run without approval (no cwd). */
  readOnlyShell: z.array(z.array(z.string()).min(1)).default([]),
  /** For risks of maintain and above, the approver must not be the user who requested the run. */
  requireDistinctApprover: z.boolean().default(false),
  /** environment → the argv Steward hands back for `deploy`. A deploy is never free text. */
  deployCommands: z.record(z.string(), z.array(z.string()).min(1)).default({}),
  ttlMs: z
    .number()
    .int()
    .positive()
    .default(24 * 3600_000),
});
export type RiskPolicy = z.infer<typeof riskPolicySchema>;

export const DEFAULT_RISK: Record<CommandType, Risk> = {
  shell: "write",
  push: "write",
  open_pr: "write",
  label: "triage",
  close_issue: "triage",
  merge_pr: "maintain",
  deploy: "maintain",
};

export const DEFAULT_POLICY: RiskPolicy = riskPolicySchema.parse({
  readOnlyShell: [
    ["git", "status"],
    ["git", "diff"],
    ["git", "log", "--oneline"],
  ],
});

/** Deterministic: the same command and policy always give the same risk. Never lowered by text. */
export function classifyRisk(command: Command, policy: RiskPolicy = DEFAULT_POLICY): Risk {
  if (command.type === "shell" && command.cwd === undefined) {
    const key = canonicalJson(command.argv);
    if (policy.readOnlyShell.some((argv) => canonicalJson(argv) === key)) return "auto";
  }
  const configured = policy.byType[command.type];
  const base = DEFAULT_RISK[command.type];
  // Config may raise a type's risk; lowering merge/deploy below maintain would defeat the point.
  if (configured === undefined) return base;
  if (configured === "auto" && (command.type === "merge_pr" || command.type === "deploy")) return base;
  return configured;
}

// Characters an approver cannot see, or that reorder what is shown (bidi overrides), yet would reach the
// worker's argv: controls, format characters (bidi, zero-width, tags), private-use and unassigned code
// points, line/paragraph separators, every space but U+0020, and the blank-looking fillers.
const HIDDEN_CHAR = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}\u115F\u1160\u2800\u3164\uFFA0]/u;

function hiddenChar(ch: string): boolean {
  // U+034F (combining grapheme joiner) is a mark, tested apart from the class.
  return ch !== " " && ch !== "\n" && (ch === "\u034F" || HIDDEN_CHAR.test(ch));
}

/** The hidden characters of a command's strings, as `U+XXXX`, each once, in order of appearance. */
export function hiddenCharacters(command: Command): string[] {
  const seen: string[] = [];
  for (const ch of canonicalJson(command)) {
    if (!hiddenChar(ch)) continue;
    const code = `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
    if (!seen.includes(code)) seen.push(code);
  }
  return seen;
}

/**
 * Pretty, sorted JSON shown in the proposal comment; compared verbatim when a human approves. Hidden
 * characters are written as JSON `\uXXXX` escapes: the block still parses to the exact stored command,
 * but what the approver reads is what runs. (JSON.stringify already escapes C0 controls; the raw
 * newlines and spaces left are the pretty-printing.)
 */
export function displayCommand(command: Command): string {
  return escapeHidden(JSON.stringify(JSON.parse(canonicalJson(command)), null, 2));
}

/** JSON text with every hidden character written as a `\uXXXX` escape (valid inside JSON strings). */
export function escapeHidden(json: string): string {
  let out = "";
  for (const ch of json) {
    if (!hiddenChar(ch)) {
      out += ch;
      continue;
    }
    for (let i = 0; i < ch.length; i++)
      out += `\\u${ch.charCodeAt(i).toString(16).toUpperCase().padStart(4, "0")}`;
  }
  return out;
}
