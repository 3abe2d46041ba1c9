import type { Db } from "../store/types.ts";

// Append-only: this module only ever INSERTs into `audit` and reads it back.

export interface AuditEntry {
  at: number;
  deliveryId?: string | null;
  repo?: string | null;
  proposalId?: string | null;
  sha256?: string | null;
  senderLogin?: string | null;
  senderId?: number | null;
  role?: string | null;
  decision: "approve" | "refuse" | "ignore" | "deny" | "execute" | "answer";
  reason: string;
  result?: string | null;
}

export async function writeAudit(db: Db, e: AuditEntry): Promise<void> {
  await db.exec(
    `INSERT INTO audit (at, delivery_id, repo, proposal_id, sha256, sender_login, sender_id, role, decision, reason, result)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [
      e.at,
      e.deliveryId ?? null,
      e.repo ?? null,
      e.proposalId ?? null,
      e.sha256 ?? null,
      e.senderLogin ?? null,
      e.senderId ?? null,
      e.role ?? null,
      e.decision,
      e.reason,
      e.result ?? null,
    ],
  );
}

export interface AuditRow extends AuditEntry {
  id: number;
}

export async function readAudit(
  db: Db,
  opts: { limit?: number; proposalId?: string } = {},
): Promise<AuditRow[]> {
  const rows = await db.query<Record<string, unknown>>(
    `SELECT * FROM audit ${opts.proposalId ? "WHERE proposal_id = $2" : ""} ORDER BY id DESC LIMIT $1`,
    opts.proposalId ? [opts.limit ?? 1000, opts.proposalId] : [opts.limit ?? 1000],
  );
  return rows.reverse().map((r) => ({
    id: Number(r.id),
    at: Number(r.at),
    deliveryId: (r.delivery_id as string | null) ?? null,
    repo: (r.repo as string | null) ?? null,
    proposalId: (r.proposal_id as string | null) ?? null,
    sha256: (r.sha256 as string | null) ?? null,
    senderLogin: (r.sender_login as string | null) ?? null,
    senderId: r.sender_id === null ? null : Number(r.sender_id),
    role: (r.role as string | null) ?? null,
    decision: r.decision as AuditEntry["decision"],
    reason: String(r.reason),
    result: (r.result as string | null) ?? null,
  }));
}
