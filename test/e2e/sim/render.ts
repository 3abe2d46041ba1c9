// REST shapes as GitHub returns them. Each starts from the example GitHub publishes in its own REST
// description (so every field GitHub sends is there, with GitHub's types), rewritten to the simulator's
// host, then overlaid with the simulator's state.
import { createRequire } from "node:module";
import { DESCRIPTION } from "./openapi.ts";
import type {
  SimCheckRun,
  SimComment,
  SimIssue,
  SimLabel,
  SimReaction,
  SimRepo,
  SimReview,
  SimReviewComment,
  SimUser,
} from "./state.ts";

const require = createRequire(import.meta.url);
type Json = Record<string, any>;
let examples: Json | undefined;

export class Renderer {
  /** e.g. http://127.0.0.1:40123 (the GHES web host); the API is under /api/v3. */
  readonly origin: string;
  readonly api: string;
  readonly #cache = new Map<string, string>();

  constructor(origin: string) {
    this.origin = origin;
    this.api = `${origin}/api/v3`;
  }

  /** GitHub's published example `name`, with github.com URLs rewritten to this host. */
  example(name: string, repo?: SimRepo): Json {
    examples ??= (require(`@octokit/openapi/generated/${DESCRIPTION}.json`) as Json).components.examples;
    let text = this.#cache.get(name);
    if (!text) {
      const value = examples?.[name]?.value;
      if (value === undefined) throw new Error(`no example ${name} in ${DESCRIPTION}`);
      text = JSON.stringify(value)
        .replaceAll("https://api.github.com", this.api)
        .replaceAll("https://HOSTNAME", this.api)
        .replaceAll("https://github.com", this.origin);
      this.#cache.set(name, text);
    }
    const filled = repo ? text.replaceAll("octocat/Hello-World", repo.fullName) : text;
    return JSON.parse(filled);
  }

  user(u: SimUser): Json {
    const base = this.example("simple-user");
    const login = encodeURIComponent(u.login);
    return {
      ...base,
      login: u.login,
      id: u.id,
      node_id: Buffer.from(`04:User${u.id}`).toString("base64"),
      url: `${this.api}/users/${login}`,
      html_url: `${this.origin}/${login}`,
      type: u.type,
      site_admin: false,
    };
  }

  repository(r: SimRepo): Json {
    const base = this.example("full-repository", r);
    return {
      ...base,
      id: r.id,
      node_id: Buffer.from(`010:Repository${r.id}`).toString("base64"),
      name: r.name,
      full_name: r.fullName,
      owner: this.user(r.owner),
      private: r.private,
      visibility: r.private ? "private" : "public",
      default_branch: r.defaultBranch,
      has_discussions: false,
      html_url: `${this.origin}/${r.fullName}`,
      url: `${this.api}/repos/${r.fullName}`,
      open_issues_count: [...r.issues.values()].filter((i) => i.state === "open").length,
      parent: undefined,
      source: undefined,
      template_repository: undefined,
      organization: undefined,
    };
  }

  label(r: SimRepo, l: SimLabel): Json {
    return {
      id: l.id,
      node_id: Buffer.from(`05:Label${l.id}`).toString("base64"),
      url: `${this.api}/repos/${r.fullName}/labels/${encodeURIComponent(l.name)}`,
      name: l.name,
      description: l.description,
      color: l.color,
      default: false,
    };
  }

