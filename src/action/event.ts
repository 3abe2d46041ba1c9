// The workflow's event: its name and the webhook payload GitHub wrote to GITHUB_EVENT_PATH, plus the
// two safety facts the action decides on before any work — is this a fork PR (read-only token, no
// secrets), and has a pull_request_target workflow checked out the PR's own code (a "pwn request").
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigurationError } from "../errors.ts";
import { text } from "../events/types.ts";

export interface ActionEvent {
  name: string;
  payload: any;
  /** "owner/name" of the repository the workflow runs in. */
  repo: string;
}

export function readEvent(env: Record<string, string | undefined>): ActionEvent {
  const name = env.GITHUB_EVENT_NAME;
  const path = env.GITHUB_EVENT_PATH;
  if (!name || !path)
    throw new ConfigurationError(
      "GITHUB_EVENT_NAME and GITHUB_EVENT_PATH are not set: the action runs inside a GitHub Actions workflow",
    );
  let payload: any;
  try {
    payload = JSON.parse(readFileSync(path, "utf8"));
  } catch {
    throw new ConfigurationError(
      `GITHUB_EVENT_PATH: expected the event's JSON payload, could not read ${path}`,
    );
  }
  if (!payload || typeof payload !== "object" || Array.isArray(payload))
    throw new ConfigurationError("GITHUB_EVENT_PATH: expected a JSON object");
  const repo = text(payload.repository?.full_name, "") || text(env.GITHUB_REPOSITORY, "");
  if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repo))
    throw new ConfigurationError(
      "the event names no repository (payload.repository.full_name, GITHUB_REPOSITORY)",
    );
  return { name, payload, repo };
}

/** The fork a PR comes from, or undefined for a same-repository PR (or a non-PR event). */
export function forkOf(ev: ActionEvent): string | undefined {
  if (ev.name !== "pull_request" && ev.name !== "pull_request_target") return undefined;
  const pr = ev.payload.pull_request;
  const head = text(pr?.head?.repo?.full_name, "");
  // A deleted fork has no head repo: still not this repository.
  if (!pr) return undefined;
  if (!head) return "(deleted fork)";
  return head.toLowerCase() === ev.repo.toLowerCase() ? undefined : head;
}

const SHA = /^[0-9a-f]{40}$/;

/** The commit the workspace's git checkout is at, if any (detached HEAD or a branch ref). */
export function workspaceHead(workspace: string | undefined): string | undefined {
  if (!workspace) return undefined;
  const git = join(workspace, ".git");
  try {
    if (!existsSync(join(git, "HEAD"))) return undefined;
    const head = readFileSync(join(git, "HEAD"), "utf8").trim().slice(0, 300);
    if (SHA.test(head)) return head;
    const ref = /^ref: (refs\/[^\s]+)$/.exec(head)?.[1];
    if (!ref || ref.includes("..")) return undefined;
    if (existsSync(join(git, ref))) {
      const sha = readFileSync(join(git, ref), "utf8").trim();
      return SHA.test(sha) ? sha : undefined;
    }
    const packed = existsSync(join(git, "packed-refs")) ? readFileSync(join(git, "packed-refs"), "utf8") : "";
    for (const line of packed.split("\n")) {
      const [sha, name] = line.trim().split(" ");
      if (name === ref && sha && SHA.test(sha)) return sha;
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/**
 * A pull_request_target workflow runs with the base repository's write token and secrets. If it also
 * checked out the PR's head, code from the fork is in the workspace: Steward refuses to run there
 * (the action never needs a checkout: it reads the PR through the API).
 */
export function pwnRequest(ev: ActionEvent, workspace: string | undefined): string | undefined {
  if (ev.name !== "pull_request_target") return undefined;
  const headSha = text(ev.payload.pull_request?.head?.sha, "");
  const at = workspaceHead(workspace);
  if (!headSha || !at || at !== headSha) return undefined;
  return `This pull_request_target workflow checked out the pull request's head (${headSha.slice(0, 12)}) with a write token and secrets. Steward refuses to run next to untrusted code: remove the actions/checkout step (Steward reads the PR through the API), or use the pull_request event. See docs/action.md.`;
}
