import { neutralize } from "../github/neutralize.ts";
import type { Db } from "../store/types.ts";
import type { AgentGateway } from "./ports.ts";
import { listProposals } from "./proposals.ts";
import { getRun, type Run, setStatusComment } from "./runs.ts";

// One status comment per run, edited in place through the gateway's marker upsert.

const STATE_TEXT: Record<Run["state"], string> = {
  queued: "⏳ queued, waiting for a worker",
  claimed: "🔧 claimed by a worker",
  running: "🔧 running",
  completed: "✅ completed",
  failed: "❌ failed",
  cancelled: "⏹️ cancelled",
};

export function renderRunStatus(
  run: Run,
  extra: { progress?: string; proposals?: Array<{ id: string; status: string; type: string }> } = {},
): string {
  const lines = [`### Steward worker run #${run.id}`, "", `**State:** ${STATE_TEXT[run.state]}`];
  if (run.workerId) lines.push(`**Worker:** ${neutralize(run.workerId, "code", { max: 200 })}`);
  if (run.followUpPending)
    lines.push("New comments arrived during this run; one follow-up run will pick them up.");
  if (extra.progress) lines.push("", "**Latest progress:**", "", quote(extra.progress));
  if (extra.proposals?.length) {
    lines.push("", "| proposal | command | status |", "|---|---|---|");
    for (const p of extra.proposals)
      lines.push(
        `| ${neutralize(p.id, "code", { table: true })} | ${neutralize(p.type, "code", { table: true })} | ${neutralize(p.status, "inline")} |`,
      );
  }
  const r = run.result as {
    summary?: string;
    branch?: string;
    commit?: string;
    pr?: number;
    error?: string;
  } | null;
  if (r?.summary) lines.push("", "**Summary:**", "", quote(r.summary));
  if (r?.error) lines.push("", "**Error:**", "", quote(r.error));
  // Branch and commit are free text from the worker: code spans no backtick in them can close.
  const refs = [
    typeof r?.branch === "string" && r.branch && `branch ${neutralize(r.branch, "code", { max: 300 })}`,
    typeof r?.commit === "string" && r.commit && `commit ${neutralize(r.commit, "code", { max: 100 })}`,
    Number.isSafeInteger(r?.pr) && `PR #${r?.pr}`,
  ].filter(Boolean);
  if (refs.length) lines.push("", `**Output:** ${refs.join(" · ")}`);
  return lines.join("\n");
}

/**
 * Worker-written text is shown quoted, through the one neutralising function: code and emphasis
 * stay, but no link, image, mention, HTML, task box or marker in it is live.
 */
function quote(text: unknown): string {
  return neutralize(text, "markdown", { max: 20_000 })
    .split("\n")
    .map((l) => (l === "" ? ">" : `> ${l}`))
    .join("\n");
}

export async function updateRunStatus(
  db: Db,
  gateway: AgentGateway,
  runId: number,
  progress?: string,
): Promise<void> {
  const run = await getRun(db, runId);
  if (!run) return;
  const proposals = (await listProposals(db, runId)).map((p) => ({
    id: p.id,
    status: p.status,
    type: p.command.type,
  }));
  const { id } = await gateway.upsertComment({
    issueNumber: run.ticketNumber,
    kind: "agent-run",
    key: String(run.id),
    body: renderRunStatus(run, { progress, proposals }),
  });
  if (run.statusCommentId !== id) await setStatusComment(db, run.id, id);
}
