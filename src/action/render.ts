// What a workflow run shows: the job summary (what was done, what was not and why) and, when a job
// fails for good, the one comment on the PR or issue saying what failed and how to retry.
import { cell, code, safeText } from "../tools/markdown.ts";
import type { JobReport } from "./executor.ts";

export interface SummaryInput {
  event: string;
  repo: string;
  number?: number;
  /** Why nothing ran (fork PR, bot sender, unhandled event …). */
  skipped?: string;
  notes: string[];
  jobs: JobReport[];
  writes: string[];
  llm: { configured: boolean; model: string };
}

function outcomeIcon(o: JobReport["outcome"]): string {
  return o === "done" ? "✅" : o === "failed" ? "❌" : "⏭️";
}

export function renderSummary(s: SummaryInput): string {
  const out: string[] = ["## Steward"];
  const target = s.number ? `${code(s.repo)} #${s.number}` : code(s.repo);
  out.push(`Event ${code(s.event)} on ${target}.`);
  if (s.skipped) out.push(`> [!NOTE]\n> ${safeText(s.skipped)}`);
  for (const n of s.notes) out.push(`> [!WARNING]\n> ${safeText(n)}`);
  if (s.jobs.length > 0) {
    const rows = s.jobs.map(
      (j) =>
        `| ${outcomeIcon(j.outcome)} ${j.outcome} | ${code(j.kind)} | ${j.number ?? ""} | ${j.attempts} | ${(j.ms / 1000).toFixed(1)} s | ${j.reason ? cell(j.reason) : ""} |`,
    );
    out.push(`| Outcome | Job | # | Attempts | Time | Why |\n|---|---|---|---|---|---|\n${rows.join("\n")}`);
  } else if (!s.skipped) out.push("Nothing to do for this event.");
  if (s.writes.length > 0) {
    const counts = new Map<string, number>();
    for (const w of s.writes) counts.set(w, (counts.get(w) ?? 0) + 1);
    out.push(
      `**Writes to GitHub** (${s.writes.length}):\n${[...counts].map(([w, n]) => `- ${code(w)}${n > 1 ? ` × ${n}` : ""}`).join("\n")}`,
    );
  }
  out.push(
    s.llm.configured
      ? `<sub>model ${code(s.llm.model)}</sub>`
      : "<sub>No LLM configured (set the `llm_api_key` input from a secret): model steps were skipped with a note.</sub>",
  );
  return out.join("\n\n");
}

/** The one comment a failed run leaves: every job that gave up, why, and how to retry. */
export function renderActionFailure(
  failed: Array<{ kind: string; reason: string }>,
  runUrl: string | undefined,
): string {
  const lines = ["### ❌ Steward could not finish this workflow run", ""];
  for (const f of failed) lines.push(`- ${code(f.kind)}: ${safeText(f.reason)}`);
  lines.push(
    "",
    "Re-run the workflow, or comment the command again (e.g. `/review`). A re-run edits Steward's comments instead of posting new ones.",
  );
  if (runUrl) lines.push("", `<sub>[workflow run](${runUrl})</sub>`);
  return lines.join("\n");
}
