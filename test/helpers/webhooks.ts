import { createHmac, generateKeyPairSync } from "node:crypto";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const examples: Array<{
  name: string;
  examples: any[];
}> = require("@octokit/webhooks-examples/api.github.com/index.json");

/** A real payload from @octokit/webhooks-examples, deep-copied so tests can edit it. */
export function examplePayload(event: string, action?: string): any {
  const group = examples.find((e) => e.name === event);
  if (!group) throw new Error(`no examples for ${event}`);
  const found = group.examples.find((p) => action === undefined || p.action === action);
  if (!found) throw new Error(`no ${event}.${action} example`);
  return structuredClone(found);
}

export function sign(body: string, secret: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

let cachedKey: string | undefined;
/** A throwaway RSA key for the App's JWT, generated once per test process (never committed). */
export function testPrivateKey(): string {
  cachedKey ??= generateKeyPairSync("rsa", { modulusLength: 2048 })
    .privateKey.export({ type: "pkcs1", format: "pem" })
    .toString();
  return cachedKey;
}
