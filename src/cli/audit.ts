import { parseArgs } from "node:util";
import { type AuditRow, readAudit } from "../agents/audit.ts";
import { openDb } from "../store/index.ts";
import { CliUsageError, type CliCommand } from "./types.ts";

export function formatAudit(rows: AuditRow[]): string {
  const head = ["AT", "DELIVERY", "PROPOSAL", "SHA256", "SENDER", "ROLE", "DECISION", "REASON", "RESULT"];
  const body = rows.map((r) => [
    new Date(r.at).toISOString().replace(/\.\d+Z$/, "Z"),
    r.deliveryId ?? "-",
    r.proposalId ?? "-",
    r.sha256 ? r.sha256.slice(0, 12) : "-",
    r.senderLogin ?? "-",
    r.role ?? "-",
    r.decision,
    r.reason.replace(/\s+/g, " "),
    (r.result ?? "-").replace(/\s+/g, " "),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  return `${[head, ...body]
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join("  ")
        .trimEnd(),
    )
    .join("\n")}\n`;
}

export const command: CliCommand = {
  name: "audit",
  summary: "Print the append-only approval audit log.",
  usage: `steward audit [--json] [--proposal ID] [--limit N]

Every approval decision: delivery id, proposal, hash, sender, the role GitHub returned, decision,
reason and result. Uses DATABASE_URL (default sqlite:./data/steward.db).`,
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: { json: { type: "boolean" }, proposal: { type: "string" }, limit: { type: "string" } },
      strict: true,
    });
    const limit = values.limit === undefined ? 1000 : Number(values.limit);
    if (!Number.isInteger(limit) || limit <= 0)
      throw new CliUsageError("--limit: expected a positive integer");
    const db = await openDb(io.env.DATABASE_URL || undefined, { create: false });
    try {
      const rows = await readAudit(db, { limit, proposalId: values.proposal });
      if (values.json) io.stdout(`${JSON.stringify(rows, null, 2)}\n`);
      else
        io.stdout(
          rows.length
            ? formatAudit(rows)
            : values.proposal
              ? `No audit entries for proposal ${values.proposal.slice(0, 40)}.\n`
              : "No audit entries.\n",
        );
      return 0;
    } finally {
      await db.close();
    }
  },
};
