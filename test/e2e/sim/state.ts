// The simulator's world: users, repositories, issues and pull requests, comments, reviews, labels,
// reactions, files on the default branch, refs and check runs. Plain data that tests read to assert what
// a user would see; the REST and GraphQL handlers mutate it the way GitHub would.
import { createHash } from "node:crypto";

export type Permission = "admin" | "maintain" | "write" | "triage" | "read" | "none";

export interface SimUser {
  login: string;
  id: number;
  type: "User" | "Bot";
}

export interface SimLabel {
  id: number;
  name: string;
  color: string;
  description: string | null;
}

export interface SimComment {
  id: number;
  issueNumber: number;
  body: string;
  user: SimUser;
  createdAt: string;
  updatedAt: string;
  /** Set when hidden ("minimized") in the UI. */
  minimizedReason?: string;
}

/** One file of a pull request's diff, as GET /pulls/{n}/files returns it (fixtures/pr/*.files.json). */
export interface SimPullFile {
  filename: string;
  status: string;
  additions: number;
  deletions: number;
  changes: number;
  patch?: string;
  previous_filename?: string;
  sha?: string;
}

export interface SimPull {
  head: { ref: string; sha: string };
  base: { ref: string; sha: string };
  files: SimPullFile[];
  draft: boolean;
  merged: boolean;
  mergedAt: string | null;
  mergeCommitSha: string | null;
  mergedBy: SimUser | null;
  commits: Array<{ sha: string; message: string }>;
  /** What each push changed ("before...after" → files), for GET /compare. */
  deltas?: Map<string, SimPullFile[]>;
}

export interface SimIssue {
  number: number;
  title: string;
  body: string | null;
  state: "open" | "closed";
  stateReason: string | null;
  user: SimUser;
  labels: string[];
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  locked: boolean;
  /** Present when this issue is a pull request. */
  pull?: SimPull;
}

export interface SimReview {
  id: number;
  pullNumber: number;
  user: SimUser;
  body: string;
  state: string;
  commitId: string;
  submittedAt: string;
}

export interface SimReviewComment {
  id: number;
  pullNumber: number;
  reviewId: number;
  user: SimUser;
  body: string;
  path: string;
  line: number | null;
  side: "LEFT" | "RIGHT";
  startLine: number | null;
  startSide: "LEFT" | "RIGHT" | null;
  commitId: string;
  diffHunk: string;
  inReplyToId?: number;
  createdAt: string;
  updatedAt: string;
}

export interface SimReaction {
  id: number;
  user: SimUser;
  content: string;
  /** What was reacted to: an issue, an issue comment or a review comment. */
  subject: { kind: "issue"; number: number } | { kind: "comment" | "review_comment"; id: number };
  createdAt: string;
}

export interface SimCheckRun {
  id: number;
  name: string;
  headSha: string;
  status: string;
  conclusion: string | null;
  output: { title?: string; summary?: string; text?: string } | null;
  externalId: string | null;
  detailsUrl: string | null;
  startedAt: string;
  completedAt: string | null;
  /** Every annotation sent, in order: GitHub appends the annotations of each create/update request. */
  annotations: SimAnnotation[];
  /** How many annotations each create/update request carried. */
  batches: number[];
  /** Who created the run: the App's bot, or e.g. github-actions[bot] for a workflow's token. */
  creator: string;
}

export interface SimAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: string;
  message: string;
  title?: string;
  raw_details?: string;
}

export interface SimRepo {
  id: number;
  owner: SimUser;
  name: string;
  fullName: string;
  defaultBranch: string;
  private: boolean;
  installationId: number;
  /** Files on the default branch (path → text); `.github/steward.yml` lives here. */
  files: Map<string, string>;
  languages: Record<string, number>;
  permissions: Map<string, Permission>;
  labels: Map<string, SimLabel>;
  issues: Map<number, SimIssue>;
  comments: Map<number, SimComment>;
  reviews: SimReview[];
  reviewComments: Map<number, SimReviewComment>;
  reactions: SimReaction[];
  refs: Map<string, string>;
  checkRuns: Map<number, SimCheckRun>;
  nextNumber: number;
}

export const now = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, "Z");

export function sha1(text: string): string {
  return createHash("sha1").update(text).digest("hex");
}

export class SimState {
  readonly users = new Map<string, SimUser>();
  readonly repos = new Map<string, SimRepo>();
  #nextId = 1000;

  nextId(): number {
    return ++this.#nextId;
  }

  user(login: string, type: "User" | "Bot" = login.endsWith("[bot]") ? "Bot" : "User"): SimUser {
    let u = this.users.get(login);
    if (!u) {
      u = { login, id: this.nextId(), type };
      this.users.set(login, u);
    }
    return u;
  }

