// Repositories, contents, collaborator permissions, git refs and trees, comparisons, check runs and the
// App's own endpoints (JWT-authenticated).
import { now, type Permission, type SimCheckRun, type SimRepo, sha1 } from "../state.ts";
import { type Handler, notFound, paginate, type SimRequest, type SimResponse } from "../types.ts";

// GitHub's legacy `permission` field maps maintain to write and triage to read; `role_name` is exact.
const LEGACY: Record<Permission, string> = {
  admin: "admin",
  maintain: "write",
  write: "write",
  triage: "read",
  read: "read",
  none: "none",
};

function permissionOf(repo: SimRepo, login: string): Permission {
  return repo.permissions.get(login) ?? (repo.private ? "none" : "read");
}

export function appJson(req: SimRequest): Record<string, any> {
  const base = req.render.example("integration");
  return {
    ...base,
    id: req.app.id,
    slug: req.app.slug,
    name: req.app.name,
    html_url: `${req.render.origin}/apps/${req.app.slug}`,
    owner: req.render.user(req.state.user("acme")),
  };
}

/**
 * The app a check run belongs to: the App for its installation tokens; for a workflow's GITHUB_TOKEN
 * (`github-actions[bot]`) the GitHub Actions app, as on GitHub.
 */
function checkRunApp(req: SimRequest, run: SimCheckRun): Record<string, any> {
  const app = appJson(req);
  if (run.creator === `${req.app.slug}[bot]`) return app;
  const slug = run.creator.replace(/\[bot\]$/, "");
  return { ...app, id: 15368, slug, name: slug, html_url: `${req.render.origin}/apps/${slug}` };
}

/** GitHub takes at most 50 annotations per request (REST check-runs docs) and answers 422 beyond. */
function annotationLimit(req: SimRequest): SimResponse | undefined {
  const n = req.body?.output?.annotations?.length ?? 0;
  if (n <= 50) return undefined;
  return {
    status: 422,
    body: {
      message: "Validation Failed",
      errors: [{ resource: "CheckRun", field: "annotations", code: "too_many" }],
    },
  };
}

function installationJson(req: SimRequest, id: number): Record<string, any> {
  const base = req.render.example("installation");
  return {
    ...base,
    id,
    app_id: req.app.id,
    app_slug: req.app.slug,
    access_tokens_url: `${req.render.api}/app/installations/${id}/access_tokens`,
    html_url: `${req.render.origin}/settings/installations/${id}`,
  };
}

