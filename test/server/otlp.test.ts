import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SqliteDb } from "../../src/store/sqlite.ts";
import { FakeGitHub } from "../helpers/fake-github.ts";
import { freePort, type Proc, spawnSteward, waitFor, waitHealthy } from "../helpers/server.ts";
import { testPrivateKey } from "../helpers/webhooks.ts";
import { appError, type Encoding, sdkApp } from "../incidents/otlp/sdk.ts";

// The real OpenTelemetry JS SDK and its OTLP/HTTP log exporters (protobuf and JSON packages) against
// a running `steward serve`, with GitHub faked on loopback.

const TOKEN = "otlp-e2e-token";

function env(dir: string, ghPort: number, port: number, extra: Record<string, string> = {}) {
  return {
    APP_ID: "12345",
    APP_SLUG: "steward-test",
    PRIVATE_KEY: testPrivateKey(),
    WEBHOOK_SECRET: "otlp-secret",
    PORT: String(port),
    HOST: "127.0.0.1",
    DATABASE_URL: `sqlite:${join(dir, "steward.db")}`,
    GHE_HOST: `127.0.0.1:${ghPort}`,
    GHE_PROTOCOL: "http",
    STEWARD_INCIDENTS_REPO: "acme/shop",
    STEWARD_INCIDENTS_INSTALLATION_ID: "42",
    STEWARD_OTLP_TOKEN: TOKEN,
    ...extra,
  };
}

async function incidents(dir: string) {
  const db = new SqliteDb(join(dir, "steward.db"));
  try {
    const rows = await db.query<{ service: string; exception_type: string; count: number }>(
      "SELECT service, exception_type, count FROM incidents ORDER BY service, exception_type",
    );
    return rows.map((r) => `${r.service} ${r.exception_type} ${Number(r.count)}`);
  } finally {
    await db.close();
  }
}

/** An app that logs `n` of each error (and some INFO noise) through the SDK's default batching. */
function logErrors(app: ReturnType<typeof sdkApp>, spec: Array<[string, number]>, offset = 0) {
  for (const [type, n] of spec)
    for (let i = 0; i < n; i++) {
      app.exception(
        appError(type, `order ${offset + i} failed`, `handle${type}`, `${type.toLowerCase()}.js`),
      );
      if (i % 3 === 0) app.info(`request ${offset + i} ok`);
    }
}

/**
 * A TCP proxy on loopback between the exporter and Steward. When armed, it kills Steward with
 * SIGKILL the moment Steward starts answering a request — after the batch was committed, before
 * the exporter hears about it — and resets the exporter's connection.
 */
