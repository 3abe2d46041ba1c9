// Issues, issue comments, labels and reactions, as GitHub answers them.
import { now, type SimIssue, type SimRepo } from "../state.ts";
import {
  bodyTooLong,
  type Handler,
  notFound,
  paginate,
  type SimRequest,
  validationFailed,
} from "../types.ts";

function issueOf(req: SimRequest): SimIssue | undefined {
  return req.repo?.issues.get(Number(req.params.issue_number));
}

function touch(i: SimIssue): void {
  i.updatedAt = now();
}

function labelNames(raw: unknown): string[] {
  if (!Array.isArray(raw)) return [];
  return raw.map((l) => (typeof l === "string" ? l : String((l as { name?: unknown }).name ?? "")));
}

function addLabelsTo(req: SimRequest, repo: SimRepo, issue: SimIssue, names: string[]) {
  for (const name of names) {
    if (name.length > 50)
      return validationFailed("Label", "name", "invalid", "name is too long (maximum is 50 characters)");
  }
  for (const name of names) {
    const label = req.state.ensureLabel(repo, name);
    if (!issue.labels.includes(label.name)) issue.labels.push(label.name);
  }
  touch(issue);
  return undefined;
}

function sortIssues(req: SimRequest, list: SimIssue[]): SimIssue[] {
  const key = req.query.sort === "updated" ? "updatedAt" : "createdAt";
  const dir = req.query.direction === "asc" ? 1 : -1;
  return [...list].sort((a, b) =>
    a[key] < b[key] ? -dir : a[key] > b[key] ? dir : (a.number - b.number) * dir,
  );
}

