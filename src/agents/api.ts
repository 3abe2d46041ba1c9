import { timingSafeEqual, createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { StewardError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import type { RouteHandler } from "../server/types.ts";
import type { Db } from "../store/types.ts";
import { getAssistance, requestAssistance } from "./assistance.ts";
import { commandSchema, DEFAULT_POLICY, type RiskPolicy } from "./commands.ts";
import { renderTicketContext, sanitizeUntrusted, type TicketContext } from "./context.ts";
import type { Clock, GatewayFor } from "./ports.ts";
import {
  casStatus,
  createProposals,
  getProposal,
  type Proposal,
  ProposalRefusedError,
  takeApproved,
} from "./proposals.ts";
import { announceHandOutRefusal } from "./invalidate.ts";
import {
  authenticateRun,
  claim,
  finishRun,
  heartbeat,
  markRunning,
  requeueExpired,
  type Run,
} from "./runs.ts";
import { updateRunStatus } from "./status.ts";

// The worker HTTP API under /api/workers. `claim` authenticates with the shared worker secret;
// every run-scoped call authenticates with that run's token, which dies when the run finishes.

export interface WorkerApiDeps {
  db: Db;
  gatewayFor: GatewayFor;
  /** WORKER_SHARED_SECRET; when empty the whole API answers 503 (never open). */
  sharedSecret: string;
  policy?: RiskPolicy;
  /** The run's repository policy (from its `.github/steward.yml`); overrides `policy`. */
  policyFor?: (run: Run) => Promise<RiskPolicy>;
  leaseMs?: number;
  maxWaitMs?: number;
  pollMs?: number;
  now?: Clock;
  log?: Logger;
}

/** Proposals a run may have awaiting a decision or hand-out at once (each is a comment on the ticket). */
export const MAX_OPEN_PROPOSALS = 20;
/** Unanswered assistance questions a run may have at once (each is a comment on the ticket). */
export const MAX_OPEN_QUESTIONS = 3;

class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const claimBody = z.strictObject({
  workerId: z.string().regex(/^[A-Za-z0-9._:-]{1,100}$/, "expected 1–100 of A-Z a-z 0-9 . _ : -"),
  waitMs: z.number().int().min(0).max(60_000).optional(),
});
const progressBody = z.strictObject({ message: z.string().min(1).max(10_000) });
const resultBody = z.strictObject({
  status: z.enum(["completed", "failed"]),
  summary: z.string().max(60_000),
  branch: z.string().max(200).optional(),
  commit: z
    .string()
    .regex(/^[0-9a-f]{7,64}$/, "expected a hex commit SHA")
    .optional(),
  pr: z.number().int().positive().optional(),
  error: z.string().max(10_000).optional(),
});
const proposalsBody = z.strictObject({ commands: z.array(commandSchema).min(1).max(20) });
const proposalResultBody = z.strictObject({ ok: z.boolean(), output: z.string().max(60_000) });
const assistanceBody = z.strictObject({ question: z.string().min(1).max(10_000) });

function send(res: ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  const text = JSON.stringify(body);
  res
    .writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) })
    .end(text);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 1_000_000) throw new HttpError(413, "too_large", "request body over 1 MB");
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new HttpError(400, "bad_json", "request body is not valid JSON");
  }
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const msg = r.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`).join("; ");
  throw new HttpError(400, "invalid_body", msg);
}

function bearer(req: IncomingMessage): string {
  const h = req.headers.authorization ?? "";
  const m = /^Bearer ([^\s]+)$/.exec(h);
  if (!m) throw new HttpError(401, "unauthorized", "missing `Authorization: Bearer <token>` header");
  return m[1]!;
}

export function secretMatches(given: string, expected: string): boolean {
  if (!expected) return false;
  // Hash both sides so the comparison is constant-time even when the lengths differ.
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

function publicRun(run: Run) {
  return {
    id: run.id,
    repo: run.repo,
    ticket: run.ticketNumber,
    // Maintainers' words, but a folded comment can carry what GitHub does not show (HTML comments,
    // bidi and invisible characters): the same sanitiser as contextText.
    instructions: sanitizeUntrusted(run.instructions),
    requestedBy: run.requestedBy,
    branch: run.branch,
    headSha: run.headSha,
    commentIds: run.deliveredCommentIds,
    // No raw `run.context`: the ticket reaches the worker only as `contextText`, sanitised and fenced.
  };
}

export function createWorkerApi(deps: WorkerApiDeps): RouteHandler {
  const policyOf = async (run: Run) =>
    deps.policyFor ? await deps.policyFor(run) : (deps.policy ?? DEFAULT_POLICY);
  const now = deps.now ?? Date.now;
  const status = async (run: Run, progress?: string) => {
    try {
      const gw = await deps.gatewayFor({ repo: run.repo, installationId: run.installationId });
      await updateRunStatus(deps.db, gw, run.id, progress);
    } catch (err) {
      deps.log?.warn({ err, runId: run.id }, "run status comment update failed");
    }
  };

  const routes: Array<
    [string, RegExp, (req: IncomingMessage, m: RegExpExecArray) => Promise<[number, unknown?]>]
  > = [
    [
      "POST",
      /^\/api\/workers\/claim$/,
      async (req) => {
        if (!secretMatches(bearer(req), deps.sharedSecret))
          throw new HttpError(401, "unauthorized", "wrong worker secret");
        const body = parse(claimBody, await readJson(req));
        await requeueExpired(deps.db, { now });
        const got = await claim(deps.db, body.workerId, {
          waitMs: Math.min(body.waitMs ?? 25_000, deps.maxWaitMs ?? 30_000),
          leaseMs: deps.leaseMs,
          pollMs: deps.pollMs,
          now,
        });
        if (!got) return [204];
        void status(got.run);
        const ctx = got.run.context as Partial<TicketContext>;
        const contextText = renderTicketContext(
          {
            repo: got.run.repo,
            number: got.run.ticketNumber,
            title: ctx.title ?? "",
            body: ctx.body ?? "",
            comments: ctx.comments ?? [],
            branch: got.run.branch,
            headSha: got.run.headSha,
            incident: ctx.incident ?? null,
          },
          got.run.instructions,
        );
        return [
          200,
          { run: publicRun(got.run), token: got.token, leaseUntil: got.run.leaseUntil, contextText },
        ];
      },
    ],
    [
      "POST",
      /^\/api\/workers\/runs\/(\d+)\/heartbeat$/,
      async (req, m) => {
        const run = await auth(req, m);
        const until = await heartbeat(deps.db, run.id, { leaseMs: deps.leaseMs, now });
        return [200, { leaseUntil: until }];
      },
    ],
    [
      "POST",
      /^\/api\/workers\/runs\/(\d+)\/progress$/,
      async (req, m) => {
        const run = await auth(req, m);
        const body = parse(progressBody, await readJson(req));
        await markRunning(deps.db, run.id, now);
        await heartbeat(deps.db, run.id, { leaseMs: deps.leaseMs, now });
        await status(run, body.message);
        return [200, { ok: true }];
      },
    ],
    [
      "POST",
      /^\/api\/workers\/runs\/(\d+)\/result$/,
      async (req, m) => {
        const run = await auth(req, m);
        const body = parse(resultBody, await readJson(req));
        const { status: state, ...result } = body;
        const done = await finishRun(deps.db, run.id, { state, result }, now);
        if (!done) throw new HttpError(409, "not_active", `run ${run.id} is no longer active`);
        await status(done.run);
        if (done.followUp) await status(done.followUp);
        return [200, { state: done.run.state, followUpRunId: done.followUp?.id ?? null }];
      },
    ],
    [
      "POST",
      /^\/api\/workers\/runs\/(\d+)\/proposals$/,
      async (req, m) => {
        const run = await auth(req, m);
        const body = parse(proposalsBody, await readJson(req));
        // Each proposal is a comment on the ticket: a compromised worker must not flood it.
        const open = await deps.db.one<{ n: unknown }>(
          "SELECT COUNT(*) AS n FROM proposals WHERE run_id = $1 AND status IN ('pending', 'approving', 'approved')",
          [run.id],
        );
        if (Number(open?.n ?? 0) + body.commands.length > MAX_OPEN_PROPOSALS)
          throw new HttpError(
            429,
            "too_many_proposals",
            `run ${run.id} may have at most ${MAX_OPEN_PROPOSALS} proposals awaiting approval or hand-out; wait for decisions first`,
          );
        const gateway = await deps.gatewayFor({ repo: run.repo, installationId: run.installationId });
        const policy = await policyOf(run);
        let created: Proposal[];
        try {
          created = await createProposals({ db: deps.db, gateway, policy, now }, run, body.commands);
        } catch (err) {
          if (err instanceof ProposalRefusedError) throw new HttpError(409, "ticket_closed", err.message);
          throw err;
        }
        await status(run);
        return [
          201,
          {
            proposals: created.map((p) => ({
              id: p.id,
              sha256: p.sha256,
              risk: p.risk,
              status: p.status,
              commentId: p.commentId,
              expiresAt: p.expiresAt,
            })),
          },
        ];
      },
    ],
    [
      "POST",
      /^\/api\/workers\/runs\/(\d+)\/proposals\/([a-z0-9]+)\/result$/,
      async (req, m) => {
        const run = await auth(req, m);
        const body = parse(proposalResultBody, await readJson(req));
        const p = await getProposal(deps.db, m[2]!);
        if (!p || p.runId !== run.id)
          throw new HttpError(404, "not_found", `run ${run.id} has no proposal ${m[2]}`);
        const ok = await casStatus(deps.db, p.id, ["executing"], body.ok ? "executed" : "failed", {
          result: body,
          at: now(),
        });
        if (!ok) throw new HttpError(409, "not_executing", `proposal ${p.id} is ${p.status}, not executing`);
        await status(run);
        return [200, { status: body.ok ? "executed" : "failed" }];
      },
    ],
    [
      "GET",
      /^\/api\/workers\/runs\/(\d+)\/approved$/,
      async (req, m) => {
        const run = await auth(req, m);
        const gateway = await deps.gatewayFor({ repo: run.repo, installationId: run.installationId });
        const commands = await takeApproved(
          {
            db: deps.db,
            gateway,
            policy: await policyOf(run),
            now,
            onRefused: (p, reason) =>
              announceHandOutRefusal({ db: deps.db, gateway, now, log: deps.log }, p, reason).catch((err) =>
                deps.log?.warn({ err, proposalId: p.id }, "hand-out refusal announcement failed"),
              ),
          },
          run.id,
        );
        return [200, { commands }];
      },
    ],
    [
      "POST",
      /^\/api\/workers\/runs\/(\d+)\/assistance$/,
      async (req, m) => {
        const run = await auth(req, m);
        const body = parse(assistanceBody, await readJson(req));
        const asked = await deps.db.one<{ n: unknown }>(
          "SELECT COUNT(*) AS n FROM assistance WHERE run_id = $1 AND state = 'open'",
          [run.id],
        );
        if (Number(asked?.n ?? 0) >= MAX_OPEN_QUESTIONS)
          throw new HttpError(
            429,
            "too_many_questions",
            `run ${run.id} may have at most ${MAX_OPEN_QUESTIONS} open questions; wait for answers first`,
          );
        const gateway = await deps.gatewayFor({ repo: run.repo, installationId: run.installationId });
        const a = await requestAssistance({ db: deps.db, gateway, now }, run, body.question);
        return [201, { id: a.id, commentId: a.commentId }];
      },
    ],
    [
      "GET",
      /^\/api\/workers\/runs\/(\d+)\/assistance\/(\d+)$/,
      async (req, m) => {
        const run = await auth(req, m);
        const a = await getAssistance(deps.db, Number(m[2]));
        if (!a || a.runId !== run.id)
          throw new HttpError(404, "not_found", `run ${run.id} has no question ${m[2]}`);
        return [200, { id: a.id, state: a.state, answer: a.answer, answeredBy: a.answeredBy }];
      },
    ],
  ];

  async function auth(req: IncomingMessage, m: RegExpExecArray): Promise<Run> {
    const token = bearer(req);
    const run = await authenticateRun(deps.db, Number(m[1]), token);
    if (!run) throw new HttpError(401, "unauthorized", "run token is invalid, revoked, or for another run");
    return run;
  }

  return async (req, res, url) => {
    if (!url.pathname.startsWith("/api/workers/")) return false;
    if (!deps.sharedSecret) {
      send(res, 503, {
        error: {
          code: "not_configured",
          message: "the worker API is disabled: set WORKER_SHARED_SECRET on the Steward server",
        },
      });
      return true;
    }
    const matching = routes.filter(([, re]) => re.test(url.pathname));
    if (matching.length === 0) {
      send(res, 404, { error: { code: "not_found", message: `no worker endpoint ${url.pathname}` } });
      return true;
    }
    const route = matching.find(([method]) => method === req.method);
    if (!route) {
      send(res, 405, {
        error: { code: "method_not_allowed", message: `${req.method} not allowed on ${url.pathname}` },
      });
      return true;
    }
    try {
      const [code, body] = await route[2](req, route[1].exec(url.pathname)!);
      send(res, code, body);
    } catch (err) {
      if (err instanceof HttpError)
        send(res, err.status, { error: { code: err.code, message: err.message } });
      else if (err instanceof StewardError && !err.transient)
        send(res, 400, { error: { code: "invalid", message: err.message } });
      else {
        deps.log?.error({ err }, "worker api request failed");
        send(res, 500, { error: { code: "internal", message: "internal error" } });
      }
    }
    return true;
  };
}
