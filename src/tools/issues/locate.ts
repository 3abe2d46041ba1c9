// `/locate` on an issue: rank the files of the default branch most likely involved, from the paths,
// frames and identifiers the issue names (BM25 over path words, boosts for named files).
import { wrapGitHub } from "../../github/errors.ts";
import { locateFiles, type LocateResult } from "../issue-map/index.ts";
import { code, safeText } from "../markdown.ts";
import type { IssueData, IssueJobContext } from "./context.ts";
import { GITHUB_WEB } from "../../github/web.ts";

/** Paths read from the tree; larger trees are cut (GitHub itself truncates at 100,000 entries). */
export const MAX_TREE_PATHS = 50_000;
const SHOWN = 10;

export interface TreeListing {
  branch: string;
  paths: string[];
  truncated: boolean;
}

export async function readTree(ctx: IssueJobContext): Promise<TreeListing> {
  const { data: repo } = await wrapGitHub(
    () => ctx.octokit.rest.repos.get({ owner: ctx.owner, repo: ctx.name }),
    `read ${ctx.repo}`,
  );
  const branch = repo.default_branch;
  const { data } = await wrapGitHub(
    () =>
      ctx.octokit.rest.git.getTree({ owner: ctx.owner, repo: ctx.name, tree_sha: branch, recursive: "true" }),
    `list the files of ${branch}`,
  );
  const blobs = data.tree
    .filter((t) => t.type === "blob" && typeof t.path === "string")
    .map((t) => t.path as string);
  return {
    branch,
    paths: blobs.slice(0, MAX_TREE_PATHS),
    truncated: Boolean(data.truncated) || blobs.length > MAX_TREE_PATHS,
  };
}

export function renderLocate(
  ctx: { owner: string; name: string; web?: string },
  tree: TreeListing,
  results: LocateResult[],
): string {
  const lines = ["## Likely files", ""];
  if (results.length === 0) {
    lines.push(
      "The issue names no file, stack frame or identifier that matches a file on the default branch, so Steward cannot rank files for it.",
      "",
      "Adding a stack trace, the error message, or the name of the function or file involved usually fixes that.",
    );
  } else {
    lines.push("| # | File | Score | Why |", "|---|---|---|---|");
    results.slice(0, SHOWN).forEach((r, i) => {
      const link = `[${code(r.path)}](${ctx.web ?? GITHUB_WEB}/${ctx.owner}/${ctx.name}/blob/${encodeURIComponent(tree.branch)}/${r.path.split("/").map(encodeURIComponent).join("/")})`;
      lines.push(
        `| ${i + 1} | ${link} | ${r.score.toFixed(2)} | ${safeText(r.evidence.slice(0, 3).join("; ")).replace(/\|/g, "\\|")} |`,
      );
    });
  }
  lines.push(
    "",
    `<sub>Ranked over ${tree.paths.length} files of \`${tree.branch}\`${tree.truncated ? " (the listing was cut; very large trees are only partly searched)" : ""}, by path words and the names in the issue. No AI involved.</sub>`,
  );
  return lines.join("\n");
}

export async function runLocate(ctx: IssueJobContext, issue: IssueData): Promise<string> {
  const tree = await readTree(ctx);
  const results = locateFiles({ title: issue.title, body: issue.body }, tree.paths);
  ctx.log.info(
    { number: issue.number, files: tree.paths.length, top: results.slice(0, 3).map((r) => r.path) },
    "files located",
  );
  return renderLocate({ owner: ctx.owner, name: ctx.name, web: ctx.gw.webUrl }, tree, results);
}