  addRepo(
    fullName: string,
    opts: { installationId?: number; defaultBranch?: string; private?: boolean } = {},
  ): SimRepo {
    const [owner, name] = fullName.split("/") as [string, string];
    const head = sha1(`${fullName}@init`);
    const repo: SimRepo = {
      id: this.nextId(),
      owner: this.user(owner),
      name,
      fullName,
      defaultBranch: opts.defaultBranch ?? "main",
      private: opts.private ?? false,
      installationId: opts.installationId ?? 1,
      files: new Map(),
      languages: { TypeScript: 10_000 },
      permissions: new Map([[owner, "admin"]]),
      labels: new Map(),
      issues: new Map(),
      comments: new Map(),
      reviews: [],
      reviewComments: new Map(),
      reactions: [],
      refs: new Map([[`heads/${opts.defaultBranch ?? "main"}`, head]]),
      checkRuns: new Map(),
      nextNumber: 1,
    };
    this.repos.set(fullName.toLowerCase(), repo);
    return repo;
  }

  repo(owner: string, name: string): SimRepo | undefined {
    return this.repos.get(`${owner}/${name}`.toLowerCase());
  }

  openIssue(
    repo: SimRepo,
    a: { title: string; body?: string | null; author: string; labels?: string[] },
  ): SimIssue {
    const t = now();
    const issue: SimIssue = {
      number: repo.nextNumber++,
      title: a.title,
      body: a.body ?? null,
      state: "open",
      stateReason: null,
      user: this.user(a.author),
      labels: [],
      createdAt: t,
      updatedAt: t,
      closedAt: null,
      locked: false,
    };
    for (const l of a.labels ?? []) this.ensureLabel(repo, l);
    issue.labels = [...(a.labels ?? [])];
    repo.issues.set(issue.number, issue);
    return issue;
  }

  openPull(
    repo: SimRepo,
    a: {
      title: string;
      body?: string | null;
      author: string;
      head: string;
      files: SimPullFile[];
      draft?: boolean;
    },
  ): SimIssue {
    const issue = this.openIssue(repo, a);
    const baseSha = repo.refs.get(`heads/${repo.defaultBranch}`) as string;
    const headSha = sha1(`${repo.fullName}#${issue.number}@1`);
    issue.pull = {
      head: { ref: a.head, sha: headSha },
      base: { ref: repo.defaultBranch, sha: baseSha },
      files: a.files,
      draft: a.draft ?? false,
      merged: false,
      mergedAt: null,
      mergeCommitSha: null,
      mergedBy: null,
      commits: [{ sha: headSha, message: a.title }],
    };
    repo.refs.set(`heads/${a.head}`, headSha);
    return issue;
  }

  /**
   * A push to the PR's head branch: a new head sha; the PR's files become `files`, and `delta` is what
   * this commit changed (what GET /compare/before...after answers).
   */
  push(
    repo: SimRepo,
    number: number,
    a: { files: SimPullFile[]; delta: SimPullFile[]; message?: string },
  ): { before: string; after: string } {
    const message = a.message ?? "update";
    const pr = repo.issues.get(number)?.pull;
    if (!pr) throw new Error(`#${number} is not a pull request`);
    const before = pr.head.sha;
    const after = sha1(`${before}+${message}+${pr.commits.length}`);
    pr.head.sha = after;
    pr.files = a.files;
    pr.commits.push({ sha: after, message });
    pr.deltas ??= new Map();
    pr.deltas.set(`${before}...${after}`, a.delta);
    repo.refs.set(`heads/${pr.head.ref}`, after);
    return { before, after };
  }

  /** Merges a PR as a user would in the UI (the merge button). */
  merge(repo: SimRepo, number: number, login: string): string {
    const i = repo.issues.get(number);
    if (!i?.pull) throw new Error(`#${number} is not a pull request`);
    const sha = sha1(`merge ${i.pull.head.sha}`);
    const t = now();
    Object.assign(i.pull, { merged: true, mergedAt: t, mergedBy: this.user(login), mergeCommitSha: sha });
    Object.assign(i, { state: "closed", closedAt: t, updatedAt: t });
    repo.refs.set(`heads/${repo.defaultBranch}`, sha);
    return sha;
  }

  addComment(repo: SimRepo, issueNumber: number, login: string, body: string): SimComment {
    const t = now();
    const c: SimComment = {
      id: this.nextId(),
      issueNumber,
      body,
      user: this.user(login),
      createdAt: t,
      updatedAt: t,
    };
    repo.comments.set(c.id, c);
    const issue = repo.issues.get(issueNumber);
    if (issue) issue.updatedAt = t;
    return c;
  }

  ensureLabel(repo: SimRepo, name: string, color = "ededed", description: string | null = null): SimLabel {
    const existing = [...repo.labels.values()].find((l) => l.name.toLowerCase() === name.toLowerCase());
    if (existing) return existing;
    const label = { id: this.nextId(), name, color, description };
    repo.labels.set(name, label);
    return label;
  }

  /** Comments on an issue or PR, oldest first (what the conversation tab shows). */
  commentsOn(repo: SimRepo, issueNumber: number): SimComment[] {
    return [...repo.comments.values()]
      .filter((c) => c.issueNumber === issueNumber)
      .sort((a, b) => a.id - b.id);
  }
}
