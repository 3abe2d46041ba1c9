// Pull requests, their files (real diffs), reviews, review comments and merges.
import { anchorProblem, diffHunkFor } from "../anchors.ts";
import { now, type SimIssue, type SimRepo, type SimReviewComment, sha1 } from "../state.ts";
import { bodyTooLong, type Handler, notFound, paginate, type SimRequest } from "../types.ts";

function pullOf(req: SimRequest): SimIssue | undefined {
  const i = req.repo?.issues.get(Number(req.params.pull_number));
  return i?.pull ? i : undefined;
}

function unprocessable(errors: string[]): { status: number; body: unknown } {
  return {
    status: 422,
    body: {
      message: "Unprocessable Entity",
      errors,
      documentation_url:
        "https://docs.github.com/enterprise-server@3.19/rest/pulls/reviews#create-a-review-for-a-pull-request",
      status: "422",
    },
  };
}

export const pullHandlers: Record<string, Handler> = {
  "pulls/get": (req) => {
    const p = pullOf(req);
    return p ? { status: 200, body: req.render.pull(req.repo as SimRepo, p) } : notFound();
  },
  "pulls/list": (req) => {
    const repo = req.repo as SimRepo;
    const state = (req.query.state as string | undefined) ?? "open";
    const head = req.query.head as string | undefined;
    const list = [...repo.issues.values()]
      .filter((i) => i.pull && (state === "all" || i.state === state))
      .filter((i) => !head || `${repo.owner.login}:${i.pull?.head.ref}` === head)
      .sort((a, b) => b.number - a.number);
    return paginate(
      req,
      list.map((i) => req.render.pull(repo, i)),
    );
  },
  "pulls/update": (req) => {
    const repo = req.repo as SimRepo;
    const p = pullOf(req);
    if (!p) return notFound();
    const tooLong = bodyTooLong("PullRequest", req.body.body);
    if (tooLong) return tooLong;
    if (typeof req.body.title === "string") p.title = req.body.title;
    if (req.body.body !== undefined) p.body = req.body.body;
    if (req.body.state === "closed" || req.body.state === "open") {
      p.state = req.body.state;
      p.closedAt = req.body.state === "closed" ? now() : null;
    }
    p.updatedAt = now();
    return { status: 200, body: req.render.pull(repo, p) };
  },
  "pulls/list-files": (req) => {
    const repo = req.repo as SimRepo;
    const p = pullOf(req);
    if (!p?.pull) return notFound();
    const files = p.pull.files.map((f) => ({
      sha: f.sha ?? sha1(`${f.filename}@${p.pull?.head.sha}`),
      filename: f.filename,
      status: f.status,
      additions: f.additions,
      deletions: f.deletions,
      changes: f.changes,
      blob_url: `${req.render.origin}/${repo.fullName}/blob/${p.pull?.head.sha}/${f.filename}`,
      raw_url: `${req.render.origin}/${repo.fullName}/raw/${p.pull?.head.sha}/${f.filename}`,
      contents_url: `${req.render.api}/repos/${repo.fullName}/contents/${f.filename}?ref=${p.pull?.head.sha}`,
      ...(f.patch !== undefined ? { patch: f.patch } : {}),
      ...(f.previous_filename ? { previous_filename: f.previous_filename } : {}),
    }));
    return paginate(req, files);
  },
  "pulls/list-commits": (req) => {
    const repo = req.repo as SimRepo;
    const p = pullOf(req);
    if (!p?.pull) return notFound();
    const base = req.render.example("commit", repo);
    return paginate(
      req,
      p.pull.commits.map((c) => ({ ...base, sha: c.sha, commit: { ...base.commit, message: c.message } })),
    );
  },
  "pulls/list-reviews": (req) => {
    const repo = req.repo as SimRepo;
    const n = Number(req.params.pull_number);
    if (!pullOf(req)) return notFound();
    return paginate(
      req,
      repo.reviews.filter((r) => r.pullNumber === n).map((r) => req.render.review(repo, r)),
    );
  },
  "pulls/create-review": (req) => {
    const repo = req.repo as SimRepo;
    const p = pullOf(req);
    if (!p?.pull) return notFound();
    const tooLong = bodyTooLong("PullRequestReview", req.body.body);
    if (tooLong) return tooLong;
    const event = req.body.event as string | undefined;
    if ((event === "REQUEST_CHANGES" || event === "COMMENT") && !req.body.body && !req.body.comments?.length)
      return unprocessable([`Review body is required for ${event}`]);
    if (event === "REQUEST_CHANGES" && p.user.login === req.actor.login)
      return unprocessable(["Can not request changes on your own pull request"]);
    const comments = (req.body.comments ?? []) as Array<Record<string, any>>;
    const errors: string[] = [];
    for (const c of comments) {
      const file = p.pull.files.find((f) => f.filename === c.path);
      const why = anchorProblem(file?.patch, c as never);
      if (why) errors.push(`${why} (${c.path}:${c.line ?? c.position})`);
      const tl = bodyTooLong("PullRequestReviewComment", c.body);
      if (tl) errors.push("body is too long (maximum is 65536 characters)");
    }
    // One bad anchor rejects the whole review, as on GitHub.
    if (errors.length) return unprocessable(errors);
    const commitId = (req.body.commit_id as string | undefined) ?? p.pull.head.sha;
    const review = {
      id: req.state.nextId(),
      pullNumber: p.number,
      user: req.actor,
      body: String(req.body.body ?? ""),
      state:
        event === "APPROVE"
          ? "APPROVED"
          : event === "REQUEST_CHANGES"
            ? "CHANGES_REQUESTED"
            : event
              ? "COMMENTED"
              : "PENDING",
      commitId,
      submittedAt: now(),
    };
    repo.reviews.push(review);
    for (const c of comments) {
      const file = p.pull.files.find((f) => f.filename === c.path);
      const t = now();
      const rc: SimReviewComment = {
        id: req.state.nextId(),
        pullNumber: p.number,
        reviewId: review.id,
        user: req.actor,
        body: String(c.body),
        path: String(c.path),
        line: c.line ?? null,
        side: c.side ?? "RIGHT",
        startLine: c.start_line ?? null,
        startSide: c.start_line !== undefined ? (c.start_side ?? c.side ?? "RIGHT") : null,
        commitId,
        diffHunk: diffHunkFor(file?.patch, c as never),
        createdAt: t,
        updatedAt: t,
      };
      repo.reviewComments.set(rc.id, rc);
    }
    return { status: 200, body: req.render.review(repo, review) };
  },
  "pulls/list-review-comments": (req) => {
    const repo = req.repo as SimRepo;
    const n = Number(req.params.pull_number);
    if (!pullOf(req)) return notFound();
    const list = [...repo.reviewComments.values()]
      .filter((c) => c.pullNumber === n)
      .sort((a, b) => a.id - b.id);
    return paginate(
      req,
      list.map((c) => req.render.reviewComment(repo, c)),
    );
  },
  "pulls/get-review-comment": (req) => {
    const repo = req.repo as SimRepo;
    const c = repo.reviewComments.get(Number(req.params.comment_id));
    return c ? { status: 200, body: req.render.reviewComment(repo, c) } : notFound();
  },
  "pulls/create-reply-for-review-comment": (req) => {
    const repo = req.repo as SimRepo;
    const parent = repo.reviewComments.get(Number(req.params.comment_id));
    if (!parent || parent.pullNumber !== Number(req.params.pull_number)) return notFound();
    const tooLong = bodyTooLong("PullRequestReviewComment", req.body.body);
    if (tooLong) return tooLong;
    const t = now();
    const reply: SimReviewComment = {
      ...parent,
      id: req.state.nextId(),
      reviewId: req.state.nextId(),
      user: req.actor,
      body: String(req.body.body),
      inReplyToId: parent.inReplyToId ?? parent.id,
      createdAt: t,
      updatedAt: t,
    };
    repo.reviewComments.set(reply.id, reply);
    return { status: 201, body: req.render.reviewComment(repo, reply) };
  },
  "pulls/create": (req) => {
    const repo = req.repo as SimRepo;
    const head = String(req.body.head).replace(/^[^:]+:/, "");
    if (!repo.refs.has(`heads/${head}`))
      return {
        status: 422,
        body: {
          message: "Validation Failed",
          errors: [{ resource: "PullRequest", field: "head", code: "invalid" }],
        },
      };
    const tooLong = bodyTooLong("PullRequest", req.body.body);
    if (tooLong) return tooLong;
    const pr = req.state.openPull(repo, {
      title: String(req.body.title ?? head),
      body: req.body.body ?? null,
      author: req.actor.login,
      head,
      files: [],
      draft: Boolean(req.body.draft),
    });
    return { status: 201, body: req.render.pull(repo, pr) };
  },
  "pulls/merge": (req) => {
    const repo = req.repo as SimRepo;
    const p = pullOf(req);
    if (!p?.pull) return notFound();
    if (p.pull.merged || p.state === "closed")
      return { status: 405, body: { message: "Pull Request is not mergeable", status: "405" } };
    if (req.body.sha !== undefined && req.body.sha !== p.pull.head.sha)
      return {
        status: 409,
        body: { message: "Head branch was modified. Review and try the merge again.", status: "409" },
      };
    const sha = sha1(`merge ${p.pull.head.sha}`);
    p.pull.merged = true;
    p.pull.mergedAt = now();
    p.pull.mergedBy = req.actor;
    p.pull.mergeCommitSha = sha;
    p.state = "closed";
    p.closedAt = p.pull.mergedAt;
    repo.refs.set(`heads/${repo.defaultBranch}`, sha);
    return { status: 200, body: { sha, merged: true, message: "Pull Request successfully merged" } };
  },
};
