import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nock from "nock";
import pino from "pino";
import { ingestOnce } from "../../../src/incidents/ingest.ts";
import type { Db } from "../../../src/store/types.ts";
import { APP_SLUG, GH } from "../../helpers/app.ts";

export const OWNER = "Codertocat";
export const NAME = "Hello-World";
export const REPO = `${OWNER}/${NAME}`;
export const INSTALLATION = 42;

/** Secrets a careless log line carries; none may reach GitHub. */
export const SECRETS = {
  github: "ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8",
  bearer: "eyabcdefghijklmnopqrstuvwxyz0123456789",
  dbPassword: "s3cretPassw0rd",
  password: "hunter2hunter2",
};

const STACK = [
  "TypeError: Cannot read properties of undefined (reading 'total')",
  "    at computeTotal (/srv/shop/src/orders/total.js:42:17)",
  "    at handler (/srv/shop/src/routes/orders.js:10:5)",
  "    at Layer.handle [as handle_request] (/srv/shop/node_modules/express/lib/router/layer.js:95:5)",
  "    at next (/srv/shop/node_modules/express/lib/router/route.js:149:13)",
].join("\n");

/** One pino error record, as an Express app logs a failed request. */
export function pinoError(time: number, o: { release?: string; userId?: number } = {}): string {
  return JSON.stringify({
    level: 50,
    time,
    pid: 7,
    hostname: "web-1",
    name: "shop-api",
    msg: `order ${o.userId ?? 17} failed with token ${SECRETS.github}`,
    req: {
      method: "POST",
      url: "/orders/17/checkout",
      headers: { authorization: `Bearer ${SECRETS.bearer}` },
      body: { password: SECRETS.password },
    },
    res: { statusCode: 500 },
    trace_id: "4bf92f3577b34da6a3ce929d0e0e4736",
    version: o.release ?? "1.4.0",
    db: `postgres://shop:${SECRETS.dbPassword}@db.internal:5432/shop`,
    err: {
      type: "TypeError",
      message: "Cannot read properties of undefined (reading 'total')",
      stack: STACK,
    },
  });
}

export class LogFile {
  readonly dir = mkdtempSync(join(tmpdir(), "steward-inc-gh-"));
  readonly path = join(this.dir, "app.log");
  append(lines: string[]): void {
    appendFileSync(this.path, `${lines.join("\n")}\n`);
  }
  /** Appends `n` error records at `time` and ingests them with the real tailer. */
  async add(db: Db, n: number, time: number, o: { release?: string } = {}): Promise<void> {
    this.append(Array.from({ length: n }, (_, i) => pinoError(time + i, { ...o, userId: 100 + i })));
    await ingestOnce({ db, file: this.path, log: pino({ level: "silent" }), flushMs: 0 });
  }
  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

type Handler = (path: string, body: any) => [number, unknown];

/** nock 15 hands a full reply function the fetch Request; adapt it to (path, parsed body). */
function h(fn: Handler) {
  return async (req: Request) => {
    const u = new URL(req.url);
    const text = await req.text();
    return fn(u.pathname + u.search, text ? JSON.parse(text) : undefined);
  };
}

export interface Call {
  method: string;
  path: string;
  body: any;
}

/**
 * A stateful GitHub stand-in over nock for one repository: issues, their comments (kept, so upserts
 * find their markers again), issue PATCHes, permissions. Every request is recorded in `calls`.
 */
export class FakeRepo {
  readonly calls: Call[] = [];
  readonly comments = new Map<
    number,
    Array<{ id: number; body: string; user: { login: string; type: string } }>
  >();
  readonly issues = new Map<
    number,
    { number: number; title: string; body: string; labels: string[]; state: string }
  >();
  permissions: Record<string, string> = {};
  #nextComment = 5000;
  #nextIssue = 1347;

