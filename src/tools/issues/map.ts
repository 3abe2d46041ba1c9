// The `pr.map-issues` job: for a PR that links issues (closing keywords, GraphQL
// closingIssuesReferences), map each issue's elements onto the changed hunks, let the LLM explain the
// relation when configured, post one persistent comment and keep the mapping for the PR JSON.
import { issueLinkPrefix } from "../../github/web.ts";
import { z } from "zod";
import type { MapPayload } from "../../events/issues.ts";
import { BudgetExceededError, errorMessage, LLMNotConfiguredError } from "../../errors.ts";
import { parsePatch } from "../../diff/parse.ts";
import { fenceUntrusted, UNTRUSTED_DATA_RULE } from "../../llm/untrusted.ts";
import type { Notifier } from "../../notify/index.ts";
import type { Db } from "../../store/types.ts";
import { extractIssueElements, mapIssueToChanges } from "../issue-map/index.ts";
import type { UsageFooter } from "../markdown.ts";
import type { PrJson } from "../pr-json/schema.ts";
import { type IssueRef, mergeIssueRefs, parseClosingReferences } from "../pr-json/links.ts";
import type { IssueJobContext } from "./context.ts";
import { kvDelete, kvGet, kvSet } from "./kv.ts";
import { type MappedIssue, renderMapping, toPrJsonMapping } from "./map-render.ts";
import { sendNotification } from "./notify.ts";
import { fetchIssue } from "./triage.ts";

export const MAP_KIND = "issue-map";
const MAX_ISSUES = 5;

const CLOSING_QUERY = `query($owner: String!, $name: String!, $number: Int!) {
  repository(owner: $owner, name: $name) {
    pullRequest(number: $number) {
      closingIssuesReferences(first: 10) { nodes { number repository { nameWithOwner } } }
    }
  }
}`;

interface ClosingAnswer {
  repository?: {
    pullRequest?: {
      closingIssuesReferences?: {
        nodes?: Array<{ number: number; repository?: { nameWithOwner?: string } }>;
      };
    };
  };
}

export const relationSchema = z.object({
  issues: z
    .array(z.object({ issue: z.coerce.number().int().positive(), relation: z.string().trim().max(800) }))
    .max(MAX_ISSUES),
});

function mappingKey(repo: string, pr: number): string {
  return `issue-map:${repo}#${pr}`;
}

/** The stored mapping for the PR JSON's `issueMapping`, or undefined when the PR links no issue. */
export async function loadIssueMapping(db: Db, repo: string, pr: number): Promise<PrJson["issueMapping"]> {
  const raw = await kvGet(db, mappingKey(repo, pr));
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as PrJson["issueMapping"];
  } catch {
    return undefined;
  }
}

async function linkedIssues(
  ctx: IssueJobContext,
  pr: { title: string; body: string },
  number: number,
): Promise<IssueRef[]> {
  const own = `${ctx.owner}/${ctx.name}`.toLowerCase();
  const web = ctx.gw.webUrl;
  // Issue links count on the configured host (github.com or GHE_HOST), for this repository only.
  const prefix = issueLinkPrefix(web, ctx.owner, ctx.name);
  const fromText = parseClosingReferences(`${pr.title}\n${pr.body}`, {
    owner: ctx.owner,
    repo: ctx.name,
    web,
  }).filter((r) => !r.url || r.url.toLowerCase().startsWith(prefix));
  let fromGraphql: IssueRef[] = [];
  try {
    const a = await ctx.gw.graphql<ClosingAnswer>(
      CLOSING_QUERY,
      { owner: ctx.owner, name: ctx.name, number },
      `read the issues #${number} closes`,
    );
    fromGraphql = (a.repository?.pullRequest?.closingIssuesReferences?.nodes ?? [])
      .filter((n) => (n.repository?.nameWithOwner ?? own).toLowerCase() === own)
      .map((n) => ({
        number: n.number,
        url: `${web}/${ctx.owner}/${ctx.name}/issues/${n.number}`,
        source: "graphql" as const,
      }));
  } catch (err) {
    // Closing keywords still work; GraphQL only adds issues linked in the sidebar.
    ctx.log.warn(
      { err: errorMessage(err) },
      "closingIssuesReferences unavailable; using closing keywords only",
    );
  }
  return mergeIssueRefs(fromText, fromGraphql).filter((r) => r.number !== number);
}

