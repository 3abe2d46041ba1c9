// Keeps the similar-issues index (src/search) current: a resumable back-fill over the paginated REST
// API on first use, then incremental syncs of whatever changed since the last one. Each page is
// written with its cursor in one transaction, so a retried job never appends a comment twice.
import { issueLinkPrefix } from "../../github/web.ts";
import { getDoc, getMeta, setBackfillProgress, upsertDoc } from "../../search/store.ts";
import type { IndexDoc } from "../../search/types.ts";
import { wrapGitHub } from "../../github/errors.ts";
import type { Db } from "../../store/types.ts";
import { parseClosingReferences } from "../pr-json/links.ts";
import type { IssueJobContext } from "./context.ts";
import { kvGet, kvSet } from "./kv.ts";

const PER_PAGE = 100;
/** Stored text per field; the tokenizer reads no further anyway. */
const MAX_TEXT = 20_000;
/** Pages per phase; 500 pages = 50,000 issues. Beyond that the oldest are indexed first. */
export const MAX_BACKFILL_PAGES = Number(process.env.STEWARD_INDEX_MAX_PAGES ?? 500);
const MAX_SYNC_PAGES = 10;
/** Incremental syncs look this far behind their last run, so an update written mid-sync is not missed. */
const SYNC_SKEW_MS = 60_000;

function clip(s: unknown): string {
  return typeof s === "string" ? s.slice(0, MAX_TEXT) : "";
}

function ms(iso: unknown): number | undefined {
  const t = typeof iso === "string" ? Date.parse(iso) : Number.NaN;
  return Number.isFinite(t) ? t : undefined;
}

export function toDoc(raw: any, comments = "", closedBy: number[] = []): IndexDoc {
  return {
    number: Number(raw.number),
    kind: raw.pull_request ? "pr" : "issue",
    title: clip(raw.title),
    body: clip(raw.body),
    comments: comments.slice(0, MAX_TEXT),
    state: raw.state === "closed" ? "closed" : "open",
    createdAt: ms(raw.created_at),
    updatedAt: ms(raw.updated_at),
    closedBy,
  };
}

/** Upserts a document, keeping the closing references other PRs recorded on it. */
async function putDoc(db: Db, repo: string, doc: IndexDoc, keepComments: boolean): Promise<void> {
  const old = await getDoc(db, repo, doc.number);
  await upsertDoc(db, repo, {
    ...doc,
    comments: keepComments && old ? old.comments : doc.comments,
    closedBy: old?.closedBy ?? doc.closedBy ?? [],
  });
}

/** Records "possibly fixed by": an open or merged PR whose text closes an issue of this repo. */
async function recordClosingRefs(db: Db, ctx: IssueJobContext, raw: any): Promise<void> {
  if (!raw.pull_request) return;
  if (raw.state === "closed" && !raw.pull_request.merged_at) return;
  const web = ctx.gw.webUrl;
  const refs = parseClosingReferences(`${raw.title ?? ""}\n${raw.body ?? ""}`, {
    owner: ctx.owner,
    repo: ctx.name,
    web,
  });
  const own = issueLinkPrefix(web, ctx.owner, ctx.name);
  for (const ref of refs) {
    if (ref.url && !ref.url.toLowerCase().startsWith(own)) continue;
    const doc = await getDoc(db, ctx.repo, ref.number);
    if (doc?.kind !== "issue" || doc.closedBy?.includes(raw.number)) continue;
    await upsertDoc(db, ctx.repo, { ...doc, closedBy: [...(doc.closedBy ?? []), Number(raw.number)] });
  }
}

function issueNumberOf(comment: any): number | undefined {
  const m = /\/issues\/(\d+)$/.exec(String(comment?.issue_url ?? ""));
  return m ? Number(m[1]) : undefined;
}

/**
 * Fills the index for a repository that has none: every issue and PR (state all), then every
 * comment, page by page, resuming from the stored cursor. Logs progress and heartbeats the job.
 */
