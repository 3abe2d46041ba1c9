import { type Command, parseCommand } from "../tools/commands.ts";
import { type Route, text } from "./types.ts";

/** Coalescing window for repeated commands of one kind on one issue or PR. */
export const COMMAND_DEBOUNCE_MS = Number(process.env.STEWARD_COMMAND_DEBOUNCE_MS ?? 5_000);

export interface ReviewThread {
  commentId: number;
  path: string;
  line: number | null;
  startLine: number | null;
  side: string | null;
  diffHunk: string;
  commitId: string;
}

/** The payload of every `command.<name>` job. */
export interface CommandPayload {
  command: Command;
  number: number;
  isPr: boolean;
  commentId: number;
  /** Where the command was written: an issue/PR conversation comment or a review-comment thread. */
  commentKind: "issue" | "review";
  commenter: string;
  thread?: ReviewThread;
}

/** Commands whose repeats coalesce (the last one in the window runs); the others run once per comment. */
const COALESCING = new Set([
  "review",
  "describe",
  "improve",
  "triage",
  "score",
  "similar",
  "analyze",
  "locate",
  "config",
  "help",
]);

export const commandRoute: Route = (ev) => {
  if (ev.action !== "created" || !ev.repo) return [];
  let body: unknown;
  let number: number | undefined;
  let isPr = false;
  let commentKind: CommandPayload["commentKind"] = "issue";
  let thread: ReviewThread | undefined;
  const c = ev.payload?.comment;
  if (ev.name === "issue_comment") {
    body = c?.body;
    number = ev.payload?.issue?.number;
    isPr = Boolean(ev.payload?.issue?.pull_request);
  } else if (ev.name === "pull_request_review_comment") {
    body = c?.body;
    number = ev.payload?.pull_request?.number;
    isPr = true;
    commentKind = "review";
    thread = {
      commentId: c?.in_reply_to_id ?? c?.id,
      path: text(c?.path, ""),
      line: c?.line ?? c?.original_line ?? null,
      startLine: c?.start_line ?? c?.original_start_line ?? null,
      side: c?.side ?? null,
      diffHunk: text(c?.diff_hunk, ""),
      commitId: text(c?.commit_id, ""),
    };
  } else return [];
  if (typeof body !== "string" || typeof number !== "number" || typeof c?.id !== "number") return [];
  const parsed = parseCommand(body);
  if (parsed.kind === "none") return [];
  const base = { repo: ev.repo, targetNumber: number };
  const commenter = text(c?.user?.login ?? ev.payload?.sender?.login, "");
  if (parsed.kind === "error") {
    return [
      {
        ...base,
        kind: "command.error",
        dedupeKey: `command.error:${ev.repo}#${number}:${c.id}`,
        payload: {
          number,
          commentId: c.id,
          commentKind,
          commenter,
          command: parsed.command,
          message: parsed.message,
          isPr,
        },
      },
    ];
  }
  const name = parsed.command.name;
  const payload: CommandPayload = {
    command: parsed.command,
    number,
    isPr,
    commentId: c.id,
    commentKind,
    commenter,
    thread,
  };
  const coalesce = COALESCING.has(name);
  return [
    {
      ...base,
      kind: `command.${name}`,
      payload,
      dedupeKey: coalesce
        ? `command.${name}:${ev.repo}#${number}`
        : `command.${name}:${ev.repo}#${number}:${c.id}`,
      debounceMs: coalesce ? COMMAND_DEBOUNCE_MS : 0,
    },
  ];
};
