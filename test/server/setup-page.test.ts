import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort, type Proc, spawnSteward, waitFor } from "../helpers/server.ts";

const ROOT = resolve(import.meta.dirname, "../..");

describe("first start without App credentials", () => {
  const dir = mkdtempSync(join(tmpdir(), "steward-setup-"));
  let proc: Proc | undefined;
  afterAll(async () => {
    await proc?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves Probot's setup page, which registers the App from app.yml", async () => {
    // A checkout's app.yml and package.json, and no .env: what a newcomer has after `npm ci`.
    copyFileSync(join(ROOT, "app.yml"), join(dir, "app.yml"));
    copyFileSync(join(ROOT, "package.json"), join(dir, "package.json"));
    const port = await freePort();
    proc = spawnSteward(
      ["serve"],
      { PORT: String(port), HOST: "127.0.0.1", DATABASE_URL: `sqlite:${join(dir, "s.db")}` },
      { cwd: dir },
    );
    const res = await waitFor(async () => {
      if (proc?.child.exitCode !== null) throw new Error(`exited:\n${proc?.output()}`);
      const r = await fetch(`http://127.0.0.1:${port}/probot`);
      return r.ok ? r : undefined;
    }, "the setup page");
    const html = await res.text();
    expect(html).toContain("Register GitHub App");
    // The manifest posted to GitHub carries app.yml's events and least permissions.
    const decoded = html.replace(/&quot;/g, '"').replace(/&#34;/g, '"');
    expect(decoded).toContain(
      '"default_events":["pull_request","pull_request_review_comment","issues","issue_comment","check_run"]',
    );
    expect(decoded).toContain(
      '"default_permissions":{"metadata":"read","pull_requests":"write","issues":"write","checks":"write","contents":"write"}',
    );
  }, 30_000);
});
