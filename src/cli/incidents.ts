import { parseArgs } from "node:util";
import { getIncident, type Incident, listIncidents } from "../incidents/registry.ts";
import { STATUSES, type IncidentStatus } from "../incidents/schema.ts";
import { DEFAULT_DATABASE_URL, openDb } from "../store/index.ts";
import { CliUsageError, type CliCommand } from "./types.ts";

function iso(ms: number | null): string {
  return ms === null ? "-" : new Date(ms).toISOString().replace(/\.\d+Z$/, "Z");
}

export function incidentSummary(i: Incident) {
  return {
    id: i.id,
    fingerprint: i.fingerprint,
    fpVersion: i.fpVersion,
    status: i.status,
    count: i.count,
    title: i.title,
    service: i.service,
    exceptionType: i.exceptionType,
    firstSeen: iso(i.firstSeen),
    lastSeen: iso(i.lastSeen),
    regressionCount: i.regressionCount,
    issue: i.issueNumber !== null ? `${i.repo}#${i.issueNumber}` : null,
  };
}

/** `show --json`: the whole incident, with every time as the ISO 8601 string `list --json` uses. */
export function incidentDetail(i: Incident) {
  const when = (ms: number | null) => (ms === null ? null : iso(ms));
  return {
    ...i,
    firstSeen: iso(i.firstSeen),
    lastSeen: iso(i.lastSeen),
    fixMergedAt: when(i.fixMergedAt),
    resolvedAt: when(i.resolvedAt),
    regressedAt: when(i.regressedAt),
    statsCommentAt: when(i.statsCommentAt),
    createdAt: iso(i.createdAt),
    updatedAt: iso(i.updatedAt),
    linkedPrs: i.linkedPrs.map((p) => ({ ...p, at: iso(p.at) })),
    sample: { ...i.sample, time: when(i.sample.time) },
  };
}

export function formatList(list: Incident[]): string {
  const head = ["ID", "STATUS", "COUNT", "SERVICE", "LAST SEEN", "TITLE"];
  const rows = list.map((i) => [
    String(i.id),
    i.status,
    String(i.count),
    i.service ?? "-",
    iso(i.lastSeen),
    i.title.slice(0, 80),
  ]);
  const w = head.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k]!.length)));
  return `${[head, ...rows]
    .map((r) =>
      r
        .map((c, k) => c.padEnd(w[k]!))
        .join("  ")
        .trimEnd(),
    )
    .join("\n")}\n`;
}

export function formatShow(i: Incident): string {
  const s = i.sample;
  const lines = [
    `Incident ${i.id}: ${i.title}`,
    `  status        ${i.status}${i.regressionCount ? ` (regressed ${i.regressionCount}×)` : ""}`,
    `  service       ${i.service ?? "-"}`,
    `  count         ${i.count}`,
    `  first seen    ${iso(i.firstSeen)}`,
    `  last seen     ${iso(i.lastSeen)}`,
    `  fingerprint   ${i.fingerprint} (${i.fpVersion})`,
    `  issue         ${i.issueNumber !== null ? `${i.repo}#${i.issueNumber}` : "-"}`,
    `  linked PRs    ${i.linkedPrs.length ? i.linkedPrs.map((p) => `${p.repo}#${p.number} (${p.state})`).join(", ") : "-"}`,
    `  last release  ${i.lastRelease ?? "-"}`,
    `  request       ${s.method ?? "-"} ${s.path ?? "-"}${s.status !== null ? ` → ${s.status}` : ""}`,
    `  trace id      ${s.traceId ?? "-"}`,
    "",
    s.stack ?? s.message,
  ];
  return `${lines.join("\n")}\n`;
}

export const command: CliCommand = {
  name: "incidents",
  summary: "List and inspect incidents found in ingested logs.",
  usage: `steward incidents list [--status STATUS] [--service NAME] [--limit N] [--json]
steward incidents show ID [--json]

Statuses: ${STATUSES.join(", ")}. Uses DATABASE_URL (default ${DEFAULT_DATABASE_URL}).`,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    const { values, positionals } = parseArgs({
      args: rest,
      options: {
        status: { type: "string" },
        service: { type: "string" },
        limit: { type: "string" },
        json: { type: "boolean" },
      },
      allowPositionals: true,
      strict: true,
    });
    if (sub !== "list" && sub !== "show") throw new CliUsageError("expected `list` or `show ID`");
    if (values.status && !STATUSES.includes(values.status as IncidentStatus))
      throw new CliUsageError(`--status must be one of ${STATUSES.join(", ")}`);
    const limit = values.limit === undefined ? 100 : Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new CliUsageError("--limit must be a positive integer");
    const id = Number(positionals[0]);
    if (sub === "show" && (!Number.isInteger(id) || id < 1))
      throw new CliUsageError("show needs a numeric incident ID");
    const db = await openDb(io.env.DATABASE_URL || DEFAULT_DATABASE_URL, { create: false });
    try {
      if (sub === "list") {
        const list = await listIncidents(db, {
          status: values.status as IncidentStatus | undefined,
          service: values.service,
          limit,
        });
        io.stdout(
          values.json
            ? `${JSON.stringify(list.map(incidentSummary))}\n`
            : list.length
              ? formatList(list)
              : "No incidents.\n",
        );
        return 0;
      }
      const inc = await getIncident(db, id);
      if (!inc) {
        io.stderr(`steward incidents: no incident with ID ${id}\n`);
        return 1;
      }
      io.stdout(values.json ? `${JSON.stringify(incidentDetail(inc))}\n` : formatShow(inc));
      return 0;
    } finally {
      await db.close();
    }
  },
};
