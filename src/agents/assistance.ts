import { neutralize } from "../github/neutralize.ts";
import type { Db } from "../store/types.ts";
import type { Actor } from "./approve.ts";
import { isStewardActor } from "./approve.ts";
import { writeAudit } from "./audit.ts";
import { levelMeets } from "./commands.ts";
import { parseAgentCommand } from "./parse.ts";
import { refusalKey, refusalReply } from "./replies.ts";
import type { AgentGateway, AppIdentity, Clock } from "./ports.ts";
import type { Run } from "./runs.ts";

// ai-ticket's "ask the humans and poll the ticket", made safe: the question is posted by Steward,
// and only an answer from a user whose LIVE permission is write or higher reaches the worker.

export interface Assistance {
  id: number;
  runId: number;
  question: string;
  commentId: number | null;
  answer: string | null;
  answeredBy: string | null;
  state: "open" | "answered" | "cancelled";
}

function toAssistance(r: Record<string, unknown>): Assistance {
  return {
    id: Number(r.id),
    runId: Number(r.run_id),
    question: String(r.question),
    commentId: r.comment_id === null ? null : Number(r.comment_id),
    answer: (r.answer as string | null) ?? null,
    answeredBy: (r.answered_by as string | null) ?? null,
    state: r.state as Assistance["state"],
  };
}

export async function getAssistance(db: Db, id: number): Promise<Assistance | undefined> {
  const r = await db.one<Record<string, unknown>>("SELECT * FROM assistance WHERE id = $1", [id]);
  return r ? toAssistance(r) : undefined;
}

export async function requestAssistance(
  deps: { db: Db; gateway: AgentGateway; now?: Clock },
  run: Run,
  question: string,
): Promise<Assistance> {
  const now = (deps.now ?? Date.now)();
  const row = await deps.db.one<Record<string, unknown>>(
    "INSERT INTO assistance (run_id, question, state, created_at) VALUES ($1, $2, 'open', $3) RETURNING *",
    [run.id, question, now],
  );
  const a = toAssistance(row!);
  const { id } = await deps.gateway.upsertComment({
    issueNumber: run.ticketNumber,
    kind: "assistance",
    key: String(a.id),
    body: [
      `### ❓ Worker run #${run.id} asks for help (question ${a.id})`,
      "",
      // The fence is chosen after the question is cleaned, so nothing removed from it can join
      // backticks into a line that closes the fence early.
      neutralize(question, "fence", { info: "text", max: 20_000 }),
      "",
      `Reply with a comment starting \`/answer ${a.id} <your answer>\`. Only users with write permission can answer.`,
    ].join("\n"),
  });
  await deps.db.exec("UPDATE assistance SET comment_id = $1 WHERE id = $2", [id, a.id]);
  return { ...a, commentId: id };
}

export interface AnswerOutcome {
  decision: "answer" | "refuse" | "ignore";
  reason: string;
}

/**
 * Called by the `issue_comment.created` handler for every comment; acts only on `/answer <n> …`.
 * The permission is fetched live; an unauthorized answer is refused with a reply and never stored.
 */
export async function answerAssistance(
  deps: { db: Db; gateway: AgentGateway; app: AppIdentity; repo: string; now?: Clock },
  event: { comment: { id: number; body: string }; sender: Actor; issue: { number: number } },
  deliveryId: string,
): Promise<AnswerOutcome | null> {
  const cmd = parseAgentCommand(event.comment.body);
  if (!cmd || (cmd.kind !== "answer" && !(cmd.kind === "invalid" && cmd.command === "answer"))) return null;
  if (isStewardActor(event.sender, deps.app)) return { decision: "ignore", reason: "Steward's own comment" };
  const now = (deps.now ?? Date.now)();
  const refuse = async (reason: string, role: string | null, aid: number | null): Promise<AnswerOutcome> => {
    await writeAudit(deps.db, {
      at: now,
      deliveryId,
      repo: deps.repo,
      senderLogin: event.sender.login,
      senderId: event.sender.id,
      role,
      decision: "refuse",
      reason,
      result: aid === null ? null : `assistance ${aid}`,
    });
    // One reply per comment, within the sender's reply budget (replies.ts): no megaphone.
    await refusalReply(deps, {
      issue: event.issue.number,
      key: refusalKey({ commentId: event.comment.id }) ?? `answer:${deliveryId}`,
      sender: event.sender.login,
      text: `⛔ Steward did not pass this answer to the worker: ${reason}.`,
    });
    return { decision: "refuse", reason };
  };
  if (cmd.kind === "invalid") return refuse(cmd.reason, null, null);
  const a = await getAssistance(deps.db, cmd.id);
  const run =
    a &&
    (await deps.db.one<Record<string, unknown>>("SELECT repo, ticket_number FROM runs WHERE id = $1", [
      a.runId,
    ]));
  if (!a || !run || run.repo !== deps.repo || Number(run.ticket_number) !== event.issue.number)
    return refuse(`there is no question ${cmd.id} on this ticket`, null, null);
  if (a.state !== "open") return refuse(`question ${a.id} is already ${a.state}`, null, a.id);
  if (event.sender.type !== "User") return refuse("only a human user can answer", null, a.id);
  // The gateway already answers "none" for a non-collaborator (404); any other failure (GitHub down,
  // rate limit) is thrown so the job retries, instead of telling a maintainer they lack permission.
  const perm: { roleName: string; level: Parameters<typeof levelMeets>[0] } = await deps.gateway.permission(
    event.sender.login,
  );
  if (!levelMeets(perm.level, "write"))
    return refuse(
      `@${event.sender.login} has ${perm.roleName} permission; answers need write or higher`,
      perm.roleName,
      a.id,
    );
  const n = await deps.db.exec(
    "UPDATE assistance SET state = 'answered', answer = $1, answered_by = $2, answered_at = $3 WHERE id = $4 AND state = 'open'",
    [cmd.text, event.sender.login, now, a.id],
  );
  if (n !== 1) return refuse(`question ${a.id} was answered already`, perm.roleName, a.id);
  await writeAudit(deps.db, {
    at: now,
    deliveryId,
    repo: deps.repo,
    senderLogin: event.sender.login,
    senderId: event.sender.id,
    role: perm.roleName,
    decision: "answer",
    reason: "answer accepted",
    result: `assistance ${a.id}`,
  });
  return { decision: "answer", reason: "answer accepted" };
}
