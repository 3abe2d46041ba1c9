import { renderMarker } from "../../github/markers.ts";
import { neutralize } from "../../github/neutralize.ts";
import type { Incident, LinkedPr } from "../registry.ts";
import { maskSecrets } from "../secrets.ts";

// Markdown for incident issues and their comments. Pure. Every string that came from a log goes
// through `maskSecrets` again here (samples are masked at ingest, but this is the last gate before
// GitHub), and log text is only ever shown inside code spans or fences so it cannot @mention anyone,
// inject Markdown or forge one of Steward's markers.

export const ISSUE_MARKER_KIND = "incident";
export const COMMENT_KIND = "incident";
export const STATS_KIND = "incident-stats";

const MAX_STACK = 40_000;
const MAX_RECORD = 8_000;

export type Severity = "high" | "medium";

/**
 * `high` for what takes a request or a process down: a 5xx status, a fatal level, or a crash-like
 * exception type (panics, out-of-memory, segfaults). `medium` otherwise.
 */
export function severityOf(inc: Pick<Incident, "sample" | "exceptionType">): Severity {
  if ((inc.sample.status ?? 0) >= 500) return "high";
  if (inc.sample.level === "fatal") return "high";
  if (/panic|fatal|crash|segfault|segmentation|outofmemory|out of memory/i.test(inc.exceptionType ?? ""))
    return "high";
  return "medium";
}

export function severityLabel(inc: Pick<Incident, "sample" | "exceptionType">): string {
  return `severity:${severityOf(inc)}`;
}

export function issueTitle(inc: Pick<Incident, "title">): string {
  // Log text: a bidi override or zero-width character would make the title read differently.
  return maskSecrets(`[incident] ${neutralize(inc.title.split("\n")[0], "title", { max: 250 })}`);
}

/**
 * Log text as an inline code span (the one neutralising function, after masking secrets); `table`
 * when it sits in a table cell, where GitHub splits on `|` even inside a code span.
 */
export function code(text: string, table = false): string {
  const clean = maskSecrets(text).replace(/\s+/g, " ").trim();
  if (!clean) return "—";
  return neutralize(clean, "code", { table });
}

/** Log text as a fenced block no line of it can close. */
export function fence(text: string, lang = "text"): string {
  return neutralize(maskSecrets(text), "fence", { info: lang });
}

export function iso(t: number | null | undefined): string {
  return t === null || t === undefined ? "—" : new Date(t).toISOString().replace(".000Z", "Z");
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}\n… (${text.length - max} more characters)` : text;
}

export interface IssueBodyOptions {
  minPermission: string;
}

/** The issue opened for a new incident; its first line is the marker that identifies the incident. */
export function issueBody(inc: Incident, opts: IssueBodyOptions): string {
  const s = inc.sample;
  const request = s.method || s.path ? `${s.method ?? ""} ${s.path ?? ""}`.trim() : "";
  const rows: Array<[string, string]> = [
    ["Service", code(inc.service ?? "", true)],
    ["Exception", code(inc.exceptionType ?? "", true)],
    ["Events", String(inc.count)],
    ["First seen", iso(inc.firstSeen)],
    ["Last seen", iso(inc.lastSeen)],
    ["Request", request ? `${code(request, true)}${s.status ? ` → ${s.status}` : ""}` : "—"],
    ["Trace id", code(s.traceId ?? "", true)],
    ["Release", code(inc.lastRelease ?? s.release ?? "", true)],
    ["Severity", severityOf(inc)],
    ["Fingerprint", `${code(inc.fingerprint, true)} (${code(inc.fpVersion, true)})`],
  ];
  const lines = [
    renderMarker({ kind: ISSUE_MARKER_KIND, key: String(inc.id) }),
    `### 🚨 Incident ${inc.id}: ${code(inc.title)}`,
    "",
    "| | |",
    "|---|---|",
    // Every log-derived cell value above is a table-safe code span.
    ...rows.map(([k, v]) => `| ${k} | ${v} |`),
    "",
    "**Message**",
    "",
    fence(cut(s.message, 4_000)),
    "",
    "**Traceback**",
    "",
    s.stack ? fence(cut(s.stack, MAX_STACK)) : "_No stack trace in the logged record._",
  ];
  if (s.record !== undefined) {
    lines.push(
      "",
      "<details><summary>Sample record</summary>",
      "",
      fence(cut(JSON.stringify(s.record, null, 2), MAX_RECORD), "json"),
      "",
      "</details>",
    );
  }
  lines.push(
    "",
    "---",
    `A PR that says \`Fixes #<this issue>\` moves the incident to **fix-proposed**; merging it starts verification. ` +
      `Commands (**${opts.minPermission}** permission or above): \`/incident ignore\` · \`/incident resolve\` · \`/incident reopen\` · \`/incident dispatch\`.`,
  );
  return maskSecrets(lines.join("\n"));
}

/** The one stats comment, edited in place as the incident recurs. */
export function statsBody(inc: Incident, now: number): string {
  const lines = [
    `### 📈 Incident ${inc.id}: occurrences`,
    "",
    "| | |",
    "|---|---|",
    `| Events | ${inc.count} |`,
    `| New since the last update | ${Math.max(0, inc.count - inc.statsCount)} |`,
    `| First seen | ${iso(inc.firstSeen)} |`,
    `| Last seen | ${iso(inc.lastSeen)} |`,
    `| Last release | ${code(inc.lastRelease ?? "", true)} |`,
    `| Status | ${inc.status} |`,
    `| Regressions | ${inc.regressionCount} |`,
    "",
    `_Updated ${iso(now)}; edited in place at most once per the configured interval (\`incidents.stats_comment_minutes\`)._`,
  ];
  return maskSecrets(lines.join("\n"));
}

