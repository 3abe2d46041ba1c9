// The GitHub simulator: an HTTP server on loopback that speaks GitHub Enterprise Server's REST API under
// /api/v3 and GraphQL at /api/graphql. Every request is matched to a documented operation and validated
// (see openapi.ts); invalid ones are recorded in `invalid` and answered the way GitHub would (404 for
// an unknown route, 422 for a body that does not validate). Faults and holds can be injected per route.
import { createPublicKey, createVerify, randomBytes, type KeyObject } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { runGraphql } from "./graphql.ts";
import { issueHandlers, reactionHandlers } from "./handlers/issues.ts";
import { pullHandlers } from "./handlers/pulls.ts";
import { repoHandlers } from "./handlers/repos.ts";
import { matchOperation, validateRequest, validateResponse } from "./openapi.ts";
import { Renderer } from "./render.ts";
import { SimState, type SimUser } from "./state.ts";
import type { Handler, InvalidRequest, RequestRecord, SimRequest, SimResponse } from "./types.ts";

const HANDLERS: Record<string, Handler> = {
  ...issueHandlers,
  ...reactionHandlers,
  ...pullHandlers,
  ...repoHandlers,
};

/** Matches a request: METHOD (optional), a path (string: exact; RegExp: tested) or an operationId. */
export interface RouteMatcher {
  method?: string;
  path?: string | RegExp;
  operationId?: string;
}

export interface FaultSpec extends RouteMatcher {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** How many matching requests fail (default 1; Infinity for all). */
  times?: number;
  /** Delay before the answer, in ms. */
  delayMs?: number;
}

export interface Fault {
  readonly spec: FaultSpec;
  /** Requests this fault answered. */
  hits: number;
}

export interface HoldSpec extends RouteMatcher {
  /**
   * "before": the request waits unapplied until released. "after": it is applied, and its answer
   * waits until released (release never → GitHub did the write but the caller never heard back).
   */
  mode?: "before" | "after";
  times?: number;
}

export interface Hold {
  /** Resolves when a matching request arrives (and, for "after", has been applied). */
  readonly arrived: Promise<{ method: string; path: string; body: unknown }>;
  release(): void;
}

interface HoldEntry {
  spec: HoldSpec;
  remaining: number;
  notify: (r: { method: string; path: string; body: unknown }) => void;
  released: Promise<void>;
}

export interface SimulatorOptions {
  appId?: number;
  appSlug?: string;
  /** The App's public key (PEM); JWTs are verified against it. */
  publicKey?: string;
  /** Validate responses against the documented response schema (problems go to `responseProblems`). */
  checkResponses?: boolean;
}

export class GitHubSimulator {
  readonly state = new SimState();
  readonly invalid: InvalidRequest[] = [];
  readonly responseProblems: string[] = [];
  readonly requests: RequestRecord[] = [];
  /** Requests being handled now, and when the last one arrived (for "is Steward quiet?"). */
  inflight = 0;
  lastRequestAt = 0;
  readonly app: { id: number; slug: string; name: string };
  render!: Renderer;
  port = 0;
  #server: Server;
  #publicKey: KeyObject | undefined;
  #faults: Fault[] = [];
  #holds: HoldEntry[] = [];
  #tokens = new Map<string, { installationId?: number; user: SimUser; expiresAt: number }>();
  #checkResponses: boolean;

