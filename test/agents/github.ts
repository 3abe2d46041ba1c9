import nock from "nock";
import type { PermissionLevel } from "../../src/agents/commands.ts";
import { APP_SLUG, GH } from "../helpers/app.ts";

// A small stateful GitHub over nock for the end-to-end worker-loop tests: comments are stored and
// listed back (so the gateway's marker upserts behave as on github.com), permissions come from a map
// the test can change mid-flight, and every request is recorded for exact assertions. A request it
// does not know is answered 501 and recorded in `unexpected`.

export interface Req {
  method: string;
  path: string;
  body: any;
}

interface StoredComment {
  id: number;
  issue: number;
  body: string;
  user: { login: string; id: number; type: string };
  performed_via_github_app: { id: number; slug: string } | null;
}

export class FakeGitHub {
  readonly owner: string;
  readonly repo: string;
  requests: Req[] = [];
  unexpected: Req[] = [];
  perms = new Map<string, PermissionLevel>();
  comments = new Map<number, StoredComment>();
  issues = new Map<number, { title: string; body: string; state?: "open" | "closed"; locked?: boolean }>();
  pulls = new Map<number, { sha: string; ref: string }>();
  /** Comment ids GraphQL reports as minimized (`isMinimized`), with the reason. */
  minimized = new Map<number, string>();
  /** The raw `.github/steward.yml`, or undefined for none. */
  config: string | undefined;
  nextId = 70_000;
  /**
   * Awaited before each request is answered: a test can act "during" a GitHub round trip (e.g. a
   * worker polling the API while an approval waits on GitHub).
   */
  onRequest: ((req: Req) => Promise<void>) | null = null;

  constructor(full: string, installationId: number) {
    const [owner, repo] = full.split("/");
    this.owner = owner!;
    this.repo = repo!;
    const scope = nock(GH).persist();
    // nock 15 hands the reply function the fetch Request (one argument: no callback style).
    const handle = (method: string) => async (req: Request) => {
      const url = new URL(req.url);
      const raw = await req.text();
      if (this.onRequest)
        await this.onRequest({
          method,
          path: decodeURIComponent(url.pathname),
          body: raw ? JSON.parse(raw) : undefined,
        });
      return this.route(method, url, raw, installationId);
    };
    for (const m of ["get", "post", "patch", "put", "delete"] as const)
      scope[m](/.*/)
        .optionally()
        .reply(handle(m.toUpperCase()) as never);
  }

  userComment(issue: number, login: string, body: string, id = this.nextId++): StoredComment {
    const c = { id, issue, body, user: { login, id: id + 1, type: "User" }, performed_via_github_app: null };
    this.comments.set(id, c);
    return c;
  }

  own(kind: string): StoredComment[] {
    return [...this.comments.values()].filter((c) => c.body.startsWith(`<!-- steward:${kind} `));
  }

  /** Reads other areas make on the same events are answered 501 and tolerated; writes are not. */
  unexpectedWrites(): Req[] {
    return this.unexpected.filter((r) => r.method !== "GET");
  }

  writes(): Req[] {
    return this.requests.filter(
      (r) => r.method !== "GET" && !r.path.includes("/access_tokens") && r.path !== "/graphql",
    );
  }

  private view(c: StoredComment) {
    return {
      ...c,
      node_id: `IC_node${c.id}`,
      html_url: `https://github.com/${this.owner}/${this.repo}/issues/${c.issue}#issuecomment-${c.id}`,
      created_at: "2025-01-01T00:00:00Z",
      updated_at: "2025-01-01T00:00:00Z",
    };
  }

