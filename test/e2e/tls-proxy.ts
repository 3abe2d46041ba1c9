// A fake Slack / Lark webhook endpoint for the e2e suite, reached the way a real one is: over HTTPS on
// its real host name. Steward only accepts https://hooks.slack.com/… and https://open.feishu.cn/… (or
// open.larksuite.com) URLs, so instead of loosening that, the test starts `steward serve` with
// HTTPS_PROXY pointing at a local CONNECT proxy that tunnels every CONNECT to a local HTTPS server
// whose certificate (for those hosts) is signed by a throwaway CA given in NODE_EXTRA_CA_CERTS.
// NODE_USE_ENV_PROXY=1 makes Node 24's fetch honour HTTPS_PROXY.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const FAKE_HOSTS = ["hooks.slack.com", "open.feishu.cn", "open.larksuite.com"] as const;

export interface ReceivedHook {
  host: string;
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json: unknown;
}

export interface ChatFake {
  /** Requests the HTTPS server received, in order. */
  readonly received: ReceivedHook[];
  /** `host:port` of every CONNECT the proxy tunnelled. */
  readonly connects: string[];
  /** For `steward serve`'s environment. */
  readonly env: Record<string, string>;
  stop(): Promise<void>;
}

function openssl(dir: string, args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
}

/** A throwaway CA and a server certificate for FAKE_HOSTS, in a temp dir. */
function makeCerts(dir: string): { ca: string; key: string; cert: string } {
  openssl(dir, [
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
    "-days",
    "2",
    "-subj",
    "/CN=steward e2e throwaway CA",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  ]);
  openssl(dir, [
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "server.key",
    "-out",
    "server.csr",
    "-subj",
    `/CN=${FAKE_HOSTS[0]}`,
  ]);
  writeFileSync(
    join(dir, "ext.cnf"),
    [
      "basicConstraints=CA:FALSE",
      "keyUsage=critical,digitalSignature,keyEncipherment",
      "extendedKeyUsage=serverAuth",
      `subjectAltName=${FAKE_HOSTS.map((h) => `DNS:${h}`).join(",")}`,
      "",
    ].join("\n"),
  );
  openssl(dir, [
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    "server.pem",
    "-days",
    "2",
    "-sha256",
    "-extfile",
    "ext.cnf",
  ]);
  return {
    ca: join(dir, "ca.pem"),
    key: readFileSync(join(dir, "server.key"), "utf8"),
    cert: readFileSync(join(dir, "server.pem"), "utf8"),
  };
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const addr = server.address();
      resolve(typeof addr === "object" && addr ? addr.port : 0);
    });
  });
}

export async function startChatFake(): Promise<ChatFake> {
  const dir = mkdtempSync(join(tmpdir(), "steward-e2e-tls-"));
  const certs = makeCerts(dir);
  const received: ReceivedHook[] = [];
  const connects: string[] = [];
  const sockets = new Set<Socket>();

  const https = createHttpsServer({ key: certs.key, cert: certs.cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      const host = (req.headers.host ?? "").replace(/:\d+$/, "");
      received.push({
        host,
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body,
        json,
      });
      if (host === "hooks.slack.com") {
        // Slack's incoming webhooks answer 200 "ok" as text/plain.
        res.writeHead(200, { "content-type": "text/plain" }).end("ok");
      } else {
        res
          .writeHead(200, { "content-type": "application/json" })
          .end(JSON.stringify({ code: 0, data: {}, msg: "success" }));
      }
    });
  });
  const httpsPort = await listen(https as unknown as Server);

  const proxy = createHttpServer((_req, res) => {
    res.writeHead(405).end("CONNECT only");
  });
  proxy.on("connect", (req, client: Socket, head: Buffer) => {
    connects.push(req.url ?? "");
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    const upstream = connect(httpsPort, "127.0.0.1", () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on("close", () => sockets.delete(upstream));
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
  });
  const proxyPort = await listen(proxy);

  const proxyUrl = `http://127.0.0.1:${proxyPort}`;
  return {
    received,
    connects,
    env: {
      HTTPS_PROXY: proxyUrl,
      https_proxy: proxyUrl,
      // The simulator and the LLM fake are plain HTTP on loopback: never through the proxy.
      NO_PROXY: "127.0.0.1,localhost",
      no_proxy: "127.0.0.1,localhost",
      NODE_USE_ENV_PROXY: "1",
      NODE_EXTRA_CA_CERTS: certs.ca,
    },
    async stop() {
      for (const s of sockets) s.destroy();
      https.closeAllConnections();
      proxy.closeAllConnections();
      await Promise.all([
        new Promise<void>((r) => https.close(() => r())),
        new Promise<void>((r) => proxy.close(() => r())),
      ]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
