import { parseClosingReferences } from "../tools/pr-json/links.ts";
import type { Route } from "./types.ts";

// Fix-PR linking. Pure: the route only checks that a PR's title or body names issues with a closing
// keyword (`Fixes #12`); the job looks the issues up in the incident registry.

export interface IncidentPrPayload {
  action: "opened" | "edited" | "reopened" | "merged";
  number: number;
  /** Issue numbers in this repository the PR says it closes. */
  issues: number[];
  headSha: string | null;
}

const LINKING = new Set(["opened", "edited", "reopened", "closed"]);

export const incidentsRoute: Route = (ev) => {
  if (ev.name !== "pull_request" || !ev.repo || !ev.action || !LINKING.has(ev.action)) return [];
  const pr = ev.payload?.pull_request;
  if (typeof pr?.number !== "number") return [];
  if (ev.action === "closed" && pr.merged !== true) return [];
  const [owner, name] = ev.repo.split("/") as [string, string];
  const text = `${pr.title ?? ""}\n${pr.body ?? ""}`;
  const own = `https://github.com/${ev.repo}/issues/`.toLowerCase();
  const issues = [
    ...new Set(
      parseClosingReferences(text, { owner, repo: name })
        .filter((r) => !r.url || r.url.toLowerCase().startsWith(own))
        .map((r) => r.number),
    ),
  ];
  if (issues.length === 0) return [];
  const action: IncidentPrPayload["action"] = ev.action === "closed" ? "merged" : (ev.action as "opened");
  const payload: IncidentPrPayload = { action, number: pr.number, issues, headSha: pr.head?.sha ?? null };
  return [
    {
      kind: "incidents.pr-link",
      repo: ev.repo,
      installationId: ev.installationId,
      targetNumber: pr.number,
      deliveryId: ev.deliveryId,
      payload,
      // Edits coalesce; a merge never replaces (nor is replaced by) an earlier open.
      dedupeKey: `incidents.pr-link:${ev.repo}#${pr.number}:${action === "merged" ? "merged" : "open"}`,
    },
  ];
};