  route(
    method: string,
    url: URL,
    raw: string,
    installationId: number,
  ): [number, unknown, Record<string, string>?] {
    const path = decodeURIComponent(url.pathname);
    const body = raw ? JSON.parse(raw) : undefined;
    const req = { method, path, body };
    this.requests.push(req);
    const base = `/repos/${this.owner}/${this.repo}`;
    const at = (re: string) => new RegExp(`^${base}${re}$`).exec(path);
    const perm = at("/collaborators/([^/]+)/permission");
    const oneComment = at("/issues/comments/(\\d+)");
    const issueComments = at("/issues/(\\d+)/comments");
    const issue = at("/issues/(\\d+)");
    const pull = at("/pulls/(\\d+)");
    const merge = at("/pulls/(\\d+)/merge");
    if (method === "POST" && path === `/app/installations/${installationId}/access_tokens`)
      return [201, { token: "ghs_test", expires_at: new Date(Date.now() + 3600_000).toISOString() }];
    if (method === "GET" && path.endsWith("/contents/.github/steward.yml")) {
      if (path === `${base}/contents/.github/steward.yml` && this.config !== undefined)
        return [200, this.config, { "content-type": "text/plain; charset=utf-8" }];
      return [404, { message: "Not Found" }];
    }
    if (method === "GET" && perm) {
      const level = this.perms.get(perm[1]!) ?? "read";
      const permission = level === "maintain" ? "write" : level === "triage" ? "read" : level;
      return [200, { permission, role_name: level, user: { login: perm[1] } }];
    }
    if (method === "POST" && path === "/graphql") {
      // Only the minimized lookup is known; the node id is the one view() hands out.
      const id = /^IC_node(\d+)$/.exec(String(body?.variables?.id ?? ""))?.[1];
      const c = id ? this.comments.get(Number(id)) : undefined;
      if (!/isMinimized/.test(String(body?.query)) || !c) {
        this.unexpected.push(req);
        return [200, { data: { node: null } }];
      }
      const reason = this.minimized.get(c.id);
      return [
        200,
        { data: { node: { isMinimized: reason !== undefined, minimizedReason: reason ?? null } } },
      ];
    }
    if (method === "POST" && /\/issues\/comments\/\d+\/reactions$/.test(path))
      return [201, { id: 1, content: body.content }];
    if (oneComment) {
      const c = this.comments.get(Number(oneComment[1]));
      if (!c) return [404, { message: "Not Found" }];
      if (method === "GET") return [200, this.view(c)];
      if (method === "PATCH") {
        c.body = body.body;
        return [200, this.view(c)];
      }
      if (method === "DELETE") {
        this.comments.delete(c.id);
        return [204, ""];
      }
    }
    if (issueComments) {
      const n = Number(issueComments[1]);
      if (method === "GET")
        return [200, [...this.comments.values()].filter((c) => c.issue === n).map((c) => this.view(c))];
      if (method === "POST") {
        const c: StoredComment = {
          id: this.nextId++,
          issue: n,
          body: body.body,
          user: { login: `${APP_SLUG}[bot]`, id: 1, type: "Bot" },
          performed_via_github_app: { id: 1, slug: APP_SLUG },
        };
        this.comments.set(c.id, c);
        return [201, this.view(c)];
      }
    }
    if (method === "GET" && issue) {
      const i = this.issues.get(Number(issue[1]));
      return i
        ? [200, { number: Number(issue[1]), state: "open", locked: false, ...i }]
        : [404, { message: "Not Found" }];
    }
    if (method === "GET" && path === `${base}/pulls`) {
      const head = url.searchParams.get("head") ?? "";
      const open = [...this.pulls.entries()]
        .filter(([, p]) => `${this.owner}:${p.ref}` === head)
        .map(([number, p]) => ({ number, head: { sha: p.sha, ref: p.ref }, base: { ref: "main" } }));
      return [200, open];
    }
    if (method === "GET" && pull) {
      const p = this.pulls.get(Number(pull[1]));
      return p
        ? [200, { number: Number(pull[1]), head: { sha: p.sha, ref: p.ref }, base: { ref: "main" } }]
        : [404, { message: "Not Found" }];
    }
    if (method === "PUT" && merge) {
      // As GitHub: a `sha` that is not the head is refused with 409.
      const pr = this.pulls.get(Number(merge[1]));
      if (!pr) return [404, { message: "Not Found" }];
      if (body?.sha !== undefined && body.sha !== pr.sha)
        return [409, { message: "Head branch was modified. Review and try the merge again." }];
      return [200, { sha: "f00dfeed", merged: true, message: "Pull Request successfully merged" }];
    }
    if (method === "PATCH" && issue) {
      const i = this.issues.get(Number(issue[1]));
      if (!i) return [404, { message: "Not Found" }];
      if (body?.state === "open" || body?.state === "closed") i.state = body.state;
      return [
        200,
        {
          number: Number(issue[1]),
          id: Number(issue[1]),
          html_url: `https://github.com/${this.owner}/${this.repo}/issues/${issue[1]}`,
          state: i.state ?? "open",
        },
      ];
    }
    if (method === "POST" && new RegExp(`^${base}/issues/(\\d+)/labels$`).test(path))
      return [200, (body.labels as string[]).map((name) => ({ name }))];
    this.unexpected.push(req);
    return [501, { message: `fake GitHub does not know ${method} ${path}` }];
  }
}
