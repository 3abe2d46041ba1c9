// Webhook payloads as GitHub sends them: a real example from @octokit/webhooks-examples for the event
// and action, with its repository, issue, pull request, comment and sender replaced by the simulator's
// current state (rendered in GitHub's REST shape, which webhook objects share), so the ids, numbers and
// URLs Steward reads from a delivery are ones the simulator answers for.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { examplePayload } from "../helpers/webhooks.ts";
import type { World } from "./harness.ts";
import type { SimComment, SimIssue, SimPullFile, SimRepo, SimReviewComment } from "./sim/state.ts";

const FIXTURES = resolve(import.meta.dirname, "../../fixtures");

/** A real PR diff as GitHub's pulls.listFiles returns it (fixtures/pr/NAME.files.json). */
export function prFiles(name: string): SimPullFile[] {
  return JSON.parse(readFileSync(resolve(FIXTURES, "pr", `${name}.files.json`), "utf8"));
}

function base(w: World, event: string, action: string | undefined, repo: SimRepo, sender: string) {
  const p = examplePayload(event, action);
  p.repository = w.sim.render.repository(repo);
  p.sender = w.sim.render.user(w.sim.state.user(sender));
  p.installation = {
    id: repo.installationId,
    node_id: Buffer.from(`Installation${repo.installationId}`).toString("base64"),
  };
  delete p.organization;
  delete p.enterprise;
  return p;
}

export function issuesPayload(
  w: World,
  repo: SimRepo,
  issue: SimIssue,
  action: string,
  sender = issue.user.login,
  extra: Record<string, unknown> = {},
) {
  const p = base(w, "issues", action, repo, sender);
  p.issue = w.sim.render.issue(repo, issue);
  delete p.changes;
  delete p.label;
  return { ...p, ...extra };
}

export function pullRequestPayload(
  w: World,
  repo: SimRepo,
  pr: SimIssue,
  action: string,
  sender = pr.user.login,
  extra: Record<string, unknown> = {},
) {
  const p = base(w, "pull_request", action, repo, sender);
  p.number = pr.number;
  p.pull_request = w.sim.render.pull(repo, pr);
  delete p.changes;
  delete p.label;
  return { ...p, ...extra };
}

export function issueCommentPayload(
  w: World,
  repo: SimRepo,
  comment: SimComment,
  action: "created" | "edited" | "deleted",
  opts: { sender?: string; previousBody?: string } = {},
) {
  const p = base(w, "issue_comment", action, repo, opts.sender ?? comment.user.login);
  p.issue = w.sim.render.issue(repo, repo.issues.get(comment.issueNumber) as SimIssue);
  p.comment = w.sim.render.comment(repo, comment);
  if (action === "edited") p.changes = { body: { from: opts.previousBody ?? "" } };
  else delete p.changes;
  return p;
}

export function reviewCommentPayload(w: World, repo: SimRepo, comment: SimReviewComment, action: "created") {
  const p = base(w, "pull_request_review_comment", action, repo, comment.user.login);
  p.pull_request = w.sim.render.pull(repo, repo.issues.get(comment.pullNumber) as SimIssue);
  p.comment = w.sim.render.reviewComment(repo, comment);
  return p;
}

/** A user writes a comment (it appears on GitHub) and GitHub delivers issue_comment.created. */
export async function userComments(
  w: World,
  repo: SimRepo,
  number: number,
  login: string,
  body: string,
  deliveryId?: string,
) {
  const c = w.sim.state.addComment(repo, number, login, body);
  const r = await w.deliver("issue_comment", issueCommentPayload(w, repo, c, "created"), { id: deliveryId });
  return { comment: c, ...r };
}

/** A user edits a comment (e.g. ticks a checkbox) and GitHub delivers issue_comment.edited. */
export async function userEdits(w: World, repo: SimRepo, comment: SimComment, login: string, body: string) {
  const previousBody = comment.body;
  comment.body = body;
  comment.updatedAt = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
  return w.deliver(
    "issue_comment",
    issueCommentPayload(w, repo, comment, "edited", { sender: login, previousBody }),
  );
}