async function explain(ctx: IssueJobContext, prTitle: string, issues: MappedIssue[]) {
  const parts = issues.map((i) => {
    const links = i.mapping.links.slice(0, 10).map((l) => `- ${l.element.value} → ${l.path} (${l.evidence})`);
    const missing = i.mapping.unaddressed.slice(0, 10).map((e) => `- ${e.value}`);
    // Element values are quoted from the issue and paths from the PR: both are data.
    return [
      fenceUntrusted(`issue #${i.number} title`, i.title),
      `Deterministic links (computed by Steward; the names are quoted from the issue and the PR):\n${fenceUntrusted(`issue #${i.number} links`, links.join("\n") || "- none")}`,
      `Not touched by the PR:\n${fenceUntrusted(`issue #${i.number} parts not touched`, missing.join("\n") || "- none")}`,
    ].join("\n");
  });
  return ctx.s.llm.complete({
    schema: relationSchema,
    name: "issue_map_relation",
    system: [
      "You explain, in one or two sentences per issue, how a pull request relates to the issues it says it closes, using only the links given.",
      "Say plainly when the changes look unrelated or when named parts of the issue are not touched.",
      "Output JSON: issues[{issue, relation}].",
      UNTRUSTED_DATA_RULE,
    ].join("\n"),
    user: [fenceUntrusted("PR title", prTitle), ...parts].join("\n\n"),
    usage: { tool: "issue-map", jobId: ctx.job.id, installationId: ctx.job.installationId ?? undefined },
    signal: ctx.run.signal,
  });
}

export async function mapPrIssues(
  ctx: IssueJobContext,
  p: MapPayload,
  notifier: () => Notifier,
): Promise<MappedIssue[]> {
  const pr = await ctx.gw.getPullRequest(p.number);
  const refs = (await linkedIssues(ctx, { title: pr.title ?? "", body: pr.body ?? "" }, p.number)).slice(
    0,
    MAX_ISSUES,
  );
  if (refs.length === 0) {
    const had = await kvGet(ctx.s.db, mappingKey(ctx.repo, p.number));
    await kvDelete(ctx.s.db, mappingKey(ctx.repo, p.number));
    if (had) {
      await ctx.gw.upsertComment({
        issueNumber: p.number,
        kind: MAP_KIND,
        key: String(p.number),
        body: "## Issue ↔ code mapping\n\nThis PR no longer links an issue (no closing keyword and no linked issue on GitHub).",
      });
    }
    ctx.log.info({ pr: p.number }, "PR links no issue; nothing to map");
    return [];
  }
  const files = (await ctx.gw.listPullFiles(p.number)).map((f) => parsePatch(f));
  const issues: MappedIssue[] = [];
  const labels = new Set<string>();
  for (const ref of refs) {
    let loaded: Awaited<ReturnType<typeof fetchIssue>>;
    try {
      loaded = await fetchIssue(ctx, ref.number);
    } catch (err) {
      ctx.log.warn({ issue: ref.number, err: errorMessage(err) }, "linked issue unreadable; skipped");
      continue;
    }
    const { issue } = loaded;
    for (const l of issue.labels) labels.add(l);
    const elements = extractIssueElements({ title: issue.title, body: issue.body });
    issues.push({
      number: ref.number,
      title: issue.title,
      source: ref.source,
      mapping: mapIssueToChanges(elements, files),
    });
  }
  let usage: UsageFooter | undefined;
  let llmNote: string | undefined;
  if (ctx.s.llm.configured && issues.length) {
    try {
      const r = await explain(ctx, pr.title ?? "", issues);
      for (const x of r.data.issues) {
        const i = issues.find((m) => m.number === x.issue);
        if (i && x.relation) i.relation = x.relation;
      }
      usage = {
        model: ctx.s.llm.model,
        calls: r.calls,
        promptTokens: r.promptTokens,
        completionTokens: r.completionTokens,
      };
    } catch (err) {
      if (!(err instanceof LLMNotConfiguredError || err instanceof BudgetExceededError)) {
        ctx.log.warn(
          { err: errorMessage(err) },
          "mapping explanation failed; posting the deterministic mapping",
        );
      }
      llmNote = `No AI explanation this time: ${err instanceof BudgetExceededError ? "the daily LLM budget is spent" : "the LLM call failed"}.`;
    }
  }
  const json = toPrJsonMapping(issues);
  await kvSet(ctx.s.db, mappingKey(ctx.repo, p.number), JSON.stringify(json));
  await ctx.gw.upsertComment({
    issueNumber: p.number,
    kind: MAP_KIND,
    key: String(p.number),
    body: renderMapping(issues, { usage, llmNote }),
  });
  ctx.log.info(
    {
      pr: p.number,
      issues: issues.map((i) => i.number),
      links: json.reduce((n, i) => n + i.links.length, 0),
    },
    "issue mapping posted",
  );
  await sendNotification(ctx, notifier(), {
    kind: "pr",
    repo: ctx.repo,
    number: p.number,
    title: (pr.title ?? "").trim() || `PR #${p.number}`,
    url: pr.html_url,
    paths: files.map((f) => f.path),
    labels: [...labels],
    summary: `Addresses ${issues.map((i) => `#${i.number}`).join(", ")}`,
    dedupeKey: `pr-issues:${ctx.repo}#${p.number}:${issues.map((i) => i.number).join(",")}`,
  });
  return issues;
}
