import { createServer } from "node:http";
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { listIncidents } from "../../../src/incidents/registry.ts";
import { SYNC_EVERY_MS, startIncidentLoop } from "../../../src/tools/incidents/serve.ts";
import { GH, mockInstallationToken, mockNoRepoConfig, testApp } from "../../helpers/app.ts";
import { sqliteTestDb, type TestDb } from "../../helpers/db.ts";
import { freePort } from "../../helpers/server.ts";
import { LogFile, pinoError } from "../../incidents/github/helpers.ts";

async function until<T>(fn: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error("condition not reached");
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("incident loop inside serve", () => {
  let t: TestDb;
  let log: LogFile;
  beforeEach(async () => {
    t = await sqliteTestDb();
    log = new LogFile();
  });
  afterEach(async () => {
    log.cleanup();
    await t.cleanup();
  });

  it("tails STEWARD_INGEST_PATHS, enqueues a sync for a new incident, and schedules the minute tick", async () => {
    log.append([pinoError(Date.now())]);
    // Ingest starts once the target repository's grouping settings are read (none here: defaults).
    mockInstallationToken(42);
    mockNoRepoConfig("acme", "shop");
    const app = testApp(t.db, {
      STEWARD_INGEST_PATHS: log.path,
      STEWARD_INCIDENTS_REPO: "acme/shop",
      STEWARD_INCIDENTS_INSTALLATION_ID: "42",
    });
    const loop = startIncidentLoop(app.services);
    try {
      const [inc] = await until(async () => {
        const l = await listIncidents(t.db);
        return l.length ? l : undefined;
      });
      expect(inc).toMatchObject({ count: 1, service: "shop-api", status: "open" });
      const jobs = await until(async () => {
        const rows = await t.db.query<{ kind: string; dedupe_key: string; run_at: number }>(
          "SELECT kind, dedupe_key, run_at FROM jobs WHERE state = 'queued' ORDER BY dedupe_key",
        );
        return rows.length === 2 ? rows : undefined;
      });
      expect(jobs.map((j) => [j.kind, j.dedupe_key])).toEqual([
        ["incidents.sync", "incidents.sync"],
        ["incidents.sync", "incidents.sync:tick"],
      ]);
      expect(Number(jobs[1]!.run_at) % SYNC_EVERY_MS).toBe(0);
    } finally {
      await loop.stop();
    }
    expect(loop.ingest?.totals.errorLines).toBe(1);
  });

  it("groups each service by its target repository's incidents.in_app and fingerprint_rules", async () => {
    const config = [
      "incidents:",
      "  in_app: ['**/node_modules/@acme/**']",
      "  fingerprint_rules:",
      "    - match: { type: '^TimeoutError$' }",
      "      fingerprint: ['upstream-timeouts']",
    ].join("\n");
    mockInstallationToken(42);
    nock(GH)
      .get(`/repos/acme/shop/contents/${encodeURIComponent(".github/steward.yml")}`)
      .reply(200, config, { "content-type": "text/plain; charset=utf-8" });
    mockNoRepoConfig("acme", "billing");
    // The same four errors from two services: "shop" goes to acme/shop (settings above), "billing"
    // to acme/billing (defaults).
    const err = (service: string, type: string, frames: string[], i: number) =>
      JSON.stringify({
        level: 50,
        time: Date.now() + i,
        name: service,
        msg: "request failed",
        err: {
          type,
          message: `${type} ${i}`,
          stack: [`${type}: x`, ...frames.map((f) => `    at ${f}`)].join("\n"),
        },
      });
    const lines: string[] = [];
    for (const svc of ["shop", "billing"]) {
      // Two timeouts from different call sites.
      lines.push(err(svc, "TimeoutError", ["callA (/srv/app/src/a.js:1:1)"], 1));
      lines.push(err(svc, "TimeoutError", ["callB (/srv/app/src/b.js:1:1)"], 2));
      // Two errors that differ only in a frame inside the vendored @acme SDK.
      lines.push(
        err(
          svc,
          "SdkError",
          ["send (/srv/app/node_modules/@acme/sdk/send.js:1:1)", "run (/srv/app/src/run.js:1:1)"],
          3,
        ),
      );
      lines.push(
        err(
          svc,
          "SdkError",
          ["post (/srv/app/node_modules/@acme/sdk/post.js:1:1)", "run (/srv/app/src/run.js:1:1)"],
          4,
        ),
      );
    }
    log.append(lines);
    const app = testApp(t.db, {
      STEWARD_INGEST_PATHS: log.path,
      STEWARD_INCIDENTS_REPO: "acme/shop",
      STEWARD_INCIDENTS_REPOS: "billing=acme/billing",
      STEWARD_INCIDENTS_INSTALLATION_ID: "42",
    });
    const loop = startIncidentLoop(app.services);
    try {
      await loop.started;
      await until(async () =>
        (await listIncidents(t.db)).reduce((n, i) => n + i.count, 0) === 8 ? true : undefined,
      );
    } finally {
      await loop.stop();
    }
    const groups = (await listIncidents(t.db))
      .map((i) => `${i.service} ${i.exceptionType} ${i.count}`)
      .sort();
    expect(groups).toEqual([
      // Defaults: timeouts split by call site; SDK frames are not in-app, so the SdkErrors merge.
      "billing SdkError 2",
      "billing TimeoutError 1",
      "billing TimeoutError 1",
      // acme/shop's settings: one rule groups all timeouts; the @acme frames are in-app and split them.
      "shop SdkError 1",
      "shop SdkError 1",
      "shop TimeoutError 2",
    ]);
  });

  it("STEWARD_OTLP_TOKEN alone mounts POST /v1/logs on the serve port; STEWARD_OTLP_PORT moves it to its own", async () => {
    const app = testApp(t.db, { STEWARD_OTLP_TOKEN: "tok-1" });
    const loop = startIncidentLoop(app.services);
    try {
      expect(loop.routes).toHaveLength(1);
      expect(loop.otlpServer).toBeUndefined();
      const server = createServer((req, res) => {
        void loop.routes[0]!(req, res, new URL(req.url ?? "/", "http://x")).then((handled) => {
          if (!handled) res.writeHead(404).end();
        });
      });
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
      const port = (server.address() as { port: number }).port;
      const noToken = await fetch(`http://127.0.0.1:${port}/v1/logs`, {
        method: "POST",
        body: "{}",
        headers: { "content-type": "application/json" },
      });
      expect(noToken.status).toBe(401);
      const ok = await fetch(`http://127.0.0.1:${port}/v1/logs`, {
        method: "POST",
        body: "{}",
        headers: { "content-type": "application/json", authorization: "Bearer tok-1" },
      });
      expect(ok.status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/v1/traces`, { method: "POST" })).status).toBe(404);
      server.close();
    } finally {
      await loop.stop();
    }
    const own = await freePort();
    const app2 = testApp(t.db, {
      STEWARD_OTLP_TOKEN: "tok-1",
      STEWARD_OTLP_PORT: String(own),
      HOST: "127.0.0.1",
    });
    const loop2 = startIncidentLoop(app2.services);
    try {
      expect(loop2.routes).toEqual([]);
      await new Promise<void>((r) =>
        loop2.otlpServer!.listening ? r() : loop2.otlpServer!.once("listening", () => r()),
      );
      const r = await fetch(`http://127.0.0.1:${own}/v1/logs`, {
        method: "POST",
        body: "{}",
        headers: { "content-type": "application/json", authorization: "Bearer tok-1" },
      });
      expect(r.status).toBe(200);
    } finally {
      await loop2.stop();
    }
  });

  it("stays out of the job table when nothing is configured", async () => {
    const app = testApp(t.db);
    const loop = startIncidentLoop(app.services);
    await loop.stop();
    expect(loop.ingest).toBeUndefined();
    // No STEWARD_OTLP_TOKEN: no /v1/logs route at all (the server answers 404).
    expect(loop.routes).toEqual([]);
    expect(await t.db.query("SELECT kind FROM jobs")).toEqual([]);
  });
});