class KillingProxy {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  port = 0;
  target = 0;
  arm: (() => void) | undefined;
  killed = 0;
  constructor() {
    this.#server = createServer((client) => {
      const server = new Socket();
      this.#sockets.add(client);
      this.#sockets.add(server);
      server.connect(this.target, "127.0.0.1");
      client.on("data", (d) => server.write(d));
      server.on("data", (d) => {
        const kill = this.arm;
        if (kill) {
          this.arm = undefined;
          this.killed++;
          kill();
          client.resetAndDestroy();
          server.destroy();
          return;
        }
        client.write(d);
      });
      const close = () => {
        client.destroy();
        server.destroy();
      };
      client.on("close", close);
      server.on("close", close);
      client.on("error", close);
      server.on("error", close);
    });
  }
  async start(target: number): Promise<number> {
    this.target = target;
    await new Promise<void>((r) => this.#server.listen(0, "127.0.0.1", r));
    const a = this.#server.address();
    this.port = typeof a === "object" && a ? a.port : 0;
    return this.port;
  }
  async stop(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((r) => this.#server.close(() => r()));
  }
}

describe("OTLP logs from the OpenTelemetry JS SDK into a running steward serve", () => {
  const dirs: string[] = [];
  const procs: Proc[] = [];
  const gh = new FakeGitHub();
  afterAll(async () => {
    for (const p of procs) await p.stop("SIGKILL");
    await gh.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it.each<Encoding>(["protobuf", "json"])(
    "%s exporter: exceptions become exactly the expected incidents with exact counts",
    async (encoding) => {
      const dir = mkdtempSync(join(tmpdir(), "steward-otlp-"));
      dirs.push(dir);
      const ghPort = gh.port || (await gh.start());
      const port = await freePort();
      const proc = spawnSteward(["serve"], env(dir, ghPort, port));
      procs.push(proc);
      await waitHealthy(port, proc);
      const app = sdkApp({
        url: `http://127.0.0.1:${port}/v1/logs`,
        token: TOKEN,
        encoding,
        service: "checkout",
        compression: encoding === "json" ? "gzip" : "none",
      });
      // 1,200+ records: several export batches at the SDK's default batch size (512).
      logErrors(app, [
        ["TypeError", 600],
        ["DatabaseError", 250],
        ["KeyError", 70],
      ]);
      await app.flush();
      await app.shutdown();
      expect(app.exporter.outcomes.length).toBeGreaterThanOrEqual(3);
      expect(app.exporter.outcomes.filter((o) => o.code !== 0)).toEqual([]);
      expect(await incidents(dir)).toEqual([
        "checkout DatabaseError 250",
        "checkout KeyError 70",
        "checkout TypeError 600",
      ]);
      // A wrong token is refused, and counts nothing.
      const bad = sdkApp({
        url: `http://127.0.0.1:${port}/v1/logs`,
        token: "nope",
        encoding,
        service: "x",
        batch: false,
      });
      bad.exception(appError("TypeError", "x", "f", "f.js"));
      await bad.flush();
      await bad.shutdown();
      expect(bad.exporter.outcomes.map((o) => o.code)).toEqual([1]);
      expect(bad.exporter.outcomes[0]!.error).toContain("Unauthorized");
      expect(await incidents(dir)).toHaveLength(3);
      await proc.stop();
    },
    90_000,
  );

  it("kill -9 after a batch is committed but before it is answered: the exporter retries, counts stay exact", async () => {
    const dir = mkdtempSync(join(tmpdir(), "steward-otlp-kill-"));
    dirs.push(dir);
    const ghPort = gh.port || (await gh.start());
    const port = await freePort();
    const otlpPort = await freePort();
    // The receiver on its own port (STEWARD_OTLP_PORT).
    const e = env(dir, ghPort, port, { STEWARD_OTLP_PORT: String(otlpPort) });
    let proc = spawnSteward(["serve"], e);
    procs.push(proc);
    await waitHealthy(port, proc);
    const proxy = new KillingProxy();
    const proxyPort = await proxy.start(otlpPort);
    const app = sdkApp({
      url: `http://127.0.0.1:${proxyPort}/v1/logs`,
      token: TOKEN,
      encoding: "protobuf",
      service: "payments",
      timeoutMillis: 45_000,
    });
    try {
      logErrors(app, [["CardDeclined", 300]]);
      await app.flush();
      expect(await incidents(dir)).toEqual(["payments CardDeclined 300"]);

      // Mid-stream: the next answer never arrives because Steward dies the instant it starts.
      let killed!: () => void;
      const died = new Promise<void>((r) => {
        killed = r;
      });
      proxy.arm = () => {
        proc.child.kill("SIGKILL");
        killed();
      };
      logErrors(
        app,
        [
          ["CardDeclined", 200],
          ["GatewayTimeout", 150],
        ],
        300,
      );
      const flushed = app.flush();
      await died;
      await proc.exited;
      // The batch that was being answered is committed: the kill came after the commit.
      const afterKill = await incidents(dir);
      expect(afterKill.length).toBeGreaterThan(0);
      // Restart on the same ports while the exporter is retrying (connection refused meanwhile).
      proc = spawnSteward(["serve"], e);
      procs.push(proc);
      await waitHealthy(port, proc);
      await flushed;
      logErrors(app, [["GatewayTimeout", 50]], 1000);
      await app.flush();
      expect(proxy.killed).toBe(1);
      expect(app.exporter.outcomes.filter((o) => o.code !== 0)).toEqual([]);
      expect(await incidents(dir)).toEqual(["payments CardDeclined 500", "payments GatewayTimeout 200"]);
      // The retry was answered from the dedupe record, not counted again.
      await waitFor(
        () => (proc.output().includes("otlp batch already committed") ? true : undefined),
        "dedupe log",
      );
    } finally {
      await app.shutdown();
      await proxy.stop();
    }
  }, 120_000);
});
