// Reads a PR's diff from GitHub and turns it into parsed files plus the "not reviewed" notes that
// GitHub's own limits force on us (3,000 files, patches it would not send). Reads only.
import { runTask } from "../../compute/pool.ts";
import type { GitHubPullFile } from "../../diff/index.ts";
import type { DiffFile } from "../../diff/types.ts";
import { GitHubAPIError } from "../../errors.ts";
import type { GitHubGateway } from "../../github/index.ts";
import type { NotCovered } from "../markdown.ts";
import type { IssueRef } from "../pr-json/links.ts";
import { parsePullFiles } from "./parse-files.ts";

/** GitHub's pulls.listFiles stops here; anything beyond is invisible to the API. */
export const GITHUB_FILE_LIST_CAP = 3000;

export interface PrData {
  number: number;
  title: string;
  body: string;
  headSha: string;
  baseSha: string;
  author: string;
  draft: boolean;
  /** Every file GitHub listed, parsed. */
  files: DiffFile[];
  /** Files that cannot reach any tool, with why (GitHub's caps). */
  unavailable: NotCovered[];
  warnings: string[];
}

type RawFile = GitHubPullFile;

export { parsePullFiles };

export async function loadPr(gw: GitHubGateway, number: number): Promise<PrData> {
  const pr = await gw.getPullRequest(number);
  const raw = await gw.listPullFiles(number);
  // Parsing is CPU work on untrusted text: it runs in the compute pool, under its time budget.
  const { files, warnings } = await runTask("parsePullFiles", raw as RawFile[], {
    what: `the diff of pull request #${number}`,
  });
  const unavailable: NotCovered[] = [];
  const total = pr.changed_files ?? files.length;
  if (total > files.length) {
    unavailable.push({
      path: `(${total - files.length} more files)`,
      reason: `GitHub's API lists at most ${GITHUB_FILE_LIST_CAP.toLocaleString("en-US")} files of a pull request; these ${total - files.length} were never visible to Steward`,
    });
  }
  return {
    number,
    title: pr.title ?? "",
    body: pr.body ?? "",
    headSha: pr.head.sha,
    baseSha: pr.base.sha,
    author: pr.user?.login ?? "",
    draft: Boolean(pr.draft),
    files,
    unavailable,
    warnings,
  };
}

export type Incremental =
  | { ok: true; files: DiffFile[]; fromSha: string; commits: string[] }
  | { ok: false; reason: string };

/**
 * The diff of only the commits after `fromSha`. Falls back (ok: false) when `fromSha` is gone or is
 * not an ancestor of the head (a force-push rewrote history): then the whole PR is reviewed again.
 */
export async function loadIncremental(
  gw: GitHubGateway,
  fromSha: string,
  headSha: string,
): Promise<Incremental> {
  let cmp: Awaited<ReturnType<GitHubGateway["compareCommits"]>>;
  try {
    cmp = await gw.compareCommits(fromSha, headSha);
  } catch (err) {
    if (err instanceof GitHubAPIError && !err.transient) {
      return { ok: false, reason: `the last reviewed commit ${fromSha.slice(0, 12)} is no longer available` };
    }
    throw err;
  }
  if (cmp.status !== "ahead") {
    return {
      ok: false,
      reason: `the last reviewed commit ${fromSha.slice(0, 12)} is not an ancestor of the head (force-push?)`,
    };
  }
  const { files } = await runTask("parsePullFiles", (cmp.files ?? []) as RawFile[], {
    what: `the diff ${fromSha.slice(0, 12)}...${headSha.slice(0, 12)}`,
  });
  return {
    ok: true,
    files,
    fromSha,
    commits: (cmp.commits ?? []).map((c) => c.commit.message),
  };
}

const CLOSING_QUERY = `query($owner: String!, $repo: String!, $number: Int!) {
  repository(owner: $owner, name: $repo) {
    pullRequest(number: $number) {
      closingIssuesReferences(first: 25) { nodes { number url } }
    }
  }
}`;

interface ClosingAnswer {
  repository?: {
    pullRequest?: { closingIssuesReferences?: { nodes?: Array<{ number: number; url: string }> } };
  };
}

/** Issues GitHub links to the PR. Best effort: linked issues are a nicety, never a failure. */
export async function linkedIssues(gw: GitHubGateway, number: number): Promise<IssueRef[]> {
  try {
    const data = await gw.graphql<ClosingAnswer>(
      CLOSING_QUERY,
      { owner: gw.owner, repo: gw.repo, number },
      `read the issues linked to #${number}`,
    );
    const nodes = data.repository?.pullRequest?.closingIssuesReferences?.nodes ?? [];
    return nodes
      .filter((n) => Number.isInteger(n?.number) && n.number > 0)
      .map((n) => ({ number: n.number, url: n.url, source: "graphql" as const }));
  } catch {
    return [];
  }
}