export async function backfill(ctx: IssueJobContext, startedAt = Date.now()): Promise<number> {
  const { s, repo } = ctx;
  const meta = await getMeta(s.db, repo);
  let [phase, pageText] = (meta?.cursor ?? "issues:1").split(":");
  let page = Number(pageText) || 1;
  let pages = 0;
  ctx.log.info({ repo, phase, page }, "index back-fill started");
  while (phase === "issues" || phase === "comments") {
    const cursorPage = page;
    if (phase === "issues") {
      const { data } = await wrapGitHub(
        () =>
          ctx.octokit.rest.issues.listForRepo({
            owner: ctx.owner,
            repo: ctx.name,
            state: "all",
            sort: "created",
            direction: "asc",
            per_page: PER_PAGE,
            page: cursorPage,
          }),
        `list issues of ${repo} (page ${cursorPage})`,
      );
      const last = data.length < PER_PAGE || page >= MAX_BACKFILL_PAGES;
      const next = last ? "comments:1" : `issues:${page + 1}`;
      await s.db.tx(async (tx) => {
        for (const raw of data) await putDoc(tx, repo, toDoc(raw), true);
        for (const raw of data) await recordClosingRefs(tx, ctx, raw);
        await setBackfillProgress(tx, repo, { cursor: next });
      });
      [phase, pageText] = next.split(":");
      page = Number(pageText);
      ctx.log.info(
        { repo, phase: "issues", page: cursorPage, items: data.length },
        "index back-fill progress",
      );
    } else {
      const { data } = await wrapGitHub(
        () =>
          ctx.octokit.rest.issues.listCommentsForRepo({
            owner: ctx.owner,
            repo: ctx.name,
            sort: "created",
            direction: "asc",
            per_page: PER_PAGE,
            page: cursorPage,
          }),
        `list comments of ${repo} (page ${cursorPage})`,
      );
      const last = data.length < PER_PAGE || page >= MAX_BACKFILL_PAGES;
      const byIssue = new Map<number, string[]>();
      for (const c of data) {
        const n = issueNumberOf(c);
        if (n === undefined || typeof c.body !== "string" || c.user?.type === "Bot") continue;
        byIssue.set(n, [...(byIssue.get(n) ?? []), c.body]);
      }
      await s.db.tx(async (tx) => {
        for (const [n, bodies] of byIssue) {
          const doc = await getDoc(tx, repo, n);
          if (!doc || doc.comments.length >= MAX_TEXT) continue;
          const comments = [doc.comments, ...bodies].filter(Boolean).join("\n\n").slice(0, MAX_TEXT);
          await upsertDoc(tx, repo, { ...doc, comments });
        }
        if (last) await setBackfillProgress(tx, repo, { cursor: null, backfilledAt: Date.now() });
        else await setBackfillProgress(tx, repo, { cursor: `comments:${page + 1}` });
      });
      ctx.log.info(
        { repo, phase: "comments", page: cursorPage, items: data.length },
        "index back-fill progress",
      );
      if (last) phase = "done";
      else page++;
    }
    pages++;
    await ctx.run.heartbeat();
    if (ctx.run.signal.aborted) throw ctx.run.signal.reason;
  }
  await kvSet(s.db, `index-sync:${repo}`, String(startedAt - SYNC_SKEW_MS));
  const done = await getMeta(s.db, repo);
  ctx.log.info({ repo, pages, docs: done?.docCount ?? 0 }, "index back-fill done");
  return pages;
}

/** Back-fills when the repository has never been indexed (or a back-fill was interrupted). */
export async function ensureIndex(ctx: IssueJobContext): Promise<void> {
  const meta = await getMeta(ctx.s.db, ctx.repo);
  if (!meta?.backfilledAt) await backfill(ctx);
}

async function issueComments(ctx: IssueJobContext, number: number): Promise<string> {
  const { data } = await wrapGitHub(
    () =>
      ctx.octokit.rest.issues.listComments({
        owner: ctx.owner,
        repo: ctx.name,
        issue_number: number,
        per_page: PER_PAGE,
      }),
    `list comments on #${number}`,
  );
  return data
    .filter((c) => c.user?.type !== "Bot" && typeof c.body === "string")
    .map((c) => c.body as string)
    .join("\n\n")
    .slice(0, MAX_TEXT);
}

/** Puts one issue (as just read from GitHub) into the index, with its comments when it has any. */
export async function indexIssue(ctx: IssueJobContext, raw: any): Promise<void> {
  const comments = Number(raw.comments ?? 0) > 0 ? await issueComments(ctx, raw.number) : "";
  await putDoc(ctx.s.db, ctx.repo, toDoc(raw, comments), false);
  await recordClosingRefs(ctx.s.db, ctx, raw);
}

/** The `index.update` job: everything updated since the last sync (coalesced per repository). */
export async function syncIndex(ctx: IssueJobContext): Promise<number> {
  const meta = await getMeta(ctx.s.db, ctx.repo);
  if (!meta?.backfilledAt) {
    await backfill(ctx);
    return 0;
  }
  const startedAt = Date.now();
  const last = Number((await kvGet(ctx.s.db, `index-sync:${ctx.repo}`)) ?? meta.backfilledAt - SYNC_SKEW_MS);
  let n = 0;
  for (let page = 1; page <= MAX_SYNC_PAGES; page++) {
    const { data } = await wrapGitHub(
      () =>
        ctx.octokit.rest.issues.listForRepo({
          owner: ctx.owner,
          repo: ctx.name,
          state: "all",
          sort: "updated",
          direction: "asc",
          since: new Date(last).toISOString(),
          per_page: PER_PAGE,
          page,
        }),
      `list issues of ${ctx.repo} updated since the last sync`,
    );
    for (const raw of data) await indexIssue(ctx, raw);
    n += data.length;
    await ctx.run.heartbeat();
    if (data.length < PER_PAGE) break;
  }
  await kvSet(ctx.s.db, `index-sync:${ctx.repo}`, String(startedAt - SYNC_SKEW_MS));
  ctx.log.info({ repo: ctx.repo, updated: n }, "index synced");
  return n;
}
