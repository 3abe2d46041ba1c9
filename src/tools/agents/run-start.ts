import type { TicketComment } from "../../agents/context.ts";
import type { AgentGateway } from "../../agents/ports.ts";
import { dispatch, type DispatchAction, getRun, type Run } from "../../agents/runs.ts";
import { updateRunStatus } from "../../agents/status.ts";
import { type Services, splitRepo } from "../../app/services.ts";
import type { RepoConfig } from "../../config/schema.ts";
import { wrapGitHub } from "../../github/errors.ts";
import { meetsPermission } from "../../github/permissions.ts";
import type { Job } from "../../jobs/types.ts";
import { loadIncidentContext } from "../../incidents/github/context.ts";

// Builds a run's ticket context (title, body, comments, incident, branch and head) and dispatches it.
// Comment authors' permissions are looked up live, once per author per dispatch: only comments by
// users at `agents.min_permission` or above are marked as instructions; the rest are context only.

const MAX_COMMENTS = 30;
const MAX_AUTHORS = 15;
const MAX_TEXT = 10_000;

export interface StartRun {
  number: number;
  isPr: boolean;
  instructions: string;
  requestedBy: string;
  /** The comment that carried the request; null for a label trigger. */
  commentId: number | null;
}

interface RawComment {
  id: number;
  body?: string | null;
  user: { login: string; type: string } | null;
}

const cut = (t: string, n = MAX_TEXT) => (t.length > n ? `${t.slice(0, n)}\n…(truncated)` : t);

async function ticketComments(
  s: Services,
  job: Job,
  gw: AgentGateway,
  number: number,
  minimum: RepoConfig["agents"]["min_permission"],
): Promise<TicketComment[]> {
  const octokit = await s.octokit(job.installationId!);
  const { owner, repo } = splitRepo(job.repo!);
  const all: RawComment[] = await wrapGitHub(
    () =>
      octokit.paginate(octokit.rest.issues.listComments, {
        owner,
        repo,
        issue_number: number,
        per_page: 100,
      }),
    `list comments on #${number}`,
  );
  // Bots (Steward's own status and proposal comments included) are never part of the ticket text.
  const human = all.filter((c) => c.user && c.user.type !== "Bot").slice(-MAX_COMMENTS);
  const authorized = new Map<string, boolean>();
  for (const c of human) {
    const login = c.user!.login;
    if (authorized.has(login)) continue;
    if (authorized.size >= MAX_AUTHORS) {
      authorized.set(login, false);
      continue;
    }
    authorized.set(login, meetsPermission((await gw.permission(login)).level, minimum));
  }
  return human.map((c) => ({
    author: c.user!.login,
    authorized: authorized.get(c.user!.login) ?? false,
    body: cut(c.body ?? ""),
  }));
}

export async function startRun(
  s: Services,
  job: Job,
  gw: AgentGateway,
  config: RepoConfig,
  req: StartRun,
): Promise<{ action: DispatchAction; run: Run }> {
  const octokit = await s.octokit(job.installationId!);
  const { owner, repo } = splitRepo(job.repo!);
  const { data: issue } = await wrapGitHub(
    () => octokit.rest.issues.get({ owner, repo, issue_number: req.number }),
    `read #${req.number}`,
  );
  let branch: string | null = null;
  let headSha: string | null = null;
  if (req.isPr) {
    const { data: pr } = await wrapGitHub(
      () => octokit.rest.pulls.get({ owner, repo, pull_number: req.number }),
      `read pull request #${req.number}`,
    );
    branch = pr.head.ref;
    headSha = pr.head.sha;
  }
  const comments = await ticketComments(s, job, gw, req.number, config.agents.min_permission);
  const incident = await loadIncidentContext(s.db, job.repo!, req.number);
  const out = await dispatch(s.db, {
    repo: job.repo!,
    installationId: job.installationId,
    ticket: req.number,
    instructions: req.instructions,
    requestedBy: req.requestedBy,
    commentId: req.commentId,
    context: { title: issue.title, body: cut(issue.body ?? "", 60_000), comments, incident },
    branch,
    headSha,
  });
  await updateRunStatus(s.db, gw, out.run.id);
  if (out.action === "follow_up") {
    // The active run's status comment announces the follow-up.
    const active = await s.db.one<{ id: number }>(
      "SELECT id FROM runs WHERE repo = $1 AND ticket_number = $2 AND state IN ('claimed','running')",
      [job.repo, req.number],
    );
    if (active) await updateRunStatus(s.db, gw, Number(active.id));
  }
  return { action: out.action, run: (await getRun(s.db, out.run.id)) ?? out.run };
}
