import type { EnqueueInput } from "../jobs/types.ts";
import { type Route, text } from "./types.ts";

/** A burst of pushes to one PR gives one incremental review. */
export const PUSH_DEBOUNCE_MS = Number(process.env.STEWARD_PUSH_DEBOUNCE_MS ?? 60_000);

export interface PrEventPayload {
  number: number;
  action: string;
  headSha: string;
  baseSha: string;
  /** Only on synchronize: the head before the push. */
  before?: string;
  draft: boolean;
  title: string;
  author: string;
  authorType: string;
  labels: string[];
  headRef: string;
  baseRef: string;
}

function prPayload(p: any): PrEventPayload | undefined {
  const pr = p?.pull_request;
  if (!pr || typeof pr.number !== "number") return undefined;
  return {
    number: pr.number,
    action: text(p.action),
    headSha: text(pr.head?.sha, ""),
    baseSha: text(pr.base?.sha, ""),
    before: typeof p.before === "string" ? p.before : undefined,
    draft: Boolean(pr.draft),
    title: text(pr.title, ""),
    author: text(pr.user?.login, ""),
    authorType: text(pr.user?.type, "User"),
    labels: Array.isArray(pr.labels) ? pr.labels.map((l: any) => text(l?.name, "")).filter(Boolean) : [],
    headRef: text(pr.head?.ref, ""),
    baseRef: text(pr.base?.ref, ""),
  };
}

/** PR lifecycle events → one job each; the job reads config and decides which tools run. */
export const prRoute: Route = (ev) => {
  if (ev.name !== "pull_request") return [];
  const data = prPayload(ev.payload);
  if (!data || !ev.repo) return [];
  const key = `${ev.repo}#${data.number}`;
  const base = { repo: ev.repo, targetNumber: data.number, payload: data };
  const jobs: EnqueueInput[] = [];
  switch (ev.action) {
    case "opened":
    case "reopened":
    case "ready_for_review":
      jobs.push({ ...base, kind: "pr.auto", dedupeKey: `pr.auto:${key}` });
      break;
    case "synchronize":
      jobs.push({ ...base, kind: "pr.push", dedupeKey: `pr.push:${key}`, debounceMs: PUSH_DEBOUNCE_MS });
      break;
  }
  return jobs;
};
