// Slash commands in PR and issue comments. Only the first command in a comment counts, and only at
// the start of a line outside quotes (`>`), code (fenced or indented) and HTML comments, so quoting someone's
// "/review" or pasting a shell path never triggers anything. Never throws.
import { stripHtmlComments } from "../agents/visible.ts";
import { type ParsedOptions, parseRunOptions, type RunOptions } from "./options.ts";

export const SIMPLE_COMMANDS = [
  "review",
  "describe",
  "improve",
  "help",
  "config",
  "triage",
  "score",
  "similar",
  "analyze",
  "locate",
] as const;
export type SimpleCommandName = (typeof SIMPLE_COMMANDS)[number];

export const INCIDENT_ACTIONS = ["ignore", "resolve", "reopen", "dispatch"] as const;
export type IncidentAction = (typeof INCIDENT_ACTIONS)[number];

export type Command =
  | { name: SimpleCommandName; options: RunOptions }
  | { name: "ask"; question: string; options: RunOptions }
  | { name: "agent"; instructions: string }
  | { name: "approve"; id: string; prefix: string }
  | { name: "deny"; id: string }
  | { name: "incident"; action: IncidentAction };

export type CommandName = Command["name"];

export const COMMAND_NAMES: readonly CommandName[] = [
  ...SIMPLE_COMMANDS,
  "ask",
  "agent",
  "approve",
  "deny",
  "incident",
];

export type ParsedCommand =
  | { kind: "none" }
  | { kind: "command"; command: Command }
  | { kind: "error"; command: CommandName; message: string };

const MAX_TEXT = 4000;
const ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
const PREFIX = /^[0-9a-fA-F]{6,64}$/;

interface Found {
  name: CommandName;
  /** The rest of the command line. */
  args: string;
  /** The command line's rest plus every following line (for free text). */
  tail: string;
}

function findCommand(body: string): Found | null {
  // What GitHub renders: a command inside an HTML comment (`LGTM <!-- /approve … -->`) is unseen, so
  // it never counts, like one in a quote or a code block.
  const lines = stripHtmlComments(body).split("\n");
  let fence: string | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const f = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (fence) {
      if (f && f[1]![0] === fence[0] && f[1]!.length >= fence.length && line.trim() === f[1]) fence = null;
      continue;
    }
    if (f) {
      fence = f[1]!;
      continue;
    }
    if (/^ {0,3}>/.test(line) || /^( {4}|\t)/.test(line)) continue;
    const m = /^ {0,3}\/([a-z]+)(?=\s|$)(.*)$/.exec(line);
    if (!m) continue;
    const name = m[1] as CommandName;
    if (!COMMAND_NAMES.includes(name)) continue;
    const rest = m[2]!;
    return { name, args: rest.trim(), tail: [rest, ...lines.slice(i + 1)].join("\n").trim() };
  }
  return null;
}

function err(command: CommandName, message: string): ParsedCommand {
  return { kind: "error", command, message };
}

function withOptions(
  name: CommandName,
  parsed: ParsedOptions,
  make: (o: RunOptions, rest: string) => ParsedCommand,
): ParsedCommand {
  if (!parsed.ok) return err(name, parsed.errors.join("\n"));
  return make(parsed.options, parsed.rest);
}

export function parseCommand(body: string | null | undefined): ParsedCommand {
  try {
    return parse(body ?? "");
  } catch {
    // Defensive: a parser bug must not take a webhook handler down.
    return { kind: "none" };
  }
}

function parse(body: string): ParsedCommand {
  const found = findCommand(body);
  if (!found) return { kind: "none" };
  const { name, args, tail } = found;
  switch (name) {
    case "ask":
      return withOptions(name, parseRunOptions(tail), (options, rest) => {
        if (rest === "")
          return err(name, "`/ask` needs a question, e.g. `/ask why is the cache keyed by user?`");
        if (rest.length > MAX_TEXT)
          return err(name, `The question is too long (${rest.length} characters; at most ${MAX_TEXT}).`);
        return { kind: "command", command: { name, question: rest, options } };
      });
    case "agent":
      if (tail === "")
        return err(name, "`/agent` needs instructions, e.g. `/agent fix the failing test in src/parse.ts`");
      if (tail.length > MAX_TEXT)
        return err(name, `The instructions are too long (${tail.length} characters; at most ${MAX_TEXT}).`);
      return { kind: "command", command: { name, instructions: tail } };
    case "approve": {
      const [id, prefix, extra] = args.split(/\s+/).filter(Boolean);
      if (!id || !prefix || extra !== undefined || !ID.test(id) || !PREFIX.test(prefix)) {
        return err(
          name,
          "Usage: `/approve <id> <hash-prefix>` — the id and the hex hash prefix shown in the approval request.",
        );
      }
      return { kind: "command", command: { name, id, prefix: prefix.toLowerCase() } };
    }
    case "deny": {
      const [id, extra] = args.split(/\s+/).filter(Boolean);
      if (!id || extra !== undefined || !ID.test(id))
        return err(name, "Usage: `/deny <id>` — the id shown in the approval request.");
      return { kind: "command", command: { name, id } };
    }
    case "incident": {
      const action = args.split(/\s+/)[0]?.toLowerCase();
      if (!action || !(INCIDENT_ACTIONS as readonly string[]).includes(action)) {
        return err(name, `Usage: \`/incident <${INCIDENT_ACTIONS.join("|")}>\``);
      }
      return { kind: "command", command: { name, action: action as IncidentAction } };
    }
    default:
      return withOptions(name, parseRunOptions(args), (options, rest) => {
        if (rest !== "") {
          return err(
            name,
            `\`/${name}\` takes only \`--key=value\` options; unexpected text: \`${rest.slice(0, 60).replace(/`/g, "'")}\``,
          );
        }
        return { kind: "command", command: { name, options } };
      });
  }
}
