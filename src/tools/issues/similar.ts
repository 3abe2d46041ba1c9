// Similar issues on GitHub: ensure the repository's index, add the issue itself, query with only
// earlier issues as candidates, optionally let the LLM re-order the top 20, then one persistent
// comment and the `possible-duplicate` label. Steward never closes an issue.
import { z } from "zod";
import { errorMessage } from "../../errors.ts";
import { fenceUntrusted, UNTRUSTED_DATA_RULE } from "../../llm/untrusted.ts";
import { runTask } from "../../compute/pool.ts";
import { getDoc, loadDocs, upsertDoc } from "../../search/store.ts";
import {
  DEFAULT_DUPLICATE_THRESHOLD,
  DEFAULT_RELATED_THRESHOLD,
  findSimilar,
  findSimilarReranked,
  RERANK_POOL,
  type Rerank,
  renderSimilarComment,
  type SimilarResult,
} from "../similar/index.ts";
import type { IssueData, IssueJobContext } from "./context.ts";
import { ensureIndex, toDoc } from "./index-sync.ts";

export const SIMILAR_KIND = "issue-similar";

export const rerankSchema = z.object({
  order: z.array(z.coerce.number().int().positive()).max(40),
});

function llmRerank(ctx: IssueJobContext): Rerank {
  return async (query, candidates) => {
    const list = candidates
      .map(
        (c) =>
          `#${c.number}\n${fenceUntrusted(`candidate #${c.number}`, `${c.title}\n\n${c.body.slice(0, 800)}`)}`,
      )
      .join("\n\n");
    const { data } = await ctx.s.llm.complete({
      schema: rerankSchema,
      name: "similar_rerank",
      system: [
        "You re-rank candidate GitHub issues by how likely each describes the same problem as the query issue.",
        "Output JSON: order (candidate numbers, most similar first). Use only the numbers given.",
        UNTRUSTED_DATA_RULE,
      ].join("\n"),
      user: `${fenceUntrusted("query issue", `${query.title}\n\n${query.body.slice(0, 3_000)}`)}\n\nCandidates:\n\n${list}`,
      usage: { tool: "similar", jobId: ctx.job.id, installationId: ctx.job.installationId ?? undefined },
      signal: ctx.run.signal,
    });
    return data.order;
  };
}

export interface SimilarOutcome {
  result: SimilarResult;
  posted: boolean;
  reranked: boolean;
  /** Documents in the repository's index. */
  indexed: number;
}

export async function runSimilar(
  ctx: IssueJobContext,
  issue: IssueData,
  raw: any,
  opts: { force?: boolean } = {},
): Promise<SimilarOutcome> {
  const cfg = ctx.config.issues.similar;
  if (!cfg.enabled && !opts.force) {
    return { result: { duplicates: [], related: [] }, posted: false, reranked: false, indexed: 0 };
  }
  await ensureIndex(ctx);
  // The issue itself goes in for later queries; the search never returns the query's own number.
  const old = await getDoc(ctx.s.db, ctx.repo, issue.number);
  await upsertDoc(ctx.s.db, ctx.repo, {
    ...toDoc(raw, old?.comments ?? ""),
    closedBy: old?.closedBy ?? [],
  });
  // Building the index and ranking tokenise every untrusted document: that runs in the compute pool,
  // under its time budget; the decision below only needs the ranked candidates and their documents.
  const query = { number: issue.number, title: issue.title, body: issue.body, createdAt: issue.createdAt };
  const ranked = await runTask(
    "similar",
    { docs: await loadDocs(ctx.s.db, ctx.repo), query, limit: RERANK_POOL },
    { what: `the similar-issue search for #${issue.number}` },
  );
  const docs = new Map(ranked.docs.map((d) => [d.number, d]));
  const index = { size: ranked.size, get: (n: number) => docs.get(n), search: () => ranked.ranked };
  const options = {
    duplicateThreshold: cfg.duplicate_threshold ?? DEFAULT_DUPLICATE_THRESHOLD,
    relatedThreshold: Math.min(
      cfg.related_threshold ?? DEFAULT_RELATED_THRESHOLD,
      cfg.duplicate_threshold ?? DEFAULT_DUPLICATE_THRESHOLD,
    ),
  };
  let result: SimilarResult | undefined;
  let reranked = false;
  if (cfg.rerank && ctx.s.llm.configured) {
    try {
      result = await findSimilarReranked(index, query, llmRerank(ctx), options);
      reranked = true;
    } catch (err) {
      ctx.log.warn({ err: errorMessage(err) }, "similar-issue re-rank failed; using the deterministic order");
    }
  }
  result ??= findSimilar(index, query, options);
  ctx.log.info(
    {
      number: issue.number,
      indexed: index.size,
      duplicates: result.duplicates.map((h) => h.number),
      related: result.related.map((h) => h.number),
      reranked,
    },
    "similar issues found",
  );
  const body = renderSimilarComment(result, {
    duplicateLabel: result.duplicates.length ? cfg.label : undefined,
  });
  const key = String(issue.number);
  if (body) {
    await ctx.gw.upsertComment({ issueNumber: issue.number, kind: SIMILAR_KIND, key, body });
    if (result.duplicates.length && !issue.labels.includes(cfg.label)) {
      await ctx.gw.addLabels(issue.number, [cfg.label]);
    }
    return { result, posted: true, reranked, indexed: index.size };
  }
  // An earlier list that no longer holds after an edit is corrected, not left standing.
  const found = await ctx.gw.findComment(issue.number, SIMILAR_KIND, key);
  if (found) {
    await ctx.gw.upsertComment({
      issueNumber: issue.number,
      kind: SIMILAR_KIND,
      key,
      body: "No similar issues above the related threshold after the latest edit.",
    });
  }
  return { result, posted: Boolean(found), reranked, indexed: index.size };
}

export function renderNoSimilar(relatedThreshold: number, indexed: number): string {
  return `No similar issues or PRs above the related threshold (${relatedThreshold.toFixed(2)}) among the ${indexed} indexed for this repository.`;
}
