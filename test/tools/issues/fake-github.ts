// A small stateful GitHub for the issue-pipeline tests, served over nock: issues, comments (with
// Steward's markers round-tripping), labels, reactions, permissions, PR files, GraphQL and trees.
// Every request is recorded so tests assert the exact calls and bodies a user would see.
import nock from "nock";
import { APP_SLUG, GH } from "../../helpers/app.ts";

export interface Recorded {
  method: string;
  path: string;
  body?: any;
}

export interface FakeComment {
  id: number;
  body: string;
  user: { login: string; type: string };
  html_url: string;
  issue_url: string;
  created_at: string;
  updated_at: string;
}

export interface FakeRepo {
  owner: string;
  name: string;
  issues: Map<number, any>;
  comments: Map<number, FakeComment[]>;
  pullFiles: Map<number, any[]>;
  graphqlClosing: Map<number, number[]>;
  tree: string[];
  permission: string;
  /** `.github/steward.yml` of the repository (YAML text), or undefined for none. */
  config?: string;
  requests: Recorded[];
  /** Requests that change GitHub (everything but GET and the token exchange). */
  writes(): Recorded[];
  /** Steward's comments on an issue, bodies only. */
  stewardComments(number: number): string[];
  stop(): void;
}

let nextComment = 9000;

export function rawIssue(
  owner: string,
  name: string,
  n: number,
  over: Partial<{
    title: string;
    body: string | null;
    labels: string[];
    created_at: string;
    updated_at: string;
    state: string;
    pull_request: any;
    comments: number;
    user: any;
  }> = {},
): any {
  const { labels, ...rest } = over;
  return {
    number: n,
    title: `Issue ${n}`,
    body: "",
    state: "open",
    user: { login: "octocat", type: "User" },
    labels: (labels ?? []).map((l) => ({ name: l })),
    html_url: `https://github.com/${owner}/${name}/issues/${n}`,
    created_at: "2024-01-01T00:00:00Z",
    updated_at: "2024-01-01T00:00:00Z",
    comments: 0,
    ...rest,
  };
}