function prList(inc: Incident, state?: "open" | "merged"): string {
  const prs = inc.linkedPrs.filter((p) => !state || p.state === state);
  return prs
    .map((p) => (inc.repo && p.repo === inc.repo ? `#${p.number}` : `${p.repo}#${p.number}`))
    .join(", ");
}

/** The comment for a status Steward mirrors onto the issue, and the key that makes it idempotent. */
export function statusComment(
  inc: Incident,
  opts: {
    verificationHours: number;
    /** Set by a person (command, issue closed/reopened): an `open` is never a withdrawn fix. */
    byHand?: boolean;
  },
): { key: string; body: string } | null {
  const when = (t: number | null) => String(t ?? 0);
  switch (inc.status) {
    case "fix-proposed":
      return {
        key: `fix-proposed:${prList(inc, "open") || "none"}`,
        body: `🛠️ A fix is proposed in ${prList(inc, "open") || "a linked PR"}. Incident ${inc.id} is now **fix-proposed**.`,
      };
    case "fix-merged":
      return {
        key: `fix-merged:${when(inc.fixMergedAt)}`,
        body: `🔎 The fix${prList(inc, "merged") ? ` ${prList(inc, "merged")}` : ""} was merged at ${iso(inc.fixMergedAt)}. Incident ${inc.id} is **fix-merged**: Steward watches the logs for ${opts.verificationHours} h (\`incidents.verification_hours\`). If it recurs in a newer release or after the window, it becomes **regressed** and this issue is reopened; otherwise it becomes **resolved** and this issue is closed.`,
      };
    case "resolved":
      return { key: `resolved:${when(inc.resolvedAt)}`, body: resolvedSummary(inc) };
    case "regressed":
      return {
        key: `regressed:${inc.regressionCount}`,
        body: maskSecrets(
          [
            `### ⚠️ Incident ${inc.id} regressed`,
            "",
            `It recurred at ${iso(inc.lastSeen)}${inc.lastRelease ? ` in release ${code(inc.lastRelease)}` : ""} after ${inc.fixMergedAt ? `the fix merged at ${iso(inc.fixMergedAt)}` : "it was resolved"}. Regressions so far: **${inc.regressionCount}**. Total events: ${inc.count}.`,
            "",
            "This issue is reopened. A new PR that says `Fixes #<this issue>` starts the cycle again.",
          ].join("\n"),
        ),
      };
    case "ignored":
      return {
        key: `ignored:${when(inc.updatedAt)}`,
        body: `🔕 Incident ${inc.id} is **ignored**: it will not reopen this issue or regress. \`/incident reopen\` undoes this.`,
      };
    case "open": {
      const pr = opts.byHand ? undefined : withdrawnFix(inc);
      if (pr) {
        const ref = inc.repo === pr.repo ? `#${pr.number}` : `${pr.repo}#${pr.number}`;
        const what =
          pr.state === "unlinked"
            ? `no longer references this issue (its closing keyword was edited out of the title or body)`
            : "was closed without merging";
        return {
          key: `open:withdrawn:${pr.repo}#${pr.number}:${pr.at}`,
          body: `↩️ The fix PR ${ref} ${what}, and no other open PR references this issue. Incident ${inc.id} is **open** again.`,
        };
      }
      return {
        key: `open:${when(inc.updatedAt)}`,
        body: `Incident ${inc.id} is **open** again.`,
      };
    }
  }
}

/**
 * The fix PR whose close without merging (or whose edited-out reference) sent an open incident back to open: the most recent linked
 * PR, when it is closed and no linked PR is still open. Undefined otherwise.
 */
export function withdrawnFix(inc: Pick<Incident, "status" | "linkedPrs">): LinkedPr | undefined {
  if (inc.status !== "open" || inc.linkedPrs.some((p) => p.state === "open")) return undefined;
  const last = inc.linkedPrs.reduce<LinkedPr | undefined>((a, p) => (!a || p.at >= a.at ? p : a), undefined);
  return last?.state === "closed" || last?.state === "unlinked" ? last : undefined;
}

export function resolvedSummary(inc: Incident): string {
  const lines = [
    `### ✅ Incident ${inc.id} resolved`,
    "",
    "| | |",
    "|---|---|",
    `| Fix | ${prList(inc, "merged") || "—"} |`,
    `| Fix merged | ${iso(inc.fixMergedAt)} |`,
    `| Resolved | ${iso(inc.resolvedAt)} |`,
    `| Fixed in release | ${code(inc.fixRelease ?? "", true)} |`,
    `| Events | ${inc.count} (first ${iso(inc.firstSeen)}, last ${iso(inc.lastSeen)}) |`,
    `| Regressions | ${inc.regressionCount} |`,
    "",
    inc.fixMergedAt
      ? "No recurrence during the verification window. If it comes back, Steward reopens this issue as **regressed**."
      : "Resolved by command. If it comes back, Steward reopens this issue as **regressed**.",
  ];
  return maskSecrets(lines.join("\n"));
}
