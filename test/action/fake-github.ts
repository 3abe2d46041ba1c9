// A small stateful GitHub over nock for the action tests: one repository with a PR and issues, comments
// whose author follows the token (the App's installation token → steward-test[bot]; any other token, as
// a workflow's GITHUB_TOKEN → github-actions[bot]), reviews, reactions, permissions, the PR body, the
// compare API, GraphQL closing references and check runs with appended annotations. Every request is
// recorded, so the App and the action can be run against identical fresh copies and compared.
import nock from "nock";
import { APP_SLUG, GH } from "../helpers/app.ts";

export interface Recorded {
  method: string;
  path: string;
  body?: any;
  login: string;
}

export interface Comment {
  id: number;
  body: string;
  user: { login: string; type: string };
  html_url: string;
  issue_url: string;
  created_at: string;
  updated_at: string;
}

export interface CheckRun {
  id: number;
  name: string;
  head_sha: string;
  external_id: string | null;
  status: string;
  conclusion: string | null;
  output: { title?: string; summary?: string };
  annotations: any[];
  /** One entry per request: how many annotations it carried. */
  batches: number[];
  app: { slug: string };
}

export interface Fake {
  owner: string;
  name: string;
  pr: any;
  files: any[];
  /** base...head → compare answer. */
  compares: Map<string, any>;
  issues: Map<number, any>;
  comments: Map<number, Comment[]>;
  reviews: Array<{ login: string; body: any }>;
  reviewComments: Array<{ id: number; body: string; path: string; line: number; user: any }>;
  checkRuns: CheckRun[];
  permissions: Map<string, string>;
  /** `.github/steward.yml` text, or undefined for none. */
  config: string | undefined;
  requests: Recorded[];
  writes(): Recorded[];
  /** Comment bodies on #n in order (all authors). */
  bodies(n: number): string[];
  stop(): void;
}

let nextId = 50_000;

export const ACTIONS_LOGIN = "github-actions[bot]";
export const APP_LOGIN = `${APP_SLUG}[bot]`;
/** The installation token the App test helpers exchange for. */
const APP_TOKEN = "ghs_test";

function loginFor(req: Request): string {
  const auth = req.headers.get("authorization") ?? "";
  if (auth.includes(APP_TOKEN)) return APP_LOGIN;
  if (/bearer ey/i.test(auth)) return "app-jwt";
  return ACTIONS_LOGIN;
}