export function fakeGitHub(owner: string, name: string, installationId = 42): FakeRepo {
  const base = `/repos/${owner}/${name}`;
  const repo: FakeRepo = {
    owner,
    name,
    issues: new Map(),
    comments: new Map(),
    pullFiles: new Map(),
    graphqlClosing: new Map(),
    tree: [],
    permission: "admin",
    requests: [],
    writes: () =>
      repo.requests.filter(
        (r) => r.method !== "GET" && !r.path.includes("access_tokens") && r.path !== "/graphql",
      ),
    stewardComments: (n) =>
      (repo.comments.get(n) ?? []).filter((c) => c.user.type === "Bot").map((c) => c.body),
    stop: () => {
      for (const i of interceptors) nock.removeInterceptor(i);
    },
  };

  const list = (n: number) => {
    let l = repo.comments.get(n);
    if (!l) {
      l = [];
      repo.comments.set(n, l);
    }
    return l;
  };
  const findComment = (id: number) => {
    for (const l of repo.comments.values()) {
      const c = l.find((x) => x.id === id);
      if (c) return c;
    }
    return undefined;
  };

  function handle(method: string, uri: string, body: any): [number, any] {
    const url = new URL(uri, GH);
    const path = url.pathname;
    repo.requests.push({ method, path: path + (url.search || ""), body: body || undefined });
    if (path === `/app/installations/${installationId}/access_tokens`)
      return [
        201,
        { token: "ghs_test", expires_at: new Date(Date.now() + 3600_000).toISOString(), permissions: {} },
      ];
    if (path.endsWith("/contents/.github%2Fsteward.yml") || path.endsWith("/contents/.github/steward.yml"))
      return path.startsWith(base) && repo.config !== undefined
        ? [200, repo.config]
        : [404, { message: "Not Found" }];
    if (path === "/graphql") {
      const n = Number(body?.variables?.number);
      const nodes = (repo.graphqlClosing.get(n) ?? []).map((i) => ({
        number: i,
        repository: { nameWithOwner: `${owner}/${name}` },
      }));
      return [200, { data: { repository: { pullRequest: { closingIssuesReferences: { nodes } } } } }];
    }
    if (!path.startsWith(base)) return [404, { message: "Not Found" }];
    const rest = path.slice(base.length);
    let m: string[] = [];
    const at = (re: RegExp): boolean => {
      m = re.exec(rest) ?? [];
      return m.length > 0;
    };
    if (method === "GET" && rest === "")
      return [200, { full_name: `${owner}/${name}`, default_branch: "main" }];
    if (method === "GET" && at(/^\/git\/trees\/(.+)$/))
      return [
        200,
        { sha: "t", truncated: false, tree: repo.tree.map((p) => ({ path: p, type: "blob", sha: "x" })) },
      ];
    if (method === "GET" && at(/^\/collaborators\/([^/]+)\/permission$/))
      return [200, { permission: repo.permission, role_name: repo.permission, user: { login: m[1] } }];
    if (method === "GET" && rest === "/issues") {
      const page = Number(url.searchParams.get("page") ?? 1);
      const per = Number(url.searchParams.get("per_page") ?? 30);
      const since = url.searchParams.get("since");
      let all = [...repo.issues.values()].sort((a, b) => a.number - b.number);
      if (since) all = all.filter((i) => Date.parse(i.updated_at) >= Date.parse(since));
      return [200, all.slice((page - 1) * per, page * per)];
    }
    if (method === "GET" && rest === "/issues/comments") {
      const page = Number(url.searchParams.get("page") ?? 1);
      const per = Number(url.searchParams.get("per_page") ?? 30);
      const all = [...repo.comments.values()].flat().sort((a, b) => a.id - b.id);
      return [200, all.slice((page - 1) * per, page * per)];
    }
    if (at(/^\/issues\/(\d+)$/) && method === "GET") {
      const issue = repo.issues.get(Number(m[1]));
      return issue ? [200, issue] : [404, { message: "Not Found" }];
    }
    if (at(/^\/issues\/(\d+)\/comments$/)) {
      const n = Number(m[1]);
      if (method === "GET") return [200, list(n)];
      const c: FakeComment = {
        id: ++nextComment,
        body: body.body,
        user: { login: `${APP_SLUG}[bot]`, type: "Bot" },
        html_url: `https://github.com/${owner}/${name}/issues/${n}#issuecomment-${nextComment}`,
        issue_url: `${GH}${base}/issues/${n}`,
        created_at: new Date().toISOString(),
        updated_at: new Date().toISOString(),
      };
      list(n).push(c);
      return [201, c];
    }
    if (at(/^\/issues\/comments\/(\d+)$/)) {
      const c = findComment(Number(m[1]));
      if (!c) return [404, { message: "Not Found" }];
      if (method === "PATCH") c.body = body.body;
      return [200, c];
    }
    if (at(/^\/issues\/comments\/(\d+)\/reactions$/)) return [201, { id: 1, content: body?.content }];
    if (at(/^\/issues\/(\d+)\/labels$/) && method === "POST") {
      const issue = repo.issues.get(Number(m[1]));
      const names: string[] = body.labels ?? [];
      if (issue)
        for (const l of names)
          if (!issue.labels.some((x: any) => x.name === l)) issue.labels.push({ name: l });
      return [200, issue?.labels ?? []];
    }
    if (at(/^\/issues\/(\d+)\/labels\/(.+)$/) && method === "DELETE") {
      const issue = repo.issues.get(Number(m[1]));
      const label = decodeURIComponent(m[2]!);
      if (issue) issue.labels = issue.labels.filter((x: any) => x.name !== label);
      return [200, issue?.labels ?? []];
    }
    if (at(/^\/pulls\/(\d+)$/) && method === "GET") {
      const issue = repo.issues.get(Number(m[1]));
      return issue
        ? [200, { ...issue, head: { sha: "head" }, base: { sha: "base" } }]
        : [404, { message: "Not Found" }];
    }
    if (at(/^\/pulls\/(\d+)\/files$/) && method === "GET") {
      const page = Number(url.searchParams.get("page") ?? 1);
      return [200, page === 1 ? (repo.pullFiles.get(Number(m[1])) ?? []) : []];
    }
    return [404, { message: `fake GitHub has no ${method} ${rest}` }];
  }

  const scope = nock(GH).persist();
  const interceptors: nock.Interceptor[] = [];
  for (const method of ["get", "post", "patch", "delete", "put"] as const) {
    const i = scope[method](() => true);
    // nock 15 hands reply functions the fetch Request.
    i.reply((async (req: Request) => {
      try {
        const text = req.method === "GET" || req.method === "DELETE" ? "" : await req.text();
        return handle(req.method, req.url, text ? JSON.parse(text) : undefined);
      } catch (err) {
        return [599, { message: `fake GitHub failed: ${String(err)}` }];
      }
    }) as never);
    interceptors.push(i);
  }
  return repo;
}
