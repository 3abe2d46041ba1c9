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

  it("serves Steward's setup page, which registers the App from app.yml through Probot's manifest flow", async () => {
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
    // Steward's own words: what it is, what registering does, what comes next; not Probot's stock text.
    expect(html).toContain("<title>Set up Steward</title>");
    expect(html).toContain("Steward keeps a repository's work moving");
    expect(html).toContain(
      "GitHub then brings you back here and\n        Steward saves the App's ID, private key and webhook secret in <code>.env</code>.",
    );
    expect(html).toContain('<h2 class="mt-5">What comes next</h2>');
    expect(html).toContain(
      "Install the App on the repositories (or the organisation) Steward should work on.",
    );
    expect(html).not.toContain("To start building a GitHub App");
    expect(html).not.toContain("built with Probot");
    // The form is Probot's: POSTed to GitHub's create-App URL, which sends the browser back to /probot/setup.
    expect(html).toMatch(/<form action="https:\/\/github\.com\/settings\/apps\/new[^"]*" method="post"/);
    const decodedForm = html.replace(/&quot;/g, '"').replace(/&amp;/g, "&");
    expect(decodedForm).toContain(`"redirect_url":"http://127.0.0.1:${port}/probot/setup"`);
    // Every other step is still Probot's, passed through: the callback without a code, the import page.
    const callback = await fetch(`http://127.0.0.1:${port}/probot/setup`);
    expect(callback.status).toBe(400);
    expect(await callback.text()).toBe("code missing or invalid");
    const imported = await fetch(`http://127.0.0.1:${port}/probot/import`);
    expect(imported.status).toBe(200);
    expect(await imported.text()).toContain("<h2>Use existing Github App</h2>");
    const root = await fetch(`http://127.0.0.1:${port}/`, { redirect: "manual" });
    expect(root.status).toBe(200);
    expect(await root.text()).toContain("<title>Set up Steward</title>");
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
