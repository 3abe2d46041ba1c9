// Steward's first screen: what Steward is, what registering does (read from the very manifest that
// will be sent, so it cannot drift from app.yml), and what comes next. The form is Probot's: the same
// manifest, POSTed to the same GitHub URL.

export interface SetupForm {
  /** GitHub's create-App URL (github.com or GHE_HOST), with Probot's state. */
  action: string;
  manifest: Record<string, unknown>;
}

const esc = (s: string) =>
  s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");

const PERMISSION_WHY: Record<string, string> = {
  metadata: "required by every App; also the live check of who may run a command",
  pull_requests: "reviews, review comments and the PR description",
  issues: "comments and labels, and the issues it opens for incidents",
  checks: "the “Steward review” check run",
  contents: "reading .github/steward.yml and files; changes only for commands a person approves",
};

export function renderSetupPage(form: SetupForm): string {
  const m = form.manifest;
  const events = Array.isArray(m.default_events) ? (m.default_events as unknown[]).map(String) : [];
  const perms = (m.default_permissions ?? {}) as Record<string, unknown>;
  const hook = String((m.hook_attributes as { url?: unknown } | undefined)?.url ?? "");
  const permRows = Object.entries(perms)
    .map(
      ([k, v]) =>
        `<li><code>${esc(k)}</code>: ${esc(String(v))}${PERMISSION_WHY[k] ? ` — ${esc(PERMISSION_WHY[k])}` : ""}</li>`,
    )
    .join("\n          ");
  return `<!DOCTYPE html>
<html lang="en" data-color-mode="auto" data-light-theme="light" data-dark-theme="dark">
  <head>
    <meta charset="UTF-8">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    <title>Set up Steward</title>
    <link rel="stylesheet" href="/probot/static/primer.css">
  </head>
  <body class="bg-gray-light">
    <div class="container-md p-6">
      <div class="box-shadow rounded-2 border p-6 bg-white">
        <h1>Set up Steward</h1>
        <p class="f4">Steward keeps a repository's work moving: it reviews and describes pull requests,
        answers questions about them, triages new issues and finds duplicates, turns production exceptions
        from your logs into tracked incidents, and runs AI coding workers that change nothing until a person
        approves the exact command.</p>

        <h2 class="mt-4">Register Steward with GitHub</h2>
        <p>Steward talks to GitHub as a GitHub App, which does not exist yet. The button below asks GitHub
        to create it on your account or organisation from this checkout's <code>app.yml</code>; you can
        rename it there. GitHub will send Steward these events: ${events.map((e) => `<code>${esc(e)}</code>`).join(", ") || "none"},
        and give it these permissions:</p>
        <ul class="ml-4">
          ${permRows}
        </ul>
        <p class="mt-2">Deliveries will go to <code>${esc(hook)}</code>. GitHub then brings you back here and
        Steward saves the App's ID, private key and webhook secret in <code>.env</code>. Nothing else is
        written, and nothing is installed on any repository yet.</p>

        <form action="${esc(form.action)}" method="post" target="_blank" class="mt-4">
          <button class="btn btn-primary" name="manifest" id="manifest" value="${esc(JSON.stringify(m))}">Register GitHub App</button>
          <a href="/probot/import" class="ml-2">or use a GitHub App you already registered</a>
        </form>

        <h2 class="mt-5">What comes next</h2>
        <ol class="ml-4">
          <li>Stop Steward and start it again (<code>npm start</code>), so it reads <code>.env</code>.</li>
          <li>Install the App on the repositories (or the organisation) Steward should work on.</li>
          <li>Open a pull request or an issue there: Steward answers within a minute. Comment <code>/help</code>
          to see its commands.</li>
          <li>For reviews and analyses by a model, set <code>LLM_API_KEY</code> (and <code>LLM_BASE_URL</code>,
          <code>LLM_MODEL</code> for a non-OpenAI endpoint). Without it, every part that needs no model still
          runs. Every setting is described in <code>.env.example</code> and the README.</li>
        </ol>
      </div>
    </div>
  </body>
</html>
`;
}
