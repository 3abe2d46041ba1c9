// What `steward serve` prints (issue 10, defect 9): a forged webhook is one warning line, JSON lines
// carry one `name`, LOG_FORMAT=pretty is readable, and a bad or busy port is one line without a stack.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, type Proc, spawnSteward, waitFor, waitHealthy } from "../helpers/server.ts";
import { examplePayload, sign, testPrivateKey } from "../helpers/webhooks.ts";

const SECRET = "output-webhook-secret";

function baseEnv(dir: string, port: number): Record<string, string> {
  return {
    APP_ID: "12345",
    PRIVATE_KEY: testPrivateKey(),
    WEBHOOK_SECRET: SECRET,
    PORT: String(port),
    HOST: "127.0.0.1",
    DATABASE_URL: `sqlite:${join(dir, "steward.db")}`,
    GHE_HOST: "127.0.0.1:1",
    GHE_PROTOCOL: "http",
  };
}

describe("steward serve output", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "steward-output-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  describe("JSON logs", () => {
    let proc: Proc;
    let port: number;
    beforeAll(async () => {
      port = await freePort();
      proc = spawnSteward(["serve"], baseEnv(dir, port));
      await waitHealthy(port, proc);
    }, 30_000);
    afterAll(async () => {
      await proc.stop();
    });

    it("a forged delivery is rejected with one warning line and no stack trace", async () => {
      const body = JSON.stringify(examplePayload("pull_request", "opened"));
      const before = proc.output().length;
      const res = await fetch(`http://127.0.0.1:${port}/api/github/webhooks`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-github-event": "pull_request",
          "x-github-delivery": "forged-1",
          "x-hub-signature-256": sign(body, "not-the-secret"),
        },
        body,
      });
      expect(res.status).toBe(400);
      await waitFor(
        () => proc.output().slice(before).includes('"statusCode":400') || undefined,
        "the request log",
      );
      const lines = proc
        .output()
        .slice(before)
        .split("\n")
        .filter((l) => l.trim());
      const about = lines.filter((l) => JSON.parse(l).level >= 40);
      expect(about).toHaveLength(1);
      expect(JSON.parse(about[0]!)).toEqual({
        level: 40,
        time: expect.any(Number),
        name: "steward/probot/event",
        deliveryId: "forged-1",
        event: "pull_request",
        msg: "webhook rejected: signature does not match WEBHOOK_SECRET",
      });
      const all = lines.join("\n");
      expect(all).not.toContain("stack");
      expect(all.length).toBeLessThan(2_000);
    });

    it("every line is JSON with at most one name key", () => {
      const lines = proc
        .output()
        .split("\n")
        .filter((l) => l.trim());
      expect(lines.length).toBeGreaterThan(3);
      for (const l of lines) {
        expect(() => JSON.parse(l)).not.toThrow();
        expect(l.split('"name":').length - 1).toBeLessThanOrEqual(1);
      }
    });
  });

  it("LOG_FORMAT=pretty prints readable lines", async () => {
    const port = await freePort();
    const proc = spawnSteward(["serve"], { ...baseEnv(dir, port), LOG_FORMAT: "pretty" });
    try {
      await waitHealthy(port, proc);
      await waitFor(() => proc.output().includes("steward started") || undefined, "the start line");
      expect(proc.output()).toMatch(/^\[\d{2}:\d{2}:\d{2}\.\d{3}\] INFO \(steward\): Running Probot v/m);
      expect(proc.output()).toMatch(/INFO \(steward\): steward started\n {4}role: "serve"/);
      expect(proc.output()).not.toContain('{"level"');
    } finally {
      await proc.stop();
    }
  }, 30_000);

  it("PORT=70000 is one line naming the variable, exit 1", async () => {
    const proc = spawnSteward(["serve"], { ...baseEnv(dir, 70000) });
    expect(await proc.exited).toBe(1);
    expect(proc.output()).toBe("steward serve: PORT: expected a TCP port number (1-65535)\n");
  });

  it("a busy port is one error line without a stack, exit 1", async () => {
    const busy = createServer();
    const port = await freePort();
    await new Promise<void>((r) => busy.listen(port, "127.0.0.1", r));
    try {
      const proc = spawnSteward(["serve"], baseEnv(dir, port));
      expect(await proc.exited).toBe(1);
      const out = proc.output();
      expect(out).toContain(
        `steward serve: Port ${port} is already in use. You can define the PORT environment variable to use a different port.\n`,
      );
      expect(out).not.toContain("stack");
      expect(out).not.toMatch(/^\s+at /m);
      const errors = out
        .split("\n")
        .filter((l) => l.startsWith("steward serve:") || l.includes('"level":50'));
      expect(errors).toHaveLength(1);
    } finally {
      await new Promise((r) => busy.close(r));
    }
  }, 30_000);
});