  constructor(opts: SimulatorOptions = {}) {
    this.app = { id: opts.appId ?? 12345, slug: opts.appSlug ?? "steward-test", name: "Steward (test)" };
    this.#publicKey = opts.publicKey ? createPublicKey(opts.publicKey) : undefined;
    this.#checkResponses = opts.checkResponses ?? true;
    this.#server = createServer((req, res) => {
      this.inflight++;
      this.lastRequestAt = Date.now();
      res.on("close", () => {
        this.inflight--;
      });
      this.#handle(req, res).catch((err) => {
        this.invalid.push({
          method: req.method ?? "",
          url: req.url ?? "",
          problems: [`simulator crashed: ${err?.stack ?? err}`],
        });
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
    this.state.user(`${this.app.slug}[bot]`, "Bot");
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The App's bot login, as Steward's comments are authored. */
  get botLogin(): string {
    return `${this.app.slug}[bot]`;
  }

  async start(): Promise<number> {
    await new Promise<void>((r) => this.#server.listen(0, "127.0.0.1", r));
    const addr = this.#server.address();
    this.port = typeof addr === "object" && addr ? addr.port : 0;
    this.render = new Renderer(this.origin);
    return this.port;
  }

  async stop(): Promise<void> {
    for (const h of this.#holds) h.remaining = 0;
    this.#server.closeAllConnections();
    await new Promise<void>((r) => this.#server.close(() => r()));
  }

  /** Makes matching requests fail with `status` (after validation, before they are applied). */
  fail(spec: FaultSpec): Fault {
    const fault = { spec: { times: 1, ...spec }, hits: 0 };
    this.#faults.push(fault);
    return fault;
  }

  /** Holds matching requests until `release()` (see HoldSpec.mode). */
  hold(spec: HoldSpec): Hold {
    let notify!: HoldEntry["notify"];
    let release!: () => void;
    const arrived = new Promise<{ method: string; path: string; body: unknown }>((r) => {
      notify = r;
    });
    const released = new Promise<void>((r) => {
      release = r;
    });
    this.#holds.push({ spec: { mode: "before", ...spec }, remaining: spec.times ?? 1, notify, released });
    return { arrived, release };
  }

  /** A personal-access-style token acting as `login` (for the CLI, the Action, GITHUB_TOKEN). */
  userToken(login: string): string {
    const token = `ghp_${randomBytes(18).toString("hex")}`;
    this.#tokens.set(token, { user: this.state.user(login), expiresAt: Number.POSITIVE_INFINITY });
    return token;
  }

  /** Requests for `operationId` (e.g. "issues/create-comment"), in order. */
  calls(operationId: string): RequestRecord[] {
    return this.requests.filter((r) => r.operationId === operationId);
  }

  #matches(m: RouteMatcher, method: string, path: string, operationId: string): boolean {
    if (m.method && m.method.toUpperCase() !== method) return false;
    if (m.operationId && m.operationId !== operationId) return false;
    if (typeof m.path === "string" && m.path !== path) return false;
    if (m.path instanceof RegExp && !m.path.test(path)) return false;
    return true;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", this.origin);
    const method = (req.method ?? "GET").toUpperCase();
    let body: unknown;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        this.invalid.push({ method, url: url.pathname, problems: ["body is not JSON"] });
        return this.#send(res, { status: 400, body: { message: "Problems parsing JSON" } });
      }
    }
    if (url.pathname === "/api/graphql" && method === "POST") return this.#graphql(req, res, url, body);
    if (!url.pathname.startsWith("/api/v3/")) {
      this.invalid.push({
        method,
        url: url.pathname,
        problems: ["not under /api/v3 (GitHub Enterprise Server's REST prefix)"],
      });
      return this.#send(res, { status: 404, body: { message: "Not Found" } });
    }
    const path = url.pathname.slice("/api/v3".length);
    const match = matchOperation(method, path);
    if (!match) {
      this.invalid.push({ method, url: path, problems: ["no such operation in GitHub's REST description"] });
      return this.#send(res, { status: 404, body: { message: "Not Found" } });
    }
    const operationId = match.operation.operationId;
    const record: RequestRecord = { method, path, operationId, status: 0, body, at: Date.now() };
    this.requests.push(record);
    const checked = validateRequest(match, url.searchParams, body, text.length > 0);
    if (checked.problems.length) {
      this.invalid.push({ method, url: `${path}${url.search}`, operationId, problems: checked.problems });
      record.status = 422;
      return this.#send(res, {
        status: 422,
        body: { message: "Invalid request.", errors: checked.problems },
      });
    }
    for (const fault of this.#faults) {
      if ((fault.spec.times ?? 1) <= fault.hits || !this.#matches(fault.spec, method, path, operationId))
        continue;
      fault.hits++;
      if (fault.spec.delayMs) await new Promise((r) => setTimeout(r, fault.spec.delayMs));
      record.status = fault.spec.status;
      return this.#send(res, {
        status: fault.spec.status,
        headers: fault.spec.headers,
        body: fault.spec.body ?? { message: `simulated ${fault.spec.status}` },
      });
    }
    const auth = this.#authenticate(req, match.operation.template);
    if ("error" in auth) {
      record.status = auth.error.status;
      return this.#send(res, auth.error);
    }
    const repo =
      match.params.owner && match.params.repo
        ? this.state.repo(match.params.owner, match.params.repo)
        : undefined;
    if (
      match.params.owner &&
      match.params.repo &&
      (!repo || (auth.installationId !== undefined && repo.installationId !== auth.installationId))
    ) {
      record.status = 404;
      return this.#send(res, { status: 404, body: { message: "Not Found" } });
    }
    const handler = HANDLERS[operationId];
    if (!handler) {
      this.invalid.push({
        method,
        url: path,
        operationId,
        problems: [`the simulator does not implement ${operationId}`],
      });
      record.status = 501;
      return this.#send(res, { status: 501, body: { message: `simulator: ${operationId} not implemented` } });
    }
    const hold = this.#holds.find((h) => h.remaining > 0 && this.#matches(h.spec, method, path, operationId));
    if (hold) hold.remaining--;
    if (hold?.spec.mode === "before") {
      hold.notify({ method, path, body });
      await hold.released;
    }
    const simReq: SimRequest = {
      method,
      path,
      operationId,
      params: match.params,
      query: checked.query,
      body: body ?? {},
      headers: req.headers,
      repo,
      actor: auth.user,
      state: this.state,
      render: this.render,
      app: this.app,
      issueToken: (id) => this.#issueToken(id),
    };
    const out = handler(simReq);
    record.status = out.status;
    if (this.#checkResponses && out.raw === undefined && out.status < 300 && out.body !== undefined) {
      for (const p of validateResponse(match, out.status, out.body))
        this.responseProblems.push(`${operationId}: ${p}`);
    }
    if (hold?.spec.mode === "after") {
      hold.notify({ method, path, body });
      await hold.released;
    }
    return this.#send(res, out);
  }

  #graphql(req: IncomingMessage, res: ServerResponse, url: URL, body: unknown): void {
    const auth = this.#authenticate(req, "/graphql");
    if ("error" in auth) {
      this.#send(res, auth.error);
      return;
    }
    const record: RequestRecord = {
      method: "POST",
      path: "/graphql",
      operationId: "graphql",
      status: 200,
      body,
      at: Date.now(),
    };
    this.requests.push(record);
    const fault = this.#faults.find(
      (f) => (f.spec.times ?? 1) > f.hits && this.#matches(f.spec, "POST", "/graphql", "graphql"),
    );
    if (fault) {
      fault.hits++;
      record.status = fault.spec.status;
      this.#send(res, {
        status: fault.spec.status,
        headers: fault.spec.headers,
        body: fault.spec.body ?? {},
      });
      return;
    }
    const out = runGraphql(this.state, this.origin, body);
    if (out.problems.length)
      this.invalid.push({
        method: "POST",
        url: url.pathname,
        operationId: "graphql",
        problems: out.problems,
      });
    record.status = out.status;
    this.#send(res, { status: out.status, body: out.body });
  }

  #issueToken(installationId: number): { token: string; expiresAt: string } {
    const token = `ghs_${randomBytes(18).toString("hex")}`;
    const expiresAt = Date.now() + 3600_000;
    this.#tokens.set(token, { installationId, user: this.state.user(this.botLogin, "Bot"), expiresAt });
    return { token, expiresAt: new Date(expiresAt).toISOString().replace(/\.\d{3}Z$/, "Z") };
  }

  /** JWT for /app routes; installation or user tokens for everything else. */
  #authenticate(
    req: IncomingMessage,
    template: string,
  ): { user: SimUser; installationId?: number } | { error: SimResponse } {
    const header = String(req.headers.authorization ?? "");
    const unauthorized = (message: string) => ({ error: { status: 401, body: { message, status: "401" } } });
    const jwtRoute = template.startsWith("/app") || template.endsWith("/installation");
    const [scheme, credential] = header.split(/\s+/, 2);
    if (!credential) return unauthorized("Requires authentication");
    if (jwtRoute) {
      if (scheme?.toLowerCase() !== "bearer") return unauthorized("A JSON web token could not be decoded");
      const why = this.#verifyJwt(credential);
      return why ? unauthorized(why) : { user: this.state.user(this.botLogin, "Bot") };
    }
    const t = this.#tokens.get(credential);
    if (!t) return unauthorized("Bad credentials");
    if (t.expiresAt < Date.now()) return unauthorized("Bad credentials");
    return { user: t.user, installationId: t.installationId };
  }

  #verifyJwt(jwt: string): string | undefined {
    const [h, p, s] = jwt.split(".");
    if (!h || !p || !s) return "A JSON web token could not be decoded";
    let claims: { iss?: unknown; exp?: number; iat?: number };
    try {
      claims = JSON.parse(Buffer.from(p, "base64url").toString("utf8"));
    } catch {
      return "A JSON web token could not be decoded";
    }
    if (String(claims.iss) !== String(this.app.id)) return "Integration not found";
    const nowSec = Date.now() / 1000;
    if (typeof claims.exp !== "number" || claims.exp < nowSec)
      return "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires";
    if (typeof claims.iat === "number" && claims.exp - claims.iat > 600)
      return "'Expiration time' claim ('exp') is too far in the future";
    if (this.#publicKey) {
      const ok = createVerify("RSA-SHA256")
        .update(`${h}.${p}`)
        .verify(this.#publicKey, Buffer.from(s, "base64url"));
      if (!ok) return "A JSON web token could not be decoded";
    }
    return undefined;
  }

  #send(res: ServerResponse, out: SimResponse): void {
    const headers: Record<string, string> = {
      "x-github-request-id": randomBytes(8).toString("hex").toUpperCase(),
      "x-ratelimit-limit": "5000",
      "x-ratelimit-remaining": "4999",
      "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 3600),
      ...(out.headers ?? {}),
    };
    if (out.raw !== undefined) {
      res.writeHead(out.status, { "content-type": "text/plain; charset=utf-8", ...headers });
      res.end(out.raw);
      return;
    }
    if (out.body === undefined || out.status === 204) {
      res.writeHead(out.status, headers);
      res.end();
      return;
    }
    res.writeHead(out.status, { "content-type": "application/json; charset=utf-8", ...headers });
    res.end(JSON.stringify(out.body));
  }
}