export const issueHandlers: Record<string, Handler> = {
  "issues/get": (req) => {
    const i = issueOf(req);
    return i && req.repo ? { status: 200, body: req.render.issue(req.repo, i) } : notFound();
  },
  "issues/list-for-repo": (req) => {
    const repo = req.repo as SimRepo;
    const state = (req.query.state as string | undefined) ?? "open";
    const labels = typeof req.query.labels === "string" ? req.query.labels.split(",").filter(Boolean) : [];
    const since = req.query.since as string | undefined;
    let list = [...repo.issues.values()].filter((i) => state === "all" || i.state === state);
    list = list.filter((i) => labels.every((l) => i.labels.includes(l)));
    if (since) list = list.filter((i) => i.updatedAt >= since);
    return paginate(
      req,
      sortIssues(req, list).map((i) => req.render.issue(repo, i)),
    );
  },
  "issues/create": (req) => {
    const repo = req.repo as SimRepo;
    const tooLong = bodyTooLong("Issue", req.body.body);
    if (tooLong) return tooLong;
    if (typeof req.body.title === "string" && req.body.title.length > 256)
      return validationFailed("Issue", "title", "custom", "title is too long (maximum is 256 characters)");
    const issue = req.state.openIssue(repo, {
      title: String(req.body.title),
      body: req.body.body ?? null,
      author: req.actor.login,
    });
    const bad = addLabelsTo(req, repo, issue, labelNames(req.body.labels));
    if (bad) return bad;
    return { status: 201, body: req.render.issue(repo, issue) };
  },
  "issues/update": (req) => {
    const repo = req.repo as SimRepo;
    const i = issueOf(req);
    if (!i) return notFound();
    const tooLong = bodyTooLong("Issue", req.body.body);
    if (tooLong) return tooLong;
    if (typeof req.body.title === "string") i.title = req.body.title;
    if (req.body.body !== undefined) i.body = req.body.body;
    if (req.body.state === "closed" && i.state === "open") {
      i.state = "closed";
      i.closedAt = now();
      i.stateReason = req.body.state_reason ?? "completed";
    } else if (req.body.state === "open" && i.state === "closed") {
      i.state = "open";
      i.closedAt = null;
      i.stateReason = "reopened";
    }
    if (req.body.labels !== undefined) {
      i.labels = [];
      const bad = addLabelsTo(req, repo, i, labelNames(req.body.labels));
      if (bad) return bad;
    }
    touch(i);
    return { status: 200, body: req.render.issue(repo, i) };
  },
  "issues/list-comments": (req) => {
    const repo = req.repo as SimRepo;
    if (!issueOf(req)) return notFound();
    const since = req.query.since as string | undefined;
    const list = req.state
      .commentsOn(repo, Number(req.params.issue_number))
      .filter((c) => !since || c.updatedAt >= since);
    return paginate(
      req,
      list.map((c) => req.render.comment(repo, c)),
    );
  },
  "issues/list-comments-for-repo": (req) => {
    const repo = req.repo as SimRepo;
    const since = req.query.since as string | undefined;
    const dir = req.query.direction === "desc" ? -1 : 1;
    const list = [...repo.comments.values()]
      .filter((c) => !since || c.updatedAt >= since)
      .sort((a, b) => (a.id - b.id) * dir);
    return paginate(
      req,
      list.map((c) => req.render.comment(repo, c)),
    );
  },
  "issues/get-comment": (req) => {
    const repo = req.repo as SimRepo;
    const c = repo.comments.get(Number(req.params.comment_id));
    return c ? { status: 200, body: req.render.comment(repo, c) } : notFound();
  },
  "issues/create-comment": (req) => {
    const repo = req.repo as SimRepo;
    const i = issueOf(req);
    if (!i) return notFound();
    if (i.locked)
      return { status: 403, body: { message: "Unable to create comment because issue is locked." } };
    const tooLong = bodyTooLong("IssueComment", req.body.body);
    if (tooLong) return tooLong;
    const c = req.state.addComment(repo, i.number, req.actor.login, String(req.body.body));
    return { status: 201, body: req.render.comment(repo, c) };
  },
  "issues/update-comment": (req) => {
    const repo = req.repo as SimRepo;
    const c = repo.comments.get(Number(req.params.comment_id));
    if (!c) return notFound();
    const tooLong = bodyTooLong("IssueComment", req.body.body);
    if (tooLong) return tooLong;
    c.body = String(req.body.body);
    c.updatedAt = now();
    return { status: 200, body: req.render.comment(repo, c) };
  },
  "issues/delete-comment": (req) => {
    const repo = req.repo as SimRepo;
    return repo.comments.delete(Number(req.params.comment_id)) ? { status: 204 } : notFound();
  },
  "issues/add-labels": (req) => {
    const repo = req.repo as SimRepo;
    const i = issueOf(req);
    if (!i) return notFound();
    const raw = Array.isArray(req.body) ? req.body : req.body.labels;
    const bad = addLabelsTo(req, repo, i, labelNames(raw));
    if (bad) return bad;
    return { status: 200, body: i.labels.map((n) => req.render.label(repo, repo.labels.get(n) as never)) };
  },
  "issues/remove-label": (req) => {
    const repo = req.repo as SimRepo;
    const i = issueOf(req);
    if (!i) return notFound();
    const name = req.params.name as string;
    const idx = i.labels.findIndex((l) => l.toLowerCase() === name.toLowerCase());
    if (idx < 0) return { status: 404, body: { message: "Label does not exist", status: "404" } };
    i.labels.splice(idx, 1);
    touch(i);
    return { status: 200, body: i.labels.map((n) => req.render.label(repo, repo.labels.get(n) as never)) };
  },
  "issues/get-label": (req) => {
    const repo = req.repo as SimRepo;
    const l = [...repo.labels.values()].find(
      (x) => x.name.toLowerCase() === String(req.params.name).toLowerCase(),
    );
    return l ? { status: 200, body: req.render.label(repo, l) } : notFound();
  },
  "issues/create-label": (req) => {
    const repo = req.repo as SimRepo;
    const name = String(req.body.name);
    if ([...repo.labels.values()].some((l) => l.name.toLowerCase() === name.toLowerCase()))
      return validationFailed("Label", "name", "already_exists");
    if (name.length > 50)
      return validationFailed("Label", "name", "invalid", "name is too long (maximum is 50 characters)");
    const l = req.state.ensureLabel(repo, name, req.body.color ?? "ededed", req.body.description ?? null);
    return { status: 201, body: req.render.label(repo, l) };
  },
  "issues/list-labels-for-repo": (req) => {
    const repo = req.repo as SimRepo;
    return paginate(
      req,
      [...repo.labels.values()].map((l) => req.render.label(repo, l)),
    );
  },
  "issues/list-labels-on-issue": (req) => {
    const repo = req.repo as SimRepo;
    const i = issueOf(req);
    if (!i) return notFound();
    return paginate(
      req,
      i.labels.map((n) => req.render.label(repo, repo.labels.get(n) as never)),
    );
  },
};

function react(
  req: SimRequest,
  subject: { kind: "issue"; number: number } | { kind: "comment" | "review_comment"; id: number },
) {
  const repo = req.repo as SimRepo;
  const exists =
    subject.kind === "issue"
      ? repo.issues.has(subject.number)
      : subject.kind === "comment"
        ? repo.comments.has(subject.id)
        : repo.reviewComments.has(subject.id);
  if (!exists) return notFound();
  const content = String(req.body.content);
  const same = repo.reactions.find(
    (r) =>
      r.user.login === req.actor.login &&
      r.content === content &&
      r.subject.kind === subject.kind &&
      JSON.stringify(r.subject) === JSON.stringify(subject),
  );
  // GitHub answers 200 with the existing reaction when the same user reacts the same way again.
  if (same) return { status: 200, body: req.render.reaction(same) };
  const r = { id: req.state.nextId(), user: req.actor, content, subject, createdAt: now() };
  repo.reactions.push(r);
  return { status: 201, body: req.render.reaction(r) };
}

export const reactionHandlers: Record<string, Handler> = {
  "reactions/create-for-issue": (req) =>
    react(req, { kind: "issue", number: Number(req.params.issue_number) }),
  "reactions/create-for-issue-comment": (req) =>
    react(req, { kind: "comment", id: Number(req.params.comment_id) }),
  "reactions/create-for-pull-request-review-comment": (req) =>
    react(req, { kind: "review_comment", id: Number(req.params.comment_id) }),
};
