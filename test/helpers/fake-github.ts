import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

export interface FakeComment {
  id: number;
  body: string;
  user: { login: string; type: string };
}

/**
 * A tiny GitHub REST stand-in on loopback for tests that run the real Steward process (nock cannot
 * reach into a child process). It serves GitHub Enterprise-style paths under /api/v3 and keeps issue
 * comments in memory. `hold` lets a test freeze a request to kill the process mid-job.
 */
export class FakeGitHub {
  readonly comments = new Map<number, FakeComment[]>();
  readonly requests: string[] = [];
  /** Added before every answer (GitHub's latency), in ms. */
  delayMs = 0;
  /** When it returns true for "METHOD path", the request is applied but never answered. */
  hold: ((route: string) => boolean) | undefined;
  onHold: (() => void) | undefined;
  #server: Server;
  #nextId = 9000;
  port = 0;

  readonly appSlug: string;

  constructor(appSlug = "steward-test") {
    this.appSlug = appSlug;
    this.#server = createServer((req, res) => void this.#handle(req, res));
  }

  async start(): Promise<number> {
    await new Promise<void>((r) => this.#server.listen(0, "127.0.0.1", r));
    const addr = this.#server.address();
    this.port = typeof addr === "object" && addr ? addr.port : 0;
    return this.port;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((r) => this.#server.close(() => r()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    const body = raw ? JSON.parse(raw) : {};
    const url = new URL(req.url ?? "/", "http://x");
    const path = url.pathname.replace(/^\/api\/v3/, "");
    const route = `${req.method} ${path}`;
    this.requests.push(route);
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    const send = (status: number, data: unknown) => {
      if (this.hold?.(route)) {
        this.hold = undefined;
        this.onHold?.();
        return; // applied, never answered
      }
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(data));
    };
    if (req.method === "POST" && /^\/app\/installations\/\d+\/access_tokens$/.test(path)) {
      return send(201, { token: "ghs_fake", expires_at: new Date(Date.now() + 3600_000).toISOString() });
    }
    if (req.method === "GET" && path.includes("/contents/")) return send(404, { message: "Not Found" });
    if (req.method === "POST" && /\/reactions$/.test(path))
      return send(201, { id: 1, content: body.content });
    const listMatch = path.match(/^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/);
    if (listMatch) {
      const n = Number(listMatch[1]);
      const list = this.comments.get(n) ?? [];
      if (req.method === "GET") return send(200, list);
      if (req.method === "POST") {
        const c = {
          id: ++this.#nextId,
          body: String(body.body),
          user: { login: `${this.appSlug}[bot]`, type: "Bot" },
        };
        this.comments.set(n, [...list, c]);
        return send(201, { ...c, html_url: `https://github.com/x/y/issues/${n}#issuecomment-${c.id}` });
      }
    }
    const editMatch = path.match(/^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/);
    if (editMatch && req.method === "PATCH") {
      const id = Number(editMatch[1]);
      for (const list of this.comments.values()) {
        const c = list.find((x) => x.id === id);
        if (c) {
          c.body = String(body.body);
          return send(200, { ...c, html_url: "https://github.com/x" });
        }
      }
      return send(404, { message: "Not Found" });
    }
    return send(404, { message: `fake GitHub has no route for ${route}` });
  }
}
