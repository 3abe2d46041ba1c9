import { describe, expect, it } from "vitest";
import { loadEnv } from "../../src/config/env.ts";
import { spawnSteward } from "../helpers/server.ts";
import { testPrivateKey } from "../helpers/webhooks.ts";

describe("environment", () => {
  it("parses defaults with no App registered (setup mode)", () => {
    const env = loadEnv({});
    expect(env).toMatchObject({
      appId: undefined,
      port: 3000,
      host: "localhost",
      webhookPath: "/api/github/webhooks",
      databaseUrl: "sqlite:./data/steward.db",
      githubApiUrl: "https://api.github.com",
    });
    expect(env.llm.apiKey).toBeUndefined();
  });

  it.each([
    [{ APP_ID: "abc" }, "APP_ID: expected the numeric App ID from the App's settings page"],
    [{ APP_ID: "12" }, "PRIVATE_KEY or PRIVATE_KEY_PATH: expected the App's PEM private key"],
    [
      { APP_ID: "12", PRIVATE_KEY: "not-a-key" },
      'PRIVATE_KEY: expected a PEM private key ("-----BEGIN RSA PRIVATE KEY-----…") downloaded from the App\'s settings page',
    ],
    [
      { APP_ID: "12", PRIVATE_KEY_PATH: "/nonexistent/key.pem" },
      "PRIVATE_KEY_PATH: expected a readable .pem file, could not read /nonexistent/key.pem",
    ],
    [{ PORT: "http" }, "PORT: expected a TCP port number"],
    [
      { DATABASE_URL: "mysql://x" },
      'DATABASE_URL: expected "sqlite:./data/steward.db" or "postgres://user:pass@host:5432/db", got "mysql:…"',
    ],
    [{ LLM_TIMEOUT_MS: "soon" }, "LLM_TIMEOUT_MS: expected a positive integer number of milliseconds"],
    [{ LOG_LEVEL: "loud" }, "LOG_LEVEL: expected one of trace, debug, info, warn, error, fatal, silent"],
  ])("rejects %o with a message naming the variable", (env, message) => {
    expect(() => loadEnv(env)).toThrow(message);
  });

  it("requires the webhook secret once the App is registered", () => {
    expect(() => loadEnv({ APP_ID: "1", PRIVATE_KEY: testPrivateKey() })).toThrow(
      "WEBHOOK_SECRET: expected the webhook secret set on the App's settings page",
    );
  });

  it("accepts a base64-encoded or \\n-escaped private key", () => {
    const pem = testPrivateKey();
    const b64 = Buffer.from(pem).toString("base64");
    expect(loadEnv({ APP_ID: "1", PRIVATE_KEY: b64, WEBHOOK_SECRET: "s" }).privateKey).toBe(pem.trim());
    expect(
      loadEnv({ APP_ID: "1", PRIVATE_KEY: pem.replace(/\n/g, "\\n"), WEBHOOK_SECRET: "s" }).privateKey,
    ).toBe(pem.trim());
  });

  it("`steward serve` with a bad variable prints one line and exits 1, without echoing the value", async () => {
    const proc = spawnSteward(["serve"], { APP_ID: "12", PRIVATE_KEY: "sk-super-secret-value" });
    expect(await proc.exited).toBe(1);
    const out = proc.output();
    expect(out).toBe(
      'steward serve: PRIVATE_KEY: expected a PEM private key ("-----BEGIN RSA PRIVATE KEY-----…") downloaded from the App\'s settings page\n',
    );
    expect(out).not.toContain("sk-super-secret-value");
  });

  it("`steward worker` without App credentials exits 1 with one line", async () => {
    const proc = spawnSteward(["worker"], {});
    expect(await proc.exited).toBe(1);
    expect(proc.output()).toBe(
      "steward worker: APP_ID: expected the numeric App ID from the App's settings page\n",
    );
  });
});