  #labels(r: SimRepo, names: string[]): Json[] {
    return names.map((n) => r.labels.get(n)).flatMap((l) => (l ? [this.label(r, l)] : []));
  }

  issue(r: SimRepo, i: SimIssue): Json {
    const base = this.example("issue", r);
    const comments = [...r.comments.values()].filter((c) => c.issueNumber === i.number).length;
    const out: Json = {
      ...base,
      id: 10_000_000 + r.id * 1000 + i.number,
      node_id: Buffer.from(`05:Issue${r.id}-${i.number}`).toString("base64"),
      url: `${this.api}/repos/${r.fullName}/issues/${i.number}`,
      html_url: `${this.origin}/${r.fullName}/${i.pull ? "pull" : "issues"}/${i.number}`,
      number: i.number,
      state: i.state,
      state_reason: i.stateReason,
      title: i.title,
      body: i.body,
      user: this.user(i.user),
      labels: this.#labels(r, i.labels),
      assignee: null,
      assignees: [],
      milestone: null,
      locked: i.locked,
      comments,
      closed_at: i.closedAt,
      created_at: i.createdAt,
      updated_at: i.updatedAt,
      closed_by: null,
      author_association: r.permissions.has(i.user.login) ? "COLLABORATOR" : "NONE",
      repository: undefined,
    };
    if (i.pull) {
      out.pull_request = {
        url: `${this.api}/repos/${r.fullName}/pulls/${i.number}`,
        html_url: `${this.origin}/${r.fullName}/pull/${i.number}`,
        diff_url: `${this.origin}/${r.fullName}/pull/${i.number}.diff`,
        patch_url: `${this.origin}/${r.fullName}/pull/${i.number}.patch`,
        merged_at: i.pull.mergedAt,
      };
    } else delete out.pull_request;
    return out;
  }

  pull(r: SimRepo, i: SimIssue): Json {
    const p = i.pull;
    if (!p) throw new Error(`#${i.number} is not a pull request`);
    const base = this.example("pull-request", r);
    const repo = this.repository(r);
    const sum = (k: "additions" | "deletions") => p.files.reduce((n, f) => n + f[k], 0);
    const prUrl = `${this.api}/repos/${r.fullName}/pulls/${i.number}`;
    return {
      ...base,
      id: 20_000_000 + r.id * 1000 + i.number,
      node_id: Buffer.from(`011:PullRequest${r.id}-${i.number}`).toString("base64"),
      url: prUrl,
      html_url: `${this.origin}/${r.fullName}/pull/${i.number}`,
      issue_url: `${this.api}/repos/${r.fullName}/issues/${i.number}`,
      number: i.number,
      state: i.state,
      locked: i.locked,
      title: i.title,
      body: i.body,
      user: this.user(i.user),
      labels: this.#labels(r, i.labels),
      milestone: null,
      assignee: null,
      assignees: [],
      requested_reviewers: [],
      requested_teams: [],
      draft: p.draft,
      created_at: i.createdAt,
      updated_at: i.updatedAt,
      closed_at: i.closedAt,
      merged_at: p.mergedAt,
      merged: p.merged,
      merged_by: p.mergedBy ? this.user(p.mergedBy) : null,
      merge_commit_sha: p.mergeCommitSha,
      mergeable: p.merged ? null : true,
      mergeable_state: p.merged ? "unknown" : "clean",
      head: {
        ...base.head,
        label: `${r.owner.login}:${p.head.ref}`,
        ref: p.head.ref,
        sha: p.head.sha,
        user: this.user(r.owner),
        repo,
      },
      base: {
        ...base.base,
        label: `${r.owner.login}:${p.base.ref}`,
        ref: p.base.ref,
        sha: p.base.sha,
        user: this.user(r.owner),
        repo,
      },
      commits: p.commits.length,
      additions: sum("additions"),
      deletions: sum("deletions"),
      changed_files: p.files.length,
      comments: [...r.comments.values()].filter((c) => c.issueNumber === i.number).length,
      review_comments: [...r.reviewComments.values()].filter((c) => c.pullNumber === i.number).length,
      author_association: r.permissions.has(i.user.login) ? "COLLABORATOR" : "NONE",
      auto_merge: null,
    };
  }

  comment(r: SimRepo, c: SimComment): Json {
    const base = this.example("issue-comment", r);
    const isPull = Boolean(r.issues.get(c.issueNumber)?.pull);
    return {
      ...base,
      id: c.id,
      node_id: Buffer.from(`012:IssueComment${c.id}`).toString("base64"),
      url: `${this.api}/repos/${r.fullName}/issues/comments/${c.id}`,
      html_url: `${this.origin}/${r.fullName}/${isPull ? "pull" : "issues"}/${c.issueNumber}#issuecomment-${c.id}`,
      issue_url: `${this.api}/repos/${r.fullName}/issues/${c.issueNumber}`,
      body: c.body,
      user: this.user(c.user),
      created_at: c.createdAt,
      updated_at: c.updatedAt,
      author_association: r.permissions.has(c.user.login) ? "COLLABORATOR" : "NONE",
      pin: undefined,
      minimized: undefined,
    };
  }

  review(r: SimRepo, v: SimReview): Json {
    const base = this.example("pull-request-review", r);
    return {
      ...base,
      id: v.id,
      node_id: Buffer.from(`017:PullRequestReview${v.id}`).toString("base64"),
      user: this.user(v.user),
      body: v.body,
      state: v.state,
      html_url: `${this.origin}/${r.fullName}/pull/${v.pullNumber}#pullrequestreview-${v.id}`,
      pull_request_url: `${this.api}/repos/${r.fullName}/pulls/${v.pullNumber}`,
      commit_id: v.commitId,
      submitted_at: v.submittedAt,
      author_association: r.permissions.has(v.user.login) ? "COLLABORATOR" : "NONE",
    };
  }

  reviewComment(r: SimRepo, c: SimReviewComment): Json {
    const base = this.example("pull-request-review-comment", r);
    return {
      ...base,
      id: c.id,
      node_id: Buffer.from(`024:PullRequestReviewComment${c.id}`).toString("base64"),
      url: `${this.api}/repos/${r.fullName}/pulls/comments/${c.id}`,
      pull_request_review_id: c.reviewId,
      diff_hunk: c.diffHunk,
      path: c.path,
      position: c.line,
      original_position: c.line,
      commit_id: c.commitId,
      original_commit_id: c.commitId,
      in_reply_to_id: c.inReplyToId,
      user: this.user(c.user),
      body: c.body,
      created_at: c.createdAt,
      updated_at: c.updatedAt,
      html_url: `${this.origin}/${r.fullName}/pull/${c.pullNumber}#discussion_r${c.id}`,
      pull_request_url: `${this.api}/repos/${r.fullName}/pulls/${c.pullNumber}`,
      author_association: r.permissions.has(c.user.login) ? "COLLABORATOR" : "NONE",
      start_line: c.startLine,
      original_start_line: c.startLine,
      start_side: c.startSide,
      line: c.line ?? undefined,
      original_line: c.line ?? undefined,
      side: c.side,
      subject_type: "line",
      reactions: undefined,
      body_html: undefined,
      body_text: undefined,
    };
  }

  reaction(v: SimReaction): Json {
    return {
      id: v.id,
      node_id: Buffer.from(`08:Reaction${v.id}`).toString("base64"),
      user: this.user(v.user),
      content: v.content,
      created_at: v.createdAt,
    };
  }

  checkRun(r: SimRepo, c: SimCheckRun, app: Json): Json {
    const base = this.example("check-run", r);
    return {
      ...base,
      id: c.id,
      node_id: Buffer.from(`08:CheckRun${c.id}`).toString("base64"),
      name: c.name,
      head_sha: c.headSha,
      status: c.status,
      conclusion: c.conclusion,
      started_at: c.startedAt,
      completed_at: c.completedAt,
      external_id: c.externalId,
      details_url: c.detailsUrl,
      url: `${this.api}/repos/${r.fullName}/check-runs/${c.id}`,
      html_url: `${this.origin}/${r.fullName}/runs/${c.id}`,
      output: {
        title: c.output?.title ?? null,
        summary: c.output?.summary ?? null,
        text: c.output?.text ?? null,
        annotations_count: c.annotations.length,
        annotations_url: `${this.api}/repos/${r.fullName}/check-runs/${c.id}/annotations`,
      },
      app,
      pull_requests: [],
    };
  }
}
