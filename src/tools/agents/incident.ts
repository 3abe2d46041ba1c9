import { findIncidentByIssue } from "../../incidents/registry.ts";
import type { Db } from "../../store/types.ts";

// The incident linked to a ticket, as plain text for the worker's context file. The text is fenced
// as untrusted by renderTicketContext: log messages are attacker-influenced too.

const MAX_STACK = 6_000;

export async function loadIncidentContext(db: Db, repo: string, issueNumber: number): Promise<string | null> {
  const inc = await findIncidentByIssue(db, repo, issueNumber);
  if (!inc) return null;
  const iso = (t: number | null) => (t === null ? "n/a" : new Date(t).toISOString());
  const s = inc.sample;
  const lines = [
    `Incident #${inc.id}: ${inc.title}`,
    `Status: ${inc.status} · events: ${inc.count} · first seen ${iso(inc.firstSeen)} · last seen ${iso(inc.lastSeen)}`,
    `Service: ${inc.service ?? "n/a"} · exception: ${inc.exceptionType ?? "n/a"} · fingerprint ${inc.fingerprint} (${inc.fpVersion})`,
    `Release: ${inc.lastRelease ?? "n/a"}${inc.regressionCount ? ` · regressed ${inc.regressionCount}×` : ""}`,
    "",
    `Message: ${s.message}`,
  ];
  if (s.method || s.path) lines.push(`Request: ${s.method ?? ""} ${s.path ?? ""}`.trim());
  if (s.traceId) lines.push(`Trace: ${s.traceId}`);
  if (s.stack) lines.push("", "Stack:", s.stack.slice(0, MAX_STACK));
  if (inc.linkedPrs.length)
    lines.push(
      "",
      `Linked PRs: ${inc.linkedPrs.map((p) => `${p.repo}#${p.number} (${p.state})`).join(", ")}`,
    );
  return lines.join("\n");
}
