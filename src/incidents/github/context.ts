import type { Db } from "../../store/types.ts";
import { findIncidentByIssue, type Incident } from "../registry.ts";
import { maskSecrets } from "../secrets.ts";
import { iso } from "./render.ts";

// What a worker gets about an incident: traceback, request, trace id, releases and the sample record,
// as plain text (the worker loop fences it as untrusted). Masked once more on the way out, so no token
// reaches a run's persisted context even if an old sample predates a masking rule.

const MAX_STACK = 12_000;
const MAX_RECORD = 6_000;

export function incidentContextText(inc: Incident): string {
  const s = inc.sample;
  const lines = [
    `Incident ${inc.id}: ${inc.title}`,
    `Status: ${inc.status} · events: ${inc.count} · first seen ${iso(inc.firstSeen)} · last seen ${iso(inc.lastSeen)}`,
    `Service: ${inc.service ?? "n/a"} · exception: ${inc.exceptionType ?? "n/a"} · level: ${s.level}`,
    `Fingerprint: ${inc.fingerprint} (${inc.fpVersion})`,
    `Release: ${inc.lastRelease ?? s.release ?? "n/a"}${inc.regressionCount ? ` · regressed ${inc.regressionCount} time(s)` : ""}`,
    "",
    `Message: ${s.message}`,
  ];
  if (s.method || s.path)
    lines.push(`Request: ${`${s.method ?? ""} ${s.path ?? ""}`.trim()}${s.status ? ` → ${s.status}` : ""}`);
  if (s.traceId) lines.push(`Trace id: ${s.traceId}`);
  if (s.stack) lines.push("", "Traceback:", s.stack.slice(0, MAX_STACK));
  if (s.record !== undefined)
    lines.push("", "Sample record:", JSON.stringify(s.record, null, 2).slice(0, MAX_RECORD));
  if (inc.linkedPrs.length)
    lines.push(
      "",
      `Linked PRs: ${inc.linkedPrs.map((p) => `${p.repo}#${p.number} (${p.state})`).join(", ")}`,
    );
  return maskSecrets(lines.join("\n"));
}

/** The incident behind `repo#issueNumber` as worker context, or null when the issue is not an incident's. */
export async function loadIncidentContext(db: Db, repo: string, issueNumber: number): Promise<string | null> {
  const inc = await findIncidentByIssue(db, repo, issueNumber);
  return inc ? incidentContextText(inc) : null;
}
