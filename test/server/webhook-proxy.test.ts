// WEBHOOK_PROXY_URL as the README promises (issue 10, section 1): `steward serve` connects to the
// smee.io channel through smee-client and forwards each event it receives to its own webhook path.
// A loopback server-sent-events endpoint stands in for smee.io, speaking smee's format (one `message`
// event per delivery, the JSON body next to the original headers).
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server, type ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SqliteDb } from "../../src/store/sqlite.ts";
import { freePort, type Proc, spawnSteward, waitFor, waitHealthy } from "../helpers/server.ts";
import { examplePayload, sign, testPrivateKey } from "../helpers/webhooks.ts";

const SECRET = "proxy-webhook-secret";

describe("WEBHOOK_PROXY_URL (smee.io channel)", () => {
  let dir: string;
  let dbFile: string;
  let proc: Proc;
  let channel: Server;
  const listeners: ServerResponse[] = [];
  let channelUrl: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "steward-proxy-"));
    dbFile = join(dir, "steward.db");
    channel = createServer((req, res) => {
      if (req.method !== "GET" || req.url !== "/steward-test-channel") {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      res.write("event: ready\ndata: {}\n\n");
      listeners.push(res);
    });
    const channelPort = await freePort();
    await new Promise<void>((r) => channel.listen(channelPort, "127.0.0.1", r));
    channelUrl = `http://127.0.0.1:${channelPort}/steward-test-channel`;
    const port = await freePort();
    proc = spawnSteward(["serve"], {
      APP_ID: "12345",
      PRIVATE_KEY: testPrivateKey(),
      WEBHOOK_SECRET: SECRET,
      WEBHOOK_PROXY_URL: channelUrl,
      PORT: String(port),
      HOST: "127.0.0.1",
      DATABASE_URL: `sqlite:${dbFile}`,
      STEWARD_PUSH_DEBOUNCE_MS: "600000",
      GHE_HOST: "127.0.0.1:1",
      GHE_PROTOCOL: "http",
    });
    await waitHealthy(port, proc);
  }, 30_000);

  afterAll(async () => {
    await proc?.stop();
    for (const l of listeners) l.end();
    await new Promise((r) => channel.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it("connects to the channel and a webhook sent through it is received and stored as a job", async () => {
    await waitFor(() => listeners.length > 0 || undefined, "steward to connect to the channel", 20_000);
    expect(proc.output()).not.toContain("npm install --save-dev smee-client");
    const payload = examplePayload("pull_request", "opened");
    const raw = JSON.stringify(payload);
    const message = {
      body: payload,
      "x-github-event": "pull_request",
      "x-github-delivery": "proxied-1",
      "x-hub-signature-256": sign(raw, SECRET),
      host: "smee.io",
      timestamp: Date.now(),
    };
    listeners[0]!.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
    const rows = await waitFor(
      async () => {
        const db = new SqliteDb(dbFile);
        try {
          const r = await db.query<{ kind: string; delivery_id: string }>(
            "SELECT kind, delivery_id FROM jobs WHERE delivery_id = 'proxied-1'",
          );
          return r.length > 0 ? r : undefined;
        } finally {
          await db.close();
        }
      },
      `the proxied delivery to be stored; output:\n${proc.output()}`,
      20_000,
    );
    expect(rows).toEqual([{ kind: "pr.auto", delivery_id: "proxied-1" }]);
  }, 45_000);
});
