import { stripHtmlComments } from "./visible.ts";

// The strict parser for comment commands about proposals and assistance. Only the first line of a
// comment is a command; it must match exactly (single spaces, lowercase hex), or it is refused.

import { trimEndSpaceTab } from "../linear-text.ts";

export type AgentCommand =
  | { kind: "approve"; id: string; prefix: string }
  | { kind: "deny"; id: string }
  | { kind: "answer"; id: number; text: string }
  | { kind: "invalid"; command: "approve" | "deny" | "answer"; reason: string };

const APPROVE = /^\/approve ([a-z0-9]{4,32}) ([0-9a-f]{12,64})$/;
const DENY = /^\/deny ([a-z0-9]{4,32})$/;
const ANSWER = /^\/answer ([1-9][0-9]{0,15})(?: (.*))?$/;

export function parseAgentCommand(body: string): AgentCommand | null {
  // Text inside an HTML comment is invisible on GitHub, so it never holds a command.
  const text = stripHtmlComments(body).replace(/^\s+/, "");
  const nl = text.indexOf("\n");
  const first = trimEndSpaceTab(nl === -1 ? text : text.slice(0, nl));
  const word = /^\/(approve|deny|answer)(?=\s|$)/.exec(first)?.[1] as
    | "approve"
    | "deny"
    | "answer"
    | undefined;
  if (!word) return null;
  if (word === "approve") {
    const m = APPROVE.exec(first);
    return m
      ? { kind: "approve", id: m[1]!, prefix: m[2]! }
      : {
          kind: "invalid",
          command: word,
          reason: "expected `/approve <proposal-id> <sha256 prefix, 12+ lowercase hex>`",
        };
  }
  if (word === "deny") {
    const m = DENY.exec(first);
    return m
      ? { kind: "deny", id: m[1]! }
      : { kind: "invalid", command: word, reason: "expected `/deny <proposal-id>`" };
  }
  const m = ANSWER.exec(first);
  const rest = nl === -1 ? "" : text.slice(nl + 1);
  const answer = [m?.[2] ?? "", rest]
    .filter((s) => s.length > 0)
    .join("\n")
    .trim();
  if (!m || answer.length === 0)
    return { kind: "invalid", command: word, reason: "expected `/answer <question-number> <your answer>`" };
  return { kind: "answer", id: Number(m[1]), text: answer };
}
