// /improve against a live PR: committable suggestions (validated lines, score ≥ threshold, not
// posted before) in ONE review; everything else in the persistent table comment, whose marker state
// remembers the latest fingerprints posted (a fast path). Before posting, Steward's own review
// comments are scanned for their fingerprint markers: no cap, and a retry after a crash between the
// review and the table comment repeats nothing.
import { z } from "zod";
import type { Services } from "../../app/services.ts";
import type { RepoConfig } from "../../config/schema.ts";
import { canAnchor } from "../../diff/index.ts";
import type { DiffFile, ReviewAnchor } from "../../diff/types.ts";
import type { GitHubGateway, ReviewCommentInput } from "../../github/index.ts";
import type { Job } from "../../jobs/types.ts";
import { renderImproveComment, suggestionCommentBody } from "../improve/render.ts";
import type { Suggestion } from "../improve/schema.ts";
import type { RunOptions } from "../options.ts";
import { type Fingerprinted, improveCore } from "./improve-core.ts";
import { repoLanguages } from "./review-job.ts";
import { postedOnPr } from "./posted.ts";
import { loadPr } from "./source.ts";

export const IMPROVE_KIND = "improve";
export const IMPROVE_KEY = "table";
// The marker state is capped at 4,000 base64 characters; 100 fingerprints stay well under it. Older
// ones are still found by scanning the review comments.
const MAX_REMEMBERED = 100;

const improveState = z
  .object({ lastSha: z.string().optional(), posted: z.array(z.string()).max(1000).optional() })
  .catch({});

/** The new-file lines startLine..endLine as the diff shows them (the anchor check keeps them in one hunk). */
export function headLines(files: DiffFile[], path: string, start: number, end: number): string[] {
  const f = files.find((x) => x.path === path);
  const out: string[] = [];
  for (const h of f?.hunks ?? [])
    for (const l of h.lines)
      if (l.kind !== "del" && l.newLine !== null && l.newLine >= start && l.newLine <= end) out.push(l.text);
  return out;
}

export interface Placement {
  comments: Array<ReviewCommentInput & { fingerprint: string }>;
  /** `inDiff: false` marks a suggestion on a path the PR does not change. */
  rest: Array<Suggestion & { why: string; inDiff?: boolean }>;
  posted: Suggestion[];
}

/** Decides, per fresh suggestion, committable comment or table row, and why. Pure. */
export function placeSuggestions(
  fresh: Fingerprinted[],
  files: DiffFile[],
  o: { threshold: number; commitable: boolean },
): Placement {
  const out: Placement = { comments: [], rest: [], posted: [] };
  const changed = new Set(files.map((f) => f.path));
  for (const s of fresh) {
    // A path the model invented is listed as such, never linked or posted.
    if (!changed.has(s.file)) {
      out.rest.push({ ...s, why: "not a file this PR changes", inDiff: false });
      continue;
    }
    if (s.score < o.threshold) {
      out.rest.push({ ...s, why: `score ${s.score} is below the threshold ${o.threshold}` });
      continue;
    }
    if (!o.commitable) {
      out.rest.push({ ...s, why: "committable suggestions are off (pr.improve.commitable)" });
      continue;
    }
    const anchor: ReviewAnchor =
      s.startLine < s.endLine
        ? { path: s.file, side: "RIGHT", line: s.endLine, start_line: s.startLine, start_side: "RIGHT" }
        : { path: s.file, side: "RIGHT", line: s.endLine };
    const check = canAnchor(files, anchor);
    if (!check.ok) {
      out.rest.push({ ...s, why: check.reason });
      continue;
    }
    const body = suggestionCommentBody(s, headLines(files, s.file, s.startLine, s.endLine));
    if (!body.ok) {
      out.rest.push({ ...s, why: body.reason });
      continue;
    }
    out.comments.push({ ...anchor, body: body.body, fingerprint: s.fingerprint });
    out.posted.push(s);
  }
  return out;
}

export async function runImproveJob(
  s: Services,
  job: Job,
  a: { gw: GitHubGateway; config: RepoConfig; number: number; options: RunOptions },
): Promise<void> {
  const { gw, number, config, options } = a;
  const prev = await gw.findComment(number, IMPROVE_KIND, IMPROVE_KEY);
  const state = improveState.parse(prev?.state ?? {});
  const pr = await loadPr(gw, number);
  const result = await improveCore({
    llm: s.llm,
    title: pr.title,
    body: pr.body,
    files: pr.files,
    unavailable: pr.unavailable,
    config,
    options,
    posted: new Set(state.posted ?? []),
    languages: () => repoLanguages(s, job),
    usage: { tool: "improve", jobId: job.id, installationId: job.installationId ?? undefined },
  });
  const threshold = options.min_score ?? config.pr.improve.score_threshold;
  let fresh = result.fresh;
  let duplicates = result.duplicates.length;
  const onPr: string[] = [];
  if (fresh.length > 0) {
    const found = (await postedOnPr(gw, number)).suggestions;
    onPr.push(...fresh.filter((f) => found.has(f.fingerprint)).map((f) => f.fingerprint));
    fresh = fresh.filter((f) => !found.has(f.fingerprint));
    duplicates += onPr.length;
  }
  const placed = placeSuggestions(fresh, pr.files, {
    threshold,
    commitable: config.pr.improve.commitable,
  });
  if (placed.comments.length > 0) {
    await gw.postReview({
      pullNumber: number,
      commitId: pr.headSha,
      body: `Steward: ${placed.comments.length} code suggestion${placed.comments.length === 1 ? "" : "s"} for \`${pr.headSha.slice(0, 12)}\`. The rest are in the Steward code suggestions comment.`,
      comments: placed.comments.map(({ fingerprint: _fp, ...c }) => c),
      files: pr.files,
    });
  }
  let body = renderImproveComment({
    repo: { owner: gw.owner, repo: gw.repo, web: gw.webUrl },
    headSha: pr.headSha,
    posted: placed.posted,
    rest: placed.rest,
    duplicates,
    threshold,
    notReviewed: result.notReviewed,
    ...(result.usage ? { usage: result.usage } : {}),
  });
  if (result.llmNote) body = body.replace(/\n\n/, `\n\n> [!NOTE]\n> ${result.llmNote}\n\n`);
  const posted = [
    ...new Set([...(state.posted ?? []), ...onPr, ...placed.comments.map((c) => c.fingerprint)]),
  ].slice(-MAX_REMEMBERED);
  await gw.upsertComment({
    issueNumber: number,
    kind: IMPROVE_KIND,
    key: IMPROVE_KEY,
    body,
    state: { lastSha: pr.headSha, posted },
  });
}