  /** `config`: the repository's `.github/steward.yml` (YAML); none when absent. */
  constructor(opts: { config?: string } = {}) {
    const base = `/repos/${OWNER}/${NAME}`;
    const rec = (method: string, path: string, body: any) => {
      this.calls.push({ method, path: path.replace(/\?.*$/, ""), body });
    };
    const token = nock(GH)
      .persist()
      .post(`/app/installations/${INSTALLATION}/access_tokens`)
      .reply(201, {
        token: "ghs_test",
        expires_at: new Date(Date.now() + 3600_000).toISOString(),
        permissions: {},
      });
    const configPath = `${base}/contents/${encodeURIComponent(".github/steward.yml")}`;
    if (opts.config === undefined)
      token
        .get(configPath)
        .reply(404, { message: "Not Found" })
        .get(`/repos/${OWNER}/.github/contents/${encodeURIComponent(".github/steward.yml")}`)
        .reply(404, { message: "Not Found" });
    else token.get(configPath).reply(200, opts.config, { "content-type": "text/plain; charset=utf-8" });
    nock(GH)
      .persist()
      .post(`${base}/issues`)
      .reply(
        h((path, body: any) => {
          rec("POST", path, body);
          const number = this.#nextIssue++;
          this.issues.set(number, {
            number,
            title: body.title,
            body: body.body,
            labels: body.labels,
            state: "open",
          });
          return [
            201,
            {
              number,
              id: number * 10,
              html_url: `https://github.com/${REPO}/issues/${number}`,
              state: "open",
            },
          ];
        }),
      )
      .patch(/\/repos\/Codertocat\/Hello-World\/issues\/\d+$/)
      .reply(
        h((path, body: any) => {
          rec("PATCH", path, body);
          const number = Number(path.split("/").pop());
          const issue = this.issues.get(number);
          if (issue && body.state) issue.state = body.state;
          return [
            200,
            {
              number,
              id: number * 10,
              html_url: `https://github.com/${REPO}/issues/${number}`,
              state: body.state ?? "open",
            },
          ];
        }),
      )
      .get(/\/repos\/Codertocat\/Hello-World\/issues\/\d+\/comments/)
      .reply(
        h((path) => {
          rec("GET", path, undefined);
          const number = Number(path.split("/")[5]);
          return [
            200,
            (this.comments.get(number) ?? []).map((c) => ({
              ...c,
              html_url: `https://github.com/c/${c.id}`,
            })),
          ];
        }),
      )
      .post(/\/repos\/Codertocat\/Hello-World\/issues\/\d+\/comments$/)
      .reply(
        h((path, body: any) => {
          rec("POST", path, body);
          const number = Number(path.split("/")[5]);
          const c = {
            id: this.#nextComment++,
            body: body.body,
            user: { login: `${APP_SLUG}[bot]`, type: "Bot" },
          };
          this.comments.set(number, [...(this.comments.get(number) ?? []), c]);
          return [201, { ...c, html_url: `https://github.com/c/${c.id}` }];
        }),
      )
      .patch(/\/repos\/Codertocat\/Hello-World\/issues\/comments\/\d+$/)
      .reply(
        h((path, body: any) => {
          rec("PATCH", path, body);
          const id = Number(path.split("/").pop());
          for (const list of this.comments.values())
            for (const c of list) if (c.id === id) c.body = body.body;
          return [200, { id, body: body.body, html_url: `https://github.com/c/${id}` }];
        }),
      )
      .post(/\/repos\/Codertocat\/Hello-World\/issues\/comments\/\d+\/reactions$/)
      .reply(
        h((path, body: any) => {
          rec("POST", path, body);
          return [201, { id: 1, content: body.content }];
        }),
      )
      .get(/\/repos\/Codertocat\/Hello-World\/collaborators\/[^/]+\/permission$/)
      .reply(
        h((path) => {
          rec("GET", path, undefined);
          const user = decodeURIComponent(path.split("/")[5]!);
          const p = this.permissions[user] ?? "none";
          return [200, { permission: p === "triage" ? "read" : p, role_name: p, user: { login: user } }];
        }),
      );
  }

  /** Calls recorded since `from` (an index into `calls`), as "METHOD path" lines. */
  since(from: number): string[] {
    return this.calls.slice(from).map((c) => `${c.method} ${c.path}`);
  }

  /** Forgets the persisted mocks (they would otherwise outlive the test). */
  done(): void {
    nock.cleanAll();
  }
}
