import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SqliteDb } from "../../src/store/sqlite.ts";
import { freePort, type Proc, spawnSteward, waitHealthy } from "../helpers/server.ts";
import { examplePayload, sign, testPrivateKey } from "../helpers/webhooks.ts";

const SECRET = "test-webhook-secret";

describe("signed deliveries to the real server", () => {
  let dir: string;
  let port: number;
  let proc: Proc;
  let dbFile: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "steward-intake-"));
    dbFile = join(dir, "steward.db");
    port = await freePort();
    proc = spawnSteward(["serve"], {
      APP_ID: "12345",
      PRIVATE_KEY: testPrivateKey(),
      WEBHOOK_SECRET: SECRET,
      PORT: String(port),
      HOST: "127.0.0.1",
      DATABASE_URL: `sqlite:${dbFile}`,
      // The job itself is not under test here: keep the runner from picking it up.
      STEWARD_PUSH_DEBOUNCE_MS: "600000",
      GHE_HOST: "127.0.0.1:1",
      GHE_PROTOCOL: "http",
    });
    await waitHealthy(port, proc);
  });
  afterAll(async () => {
    await proc.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function post(body: string, headers: Record<string, string>) {
    return fetch(`http://127.0.0.1:${port}/api/github/webhooks`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body,
    });
  }

  async function jobRows() {
    const db = new SqliteDb(dbFile);
    try {
      return await db.query<{ kind: string; delivery_id: string; repo: string; target_number: number }>(
        "SELECT kind, delivery_id, repo, target_number FROM jobs WHERE delivery_id IS NOT NULL ORDER BY id",
      );
    } finally {
      await db.close();
    }
  }

  it("acknowledges a signed pull_request.opened with 2xx and stores exactly one job; a redelivery stores none", async () => {
    const payload = examplePayload("pull_request", "opened");
    const body = JSON.stringify(payload);
    const headers = {
      "x-github-event": "pull_request",
      "x-github-delivery": "delivery-1",
      "x-hub-signature-256": sign(body, SECRET),
    };

    const first = await post(body, headers);
    expect(first.status).toBeGreaterThanOrEqual(200);
    expect(first.status).toBeLessThan(300);
    const again = await post(body, headers);
    expect(again.status).toBeLessThan(300);

    const rows = await jobRows();
    expect(rows).toEqual([
      {
        kind: "pr.auto",
        delivery_id: "delivery-1",
        repo: payload.repository.full_name,
        target_number: payload.pull_request.number,
      },
    ]);
  });

  it("rejects a bad signature with 4xx and stores nothing", async () => {
    const body = JSON.stringify(examplePayload("pull_request", "opened"));
    const res = await post(body, {
      "x-github-event": "pull_request",
      "x-github-delivery": "delivery-forged",
      "x-hub-signature-256": sign(body, "wrong-secret"),
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect((await jobRows()).filter((r) => r.delivery_id === "delivery-forged")).toEqual([]);
  });

  it("answers /healthz and /metrics", async () => {
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(await health.json()).toEqual({ status: "ok", store: "sqlite" });
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/steward_webhook_deliveries_total\{event="pull_request",outcome="enqueued"\} 1/);
    expect(metrics).toMatch(/steward_webhook_deliveries_total\{event="pull_request",outcome="duplicate"\} 1/);
    // the PR job plus the hourly housekeeping job
    expect(metrics).toMatch(/steward_jobs\{state="queued"\} \d+/);
  });
});