export const repoHandlers: Record<string, Handler> = {
  "apps/get-authenticated": (req) => ({ status: 200, body: appJson(req) }),
  "apps/get-repo-installation": (req) =>
    req.repo ? { status: 200, body: installationJson(req, req.repo.installationId) } : notFound(),
  "apps/get-installation": (req) => ({
    status: 200,
    body: installationJson(req, Number(req.params.installation_id)),
  }),
  "apps/create-installation-access-token": (req) => {
    const id = Number(req.params.installation_id);
    if (![...req.state.repos.values()].some((r) => r.installationId === id)) return notFound();
    const t = req.issueToken(id);
    const base = req.render.example("installation-token");
    return {
      status: 201,
      body: {
        ...base,
        token: t.token,
        expires_at: t.expiresAt,
        permissions: { issues: "write", pull_requests: "write", contents: "write", metadata: "read" },
        repository_selection: "selected",
        repositories: undefined,
      },
    };
  },
  "repos/get": (req) => (req.repo ? { status: 200, body: req.render.repository(req.repo) } : notFound()),
  "repos/list-languages": (req) => ({ status: 200, body: (req.repo as SimRepo).languages }),
  "repos/get-collaborator-permission-level": (req) => {
    const repo = req.repo as SimRepo;
    const login = req.params.username as string;
    const user = req.state.users.get(login);
    if (!user) return notFound();
    const level = permissionOf(repo, login);
    return {
      status: 200,
      body: {
        permission: LEGACY[level],
        role_name: level,
        user: { ...req.render.user(user), permissions: undefined, role_name: level },
      },
    };
  },
  "repos/get-content": (req) => {
    const repo = req.repo as SimRepo;
    const path = String(req.params.path).replace(/^\/+/, "");
    const text = repo.files.get(path);
    if (text === undefined) return notFound();
    const accept = String(req.headers.accept ?? "");
    if (/vnd\.github(\.v3)?\.raw/.test(accept)) {
      return {
        status: 200,
        raw: text,
        headers: { "content-type": "application/vnd.github.raw; charset=utf-8" },
      };
    }
    const base = req.render.example("content-file", repo);
    const sha = sha1(text);
    return {
      status: 200,
      body: {
        ...base,
        type: "file",
        encoding: "base64",
        size: Buffer.byteLength(text),
        name: path.split("/").at(-1),
        path,
        content: Buffer.from(text).toString("base64"),
        sha,
        url: `${req.render.api}/repos/${repo.fullName}/contents/${path}`,
        html_url: `${req.render.origin}/${repo.fullName}/blob/${repo.defaultBranch}/${path}`,
        download_url: `${req.render.origin}/${repo.fullName}/raw/${repo.defaultBranch}/${path}`,
        git_url: `${req.render.api}/repos/${repo.fullName}/git/blobs/${sha}`,
        target: undefined,
        submodule_git_url: undefined,
      },
    };
  },
  "repos/compare-commits-with-basehead": (req) => {
    const repo = req.repo as SimRepo;
    const [base, head] = String(req.params.basehead).split("...");
    const pr = [...repo.issues.values()].find((i) => i.pull?.commits.some((c) => c.sha === head));
    const pull = pr?.pull;
    const from = pull?.commits.findIndex((c) => c.sha === base) ?? -1;
    const to = pull?.commits.findIndex((c) => c.sha === head) ?? -1;
    if (!pull || from < 0 || to < 0 || !pull.deltas) return notFound();
    const commits = pull.commits.slice(from + 1, to + 1);
    const files = pull.deltas.get(`${base}...${head}`) ?? [];
    const example = req.render.example("commit-comparison", repo);
    const commit = req.render.example("commit", repo);
    return {
      status: 200,
      body: {
        ...example,
        status: "ahead",
        ahead_by: commits.length,
        behind_by: 0,
        total_commits: commits.length,
        commits: commits.map((c) => ({
          ...commit,
          // A comparison's commits carry no per-commit file list.
          files: undefined,
          stats: undefined,
          sha: c.sha,
          commit: { ...commit.commit, message: c.message },
        })),
        files: files.map((f) => ({
          sha: sha1(f.filename + head),
          blob_url: `${req.render.origin}/${repo.fullName}/blob/${head}/${f.filename}`,
          raw_url: `${req.render.origin}/${repo.fullName}/raw/${head}/${f.filename}`,
          contents_url: `${req.render.api}/repos/${repo.fullName}/contents/${f.filename}?ref=${head}`,
          ...f,
        })),
      },
    };
  },
  "git/get-ref": (req) => {
    const repo = req.repo as SimRepo;
    const ref = String(req.params.ref);
    const sha = repo.refs.get(ref);
    if (!sha) return notFound();
    return { status: 200, body: refJson(req, repo, ref, sha) };
  },
  "git/create-ref": (req) => {
    const repo = req.repo as SimRepo;
    const ref = String(req.body.ref).replace(/^refs\//, "");
    if (repo.refs.has(ref))
      return { status: 422, body: { message: "Reference already exists", status: "422" } };
    repo.refs.set(ref, String(req.body.sha));
    return { status: 201, body: refJson(req, repo, ref, String(req.body.sha)) };
  },
  "git/get-tree": (req) => {
    const repo = req.repo as SimRepo;
    const tree = [...repo.files.entries()].map(([path, text]) => ({
      path,
      mode: "100644",
      type: "blob",
      sha: sha1(text),
      size: Buffer.byteLength(text),
      url: `${req.render.api}/repos/${repo.fullName}/git/blobs/${sha1(text)}`,
    }));
    return {
      status: 200,
      body: {
        sha: String(req.params.tree_sha),
        url: `${req.render.api}/repos/${repo.fullName}/git/trees/x`,
        tree,
        truncated: false,
      },
    };
  },
  "checks/create": (req) => {
    const repo = req.repo as SimRepo;
    const t = now();
    const tooMany = annotationLimit(req);
    if (tooMany) return tooMany;
    const { annotations, ...output } = req.body.output ?? {};
    const run = {
      id: req.state.nextId(),
      name: String(req.body.name),
      headSha: String(req.body.head_sha),
      status: req.body.conclusion ? "completed" : (req.body.status ?? "queued"),
      conclusion: req.body.conclusion ?? null,
      output: req.body.output ? output : null,
      externalId: req.body.external_id ?? null,
      detailsUrl: req.body.details_url ?? null,
      startedAt: req.body.started_at ?? t,
      completedAt: req.body.conclusion ? (req.body.completed_at ?? t) : null,
      annotations: [...(annotations ?? [])],
      batches: [annotations?.length ?? 0],
      creator: req.actor.login,
    };
    repo.checkRuns.set(run.id, run);
    return { status: 201, body: req.render.checkRun(repo, run, checkRunApp(req, run)) };
  },
  "checks/update": (req) => {
    const repo = req.repo as SimRepo;
    const run = repo.checkRuns.get(Number(req.params.check_run_id));
    if (!run) return notFound();
    // Only the app that created a run may update it (GitHub answers 403 to any other).
    if (run.creator !== req.actor.login)
      return { status: 403, body: { message: "Resource not accessible by integration" } };
    const tooMany = annotationLimit(req);
    if (tooMany) return tooMany;
    if (req.body.name) run.name = req.body.name;
    if (req.body.status) run.status = req.body.status;
    if (req.body.conclusion) {
      run.conclusion = req.body.conclusion;
      run.status = "completed";
      run.completedAt = req.body.completed_at ?? now();
    }
    if (req.body.output) {
      const { annotations, ...output } = req.body.output;
      run.output = output;
      run.annotations.push(...(annotations ?? []));
    }
    run.batches.push(req.body.output?.annotations?.length ?? 0);
    return { status: 200, body: req.render.checkRun(repo, run, checkRunApp(req, run)) };
  },
  "checks/list-annotations": (req) => {
    const repo = req.repo as SimRepo;
    const run = repo.checkRuns.get(Number(req.params.check_run_id));
    if (!run) return notFound();
    return paginate(
      req,
      run.annotations.map((a) => ({
        path: a.path,
        start_line: a.start_line,
        end_line: a.end_line,
        start_column: a.start_column ?? null,
        end_column: a.end_column ?? null,
        annotation_level: a.annotation_level,
        title: a.title ?? null,
        message: a.message,
        raw_details: a.raw_details ?? null,
        blob_href: `${req.render.origin}/${repo.fullName}/blob/${run.headSha}/${a.path}`,
      })),
    );
  },
  "checks/list-for-ref": (req) => {
    const repo = req.repo as SimRepo;
    const ref = String(req.params.ref);
    const sha = repo.refs.get(`heads/${ref}`) ?? ref;
    const name = req.query.check_name;
    const runs = [...repo.checkRuns.values()].filter(
      (r) => r.headSha === sha && (name === undefined || r.name === name),
    );
    const page = paginate(
      req,
      runs.map((r) => req.render.checkRun(repo, r, checkRunApp(req, r))),
    );
    return { ...page, body: { total_count: runs.length, check_runs: page.body } };
  },
};

function refJson(req: SimRequest, repo: SimRepo, ref: string, sha: string) {
  return {
    ref: `refs/${ref}`,
    node_id: Buffer.from(`03:Ref${repo.id}${ref}`).toString("base64"),
    url: `${req.render.api}/repos/${repo.fullName}/git/refs/${ref}`,
    object: { type: "commit", sha, url: `${req.render.api}/repos/${repo.fullName}/git/commits/${sha}` },
  };
}
