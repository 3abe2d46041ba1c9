// First start without App credentials. Probot's setup app does the real work (the manifest from
// app.yml, GitHub's manifest flow, writing APP_ID / PRIVATE_KEY / WEBHOOK_SECRET to .env, importing an
// existing App); it runs on a loopback port behind this small front server, which answers the first
// screen a person sees with Steward's own words instead of Probot's "To start building a GitHub App…"
// and passes every other request (the GitHub callback, /probot/import, static files) through as is.
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { run as runProbot } from "probot";
import type { Logger } from "../logger.ts";
import { renderSetupPage, type SetupForm } from "./setup-page.ts";

export interface SetupServer {
  port: number;
  stop(): Promise<void>;
}

async function loopbackPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

/** Probot's own page for this request, to read the manifest and GitHub's create-App URL from its form. */
function stockForm(port: number, req: IncomingMessage): Promise<SetupForm | undefined> {
  return new Promise((resolve, reject) => {
    const r = httpRequest(
      { host: "127.0.0.1", port, path: "/probot", method: "GET", headers: forwardedHeaders(req) },
      (res) => {
        let html = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => {
          if (html.length < 200_000) html += d;
        });
        res.on("end", () => resolve(parseStockForm(html)));
      },
    );
    r.on("error", reject);
    r.end();
  });
}

/** The form Probot renders: `<form action="URL" …>` and the button's `value='MANIFEST'`. */
export function parseStockForm(html: string): SetupForm | undefined {
  // redos-ok: parses the page Probot itself renders for the manifest flow, not outside text; the repeat is bounded ({1,2000})
  const action = /<form action="([^"]{1,2000})"/.exec(html)?.[1];
  const manifest = /id="manifest" value='([^']{1,100000})'/.exec(html)?.[1];
  if (!action || !manifest) return undefined;
  try {
    return { action, manifest: JSON.parse(manifest) as Record<string, unknown> };
  } catch {
    return undefined;
  }
}

// The manifest's URLs come from the request's host, as the browser sees it.
function forwardedHeaders(req: IncomingMessage): Record<string, string> {
  const h: Record<string, string> = {};
  for (const k of ["host", "x-forwarded-host", "x-forwarded-proto", "cookie"]) {
    const v = req.headers[k];
    if (typeof v === "string") h[k] = v;
  }
  return h;
}

function pass(port: number, req: IncomingMessage, res: ServerResponse): void {
  const upstream = httpRequest(
    { host: "127.0.0.1", port, path: req.url, method: req.method, headers: req.headers },
    (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    },
  );
  upstream.on("error", () => {
    if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
    res.end("setup server unavailable\n");
  });
  req.pipe(upstream);
}

export async function startSetup(opts: { host: string; port: number; log: Logger }): Promise<SetupServer> {
  const inner = await loopbackPort();
  // Probot would otherwise open a smee.io channel and register it as the App's webhook URL (it reads
  // this from process.env); the README's way is to set WEBHOOK_PROXY_URL yourself when you want one.
  process.env.NO_SMEE_SETUP ??= "true";
  await runProbot(() => {}, {
    env: { ...process.env, HOST: "127.0.0.1", PORT: String(inner) } as never,
    // Probot's own welcome lines name its loopback port, not the address to open; Steward logs that.
    log: opts.log.child({}, { level: "warn" }),
  });
  const front = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" || (path !== "/" && path !== "/probot")) return pass(inner, req, res);
    void stockForm(inner, req)
      .then((form) => {
        if (!form) return pass(inner, req, res);
        res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(renderSetupPage(form));
      })
      .catch(() => pass(inner, req, res));
  });
  await new Promise<void>((resolve, reject) => {
    front.once("error", reject);
    front.listen(opts.port, opts.host, () => resolve());
  });
  const port = (front.address() as AddressInfo).port;
  opts.log.info(
    { url: `http://${opts.host}:${port}` },
    "no App credentials: open this address to register Steward",
  );
  return {
    port,
    stop: () => new Promise((r) => front.close(() => r())),
  };
}