export function fakeGitHub(opts: { owner: string; name: string; pr: any; files: any[] }): Fake {
  const base = `/repos/${opts.owner}/${opts.name}`;
  const f: Fake = {
    owner: opts.owner,
    name: opts.name,
    pr: structuredClone(opts.pr),
    files: opts.files,
    compares: new Map(),
    issues: new Map(),
    comments: new Map(),
    reviews: [],
    reviewComments: [],
    checkRuns: [],
    permissions: new Map(),
    config: undefined,
    requests: [],
    writes: () =>
      f.requests.filter(
        (r) => r.method !== "GET" && !r.path.includes("access_tokens") && r.path !== "/graphql",
      ),
    bodies: (n) => (f.comments.get(n) ?? []).map((c) => c.body),
    stop: () => {
      for (const i of interceptors) nock.removeInterceptor(i);
    },
  };
  const list = (n: number): Comment[] => {
    let l = f.comments.get(n);
    if (!l) {
      l = [];
      f.comments.set(n, l);
    }
    return l;
  };
  const findComment = (id: number) => [...f.comments.values()].flat().find((c) => c.id === id);
  const page = <T>(items: T[], url: URL): T[] => {
    const p = Number(url.searchParams.get("page") ?? 1);
    const per = Number(url.searchParams.get("per_page") ?? 30);
    return items.slice((p - 1) * per, p * per);
  };

  function handle(method: string, url: URL, body: any, login: string): [number, any] {
    const path = url.pathname;
    f.requests.push({ method, path: path + url.search, body, login });
    if (/^\/app\/installations\/\d+\/access_tokens$/.test(path))
      return [
        201,
        { token: APP_TOKEN, expires_at: new Date(Date.now() + 3600_000).toISOString(), permissions: {} },
      ];
    if (path.includes("/contents/"))
      return path.startsWith(`${base}/`) && f.config !== undefined
        ? [200, f.config]
        : [404, { message: "Not Found" }];
    if (path === "/graphql")
      return [200, { data: { repository: { pullRequest: { closingIssuesReferences: { nodes: [] } } } } }];
    if (!path.startsWith(base)) return [404, { message: "Not Found" }];
    const rest = path.slice(base.length);
    let m: RegExpExecArray | null = null;
    const at = (re: RegExp) => {
      m = re.exec(rest);
      return m !== null;
    };
    const g = (i: number) => m![i]!;
    if (method === "GET" && rest === "/languages") return [200, { JavaScript: 1000 }];
    if (method === "GET" && at(/^\/collaborators\/([^/]+)\/permission$/)) {
      const p = f.permissions.get(decodeURIComponent(g(1))) ?? "read";
      return [200, { permission: p, role_name: p, user: { login: g(1) } }];
    }
    if (at(/^\/pulls\/(\d+)$/) && Number(g(1)) === f.pr.number) {
      if (method === "PATCH") Object.assign(f.pr, body);
      return [200, f.pr];
    }
    if (method === "GET" && at(/^\/pulls\/(\d+)\/files$/)) return [200, page(f.files, url)];
    if (method === "GET" && at(/^\/compare\/(.+)$/)) {
      const c = f.compares.get(decodeURIComponent(g(1)));
      return c ? [200, c] : [404, { message: "Not Found" }];
    }
    if (at(/^\/pulls\/(\d+)\/reviews$/) && method === "POST") {
      f.reviews.push({ login, body });
      for (const c of body.comments ?? [])
        f.reviewComments.push({
          id: ++nextId,
          body: c.body,
          path: c.path,
          line: c.line,
          user: { login, type: "Bot" },
        });
      return [
        200,
        { id: ++nextId, html_url: `https://github.com${base}/pull/${g(1)}#pullrequestreview-${nextId}` },
      ];
    }
    if (method === "GET" && at(/^\/pulls\/(\d+)\/comments$/)) return [200, page(f.reviewComments, url)];
    if (method === "GET" && rest === "/issues") return [200, page([...f.issues.values()], url)];
    if (method === "GET" && rest === "/issues/comments")
      return [200, page([...f.comments.values()].flat(), url)];
    if (method === "GET" && at(/^\/issues\/(\d+)$/)) {
      const i = f.issues.get(Number(g(1)));
      return i ? [200, i] : [404, { message: "Not Found" }];
    }
    if (at(/^\/issues\/(\d+)\/comments$/)) {
      const n = Number(g(1));
      if (method === "GET") return [200, page(list(n), url)];
      const id = ++nextId;
      const now = new Date().toISOString();
      const c: Comment = {
        id,
        body: body.body,
        user: { login, type: "Bot" },
        html_url: `https://github.com${base}/issues/${n}#issuecomment-${id}`,
        issue_url: `${GH}${base}/issues/${n}`,
        created_at: now,
        updated_at: now,
      };
      list(n).push(c);
      return [201, c];
    }
    if (at(/^\/issues\/comments\/(\d+)$/)) {
      const c = findComment(Number(g(1)));
      if (!c) return [404, { message: "Not Found" }];
      if (method === "PATCH") c.body = body.body;
      return [200, c];
    }
    if (at(/^\/issues\/comments\/(\d+)\/reactions$/)) return [201, { id: 1, content: body?.content }];
    if (at(/^\/issues\/(\d+)\/labels$/) && method === "POST") {
      const i = f.issues.get(Number(g(1)));
      for (const l of body.labels ?? [])
        if (i && !i.labels.some((x: any) => x.name === l)) i.labels.push({ name: l });
      return [200, i?.labels ?? []];
    }
    if (method === "GET" && at(/^\/commits\/([^/]+)\/check-runs$/)) {
      const runs = f.checkRuns.filter(
        (r) =>
          r.head_sha === g(1) &&
          (!url.searchParams.get("check_name") || r.name === url.searchParams.get("check_name")),
      );
      return [200, { total_count: runs.length, check_runs: runs }];
    }
    if (method === "POST" && rest === "/check-runs") {
      const run: CheckRun = {
        id: ++nextId,
        name: body.name,
        head_sha: body.head_sha,
        external_id: body.external_id ?? null,
        status: body.status ?? "queued",
        conclusion: body.conclusion ?? null,
        output: body.output ?? {},
        annotations: [...(body.output?.annotations ?? [])],
        batches: [body.output?.annotations?.length ?? 0],
        app: { slug: login.replace(/\[bot\]$/, "") },
      };
      f.checkRuns.push(run);
      return [201, { ...run, html_url: `https://github.com${base}/runs/${run.id}` }];
    }
    if (at(/^\/check-runs\/(\d+)$/) && method === "PATCH") {
      const run = f.checkRuns.find((r) => r.id === Number(g(1)));
      if (!run) return [404, { message: "Not Found" }];
      if (body.status) run.status = body.status;
      if (body.conclusion) run.conclusion = body.conclusion;
      if (body.output) {
        const { annotations, ...out } = body.output;
        run.output = out;
        run.annotations.push(...(annotations ?? []));
        run.batches.push(annotations?.length ?? 0);
      } else run.batches.push(0);
      return [200, { ...run, html_url: `https://github.com${base}/runs/${run.id}` }];
    }
    if (method === "GET" && at(/^\/check-runs\/(\d+)\/annotations$/)) {
      const run = f.checkRuns.find((r) => r.id === Number(g(1)));
      return [200, page(run?.annotations ?? [], url)];
    }
    return [404, { message: `fake GitHub has no ${method} ${rest}` }];
  }

  const scope = nock(GH).persist();
  const interceptors: nock.Interceptor[] = [];
  for (const method of ["get", "post", "patch", "delete", "put"] as const) {
    const i = scope[method](() => true);
    i.reply((async (req: Request) => {
      try {
        const text = req.method === "GET" || req.method === "DELETE" ? "" : await req.text();
        return handle(req.method, new URL(req.url), text ? JSON.parse(text) : undefined, loginFor(req));
      } catch (err) {
        return [599, { message: `fake GitHub failed: ${String(err)}` }];
      }
    }) as never);
    interceptors.push(i);
  }
  return f;
}
