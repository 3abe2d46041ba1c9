// Issue texts for the pipeline tests. The YAML crash reports are modelled on real js-yaml reports
// (tabs in indentation); the good bug report follows the repository's issue form.
import { examplePayload } from "../../helpers/webhooks.ts";
import { type FakeRepo, rawIssue } from "./fake-github.ts";

export const TRACE = [
  "```",
  "YAMLException: end of the stream or a document separator is expected at line 3, column 1",
  "    at generateError (node_modules/js-yaml/lib/loader.js:183:10)",
  "    at throwError (node_modules/js-yaml/lib/loader.js:187:9)",
  "    at readDocument (node_modules/js-yaml/lib/loader.js:1545:5)",
  "    at loadDocuments (node_modules/js-yaml/lib/loader.js:1588:5)",
  "    at loadConfig (src/config/load.ts:42:17)",
  "```",
].join("\n");

export const GOOD_BODY = [
  "### Describe the bug",
  "Loading a config file that uses tabs for indentation crashes the CLI with a YAMLException.",
  "",
  "### Steps to reproduce",
  "1. Create `steward.yml` indented with tabs",
  "2. Run `steward config check`",
  "3. See the crash",
  "",
  "### Expected behaviour",
  "A clear message saying tabs are not allowed in YAML indentation.",
  "",
  "### Actual behaviour",
  "The process crashes with an uncaught exception:",
  TRACE,
  "",
  "### Environment",
  "- steward 1.4.2",
  "- Node.js v22.3.0",
  "- macOS 14.5",
  "",
  "### Minimal reproduction",
  "https://github.com/someone/yaml-tabs-repro",
].join("\n");

export const POOR_BODY = `The CLI crashes with a YAMLException when loading my config file indented with tabs:\n${TRACE}`;

/** A real `issues.opened` payload, moved to the fake repository and given our text. */
export function openedPayload(
  repo: FakeRepo,
  n: number,
  title: string,
  body: string | null,
  createdAt: string,
) {
  const p = examplePayload("issues", "opened");
  p.installation = { id: 42 };
  p.repository.full_name = `${repo.owner}/${repo.name}`;
  p.repository.name = repo.name;
  p.repository.owner.login = repo.owner;
  Object.assign(p.issue, {
    number: n,
    title,
    body,
    created_at: createdAt,
    updated_at: createdAt,
    labels: [],
  });
  return p;
}

export function editedPayload(repo: FakeRepo, n: number, title: string, body: string, updatedAt: string) {
  const p = examplePayload("issues", "edited");
  p.installation = { id: 42 };
  p.repository.full_name = `${repo.owner}/${repo.name}`;
  p.repository.name = repo.name;
  p.repository.owner.login = repo.owner;
  Object.assign(p.issue, { number: n, title, body, updated_at: updatedAt, labels: [] });
  p.sender.login = p.issue.user.login;
  return p;
}

/** Earlier issues and a fix PR: #10 is the same crash, #11 fixes it, #12 is unrelated. */
export function seedCorpus(repo: FakeRepo): void {
  const { owner, name } = repo;
  repo.issues.set(
    10,
    rawIssue(owner, name, 10, {
      title: "CLI crashes with YAMLException when config file is indented with tabs",
      body: `Loading steward.yml indented with tabs crashes:\n${TRACE}`,
      created_at: "2023-03-01T10:00:00Z",
      updated_at: "2023-03-02T10:00:00Z",
      state: "closed",
      comments: 1,
    }),
  );
  repo.issues.set(
    11,
    rawIssue(owner, name, 11, {
      title: "Reject tab indentation in config with a clear error",
      body: "Fixes #10. Tabs in YAML indentation now give a readable error instead of a YAMLException.",
      created_at: "2023-03-03T10:00:00Z",
      updated_at: "2023-03-04T10:00:00Z",
      state: "closed",
      pull_request: { merged_at: "2023-03-04T10:00:00Z", url: "x" },
    }),
  );
  repo.issues.set(
    12,
    rawIssue(owner, name, 12, {
      title: "Add dark mode to the dashboard",
      body: "It would be nice to have a dark theme for the web dashboard pages.",
      created_at: "2023-05-01T10:00:00Z",
      updated_at: "2023-05-01T10:00:00Z",
    }),
  );
  repo.comments.set(10, [
    {
      id: 501,
      body: "Same here with loadDocuments throwing the YAMLException on tab characters.",
      user: { login: "someone", type: "User" },
      html_url: `https://github.com/${owner}/${name}/issues/10#issuecomment-501`,
      issue_url: `https://api.github.com/repos/${owner}/${name}/issues/10`,
      created_at: "2023-03-02T10:00:00Z",
      updated_at: "2023-03-02T10:00:00Z",
    },
  ]);
}
