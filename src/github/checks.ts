// Check runs: one per (name, head SHA, external id), found again and updated rather than duplicated.
// GitHub takes at most 50 annotations per request and APPENDS annotations on every update, so a
// completion is sent in batches and a re-run of the same SHA skips annotations the run already has.

import { truncateBody } from "./body.ts";
import { wrapGitHub } from "./errors.ts";
import { CHECK_RUN_ANNOTATIONS_PER_REQUEST, CHECK_RUN_TEXT_MAX, PER_PAGE_MAX } from "./limits.ts";
import type { GatewayContext } from "./types.ts";

/** Annotation title: the REST docs cap it at 255 characters; messages are kept readable, not huge. */
const ANNOTATION_TITLE_MAX = 255;
const ANNOTATION_MESSAGE_MAX = 4_000;
/** Output title shown next to the check's name. */
const OUTPUT_TITLE_MAX = 255;

export type AnnotationLevel = "notice" | "warning" | "failure";
export type CheckConclusion = "success" | "neutral" | "failure" | "cancelled" | "skipped";

export interface CheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: AnnotationLevel;
  title: string;
  message: string;
}

export interface CheckOutput {
  title: string;
  summary: string;
  text?: string;
}

export interface CheckRunRef {
  id: number;
  url: string;
  /** Whether this call created the run (false: an earlier run for the same SHA was reused). */
  created: boolean;
}

interface RawCheckRun {
  id: number;
  html_url: string | null;
  external_id: string | null;
  app: { slug?: string } | null;
}

function fitOutput(o: CheckOutput): CheckOutput {
  return {
    title: o.title.slice(0, OUTPUT_TITLE_MAX),
    summary: truncateBody(o.summary, CHECK_RUN_TEXT_MAX - 100),
    ...(o.text ? { text: truncateBody(o.text, CHECK_RUN_TEXT_MAX - 100) } : {}),
  };
}

function fitAnnotation(a: CheckAnnotation): CheckAnnotation {
  return {
    ...a,
    title: a.title.slice(0, ANNOTATION_TITLE_MAX),
    message:
      a.message.length > ANNOTATION_MESSAGE_MAX
        ? `${a.message.slice(0, ANNOTATION_MESSAGE_MAX)}…`
        : a.message,
  };
}

/** The run of this name for this SHA that Steward made (by external id, and app slug when known). */
export async function findCheckRun(
  ctx: GatewayContext,
  headSha: string,
  name: string,
  externalId: string,
): Promise<{ id: number; url: string } | undefined> {
  const { data } = await wrapGitHub(
    () =>
      ctx.octokit.rest.checks.listForRef({
        owner: ctx.owner,
        repo: ctx.repo,
        ref: headSha,
        check_name: name,
        filter: "all",
        per_page: PER_PAGE_MAX,
      }),
    `list check runs for ${headSha.slice(0, 12)}`,
  );
  const runs = (data.check_runs ?? []) as RawCheckRun[];
  const mine = runs
    .filter((r) => r.external_id === externalId)
    .filter((r) => !ctx.appSlug || !r.app?.slug || r.app.slug === ctx.appSlug)
    // Newest first in GitHub's answer is not guaranteed; the highest id is the latest.
    .sort((a, b) => b.id - a.id)[0];
  return mine ? { id: mine.id, url: mine.html_url ?? "" } : undefined;
}

/** Starts (or restarts) the run for this SHA: `in_progress`, reusing an earlier run of the same SHA. */
export async function startCheckRun(
  ctx: GatewayContext,
  input: { name: string; headSha: string; externalId: string; output: CheckOutput },
): Promise<CheckRunRef> {
  const found = await findCheckRun(ctx, input.headSha, input.name, input.externalId);
  const output = fitOutput(input.output);
  const startedAt = new Date().toISOString();
  if (found) {
    await wrapGitHub(
      () =>
        ctx.octokit.rest.checks.update({
          owner: ctx.owner,
          repo: ctx.repo,
          check_run_id: found.id,
          status: "in_progress",
          started_at: startedAt,
          output,
        }),
      `restart check run ${found.id}`,
    );
    return { ...found, created: false };
  }
  const { data } = await wrapGitHub(
    () =>
      ctx.octokit.rest.checks.create({
        owner: ctx.owner,
        repo: ctx.repo,
        name: input.name,
        head_sha: input.headSha,
        external_id: input.externalId,
        status: "in_progress",
        started_at: startedAt,
        output,
      }),
    `create check run ${input.name}`,
  );
  ctx.log.info({ checkRunId: data.id, headSha: input.headSha }, "check run started");
  return { id: data.id, url: data.html_url ?? "", created: true };
}

function annotationKey(a: CheckAnnotation): string {
  return `${a.path}\0${a.start_line}\0${a.end_line}\0${a.annotation_level}\0${a.title}\0${a.message}`;
}

/** Annotations already on a run (all pages), keyed by what GitHub would show twice. */
async function existingAnnotations(ctx: GatewayContext, checkRunId: number): Promise<Set<string>> {
  const all = await wrapGitHub(
    () =>
      ctx.octokit.paginate(ctx.octokit.rest.checks.listAnnotations, {
        owner: ctx.owner,
        repo: ctx.repo,
        check_run_id: checkRunId,
        per_page: PER_PAGE_MAX,
      }),
    `list annotations of check run ${checkRunId}`,
  );
  return new Set(
    (all as Array<Partial<CheckAnnotation>>).map((a) =>
      annotationKey({
        path: a.path ?? "",
        start_line: a.start_line ?? 0,
        end_line: a.end_line ?? 0,
        annotation_level: (a.annotation_level ?? "notice") as AnnotationLevel,
        title: a.title ?? "",
        message: a.message ?? "",
      }),
    ),
  );
}

/**
 * Completes a run: annotations in batches of 50 (each update carries the output, as GitHub requires),
 * the conclusion on the last request. `reused` runs are checked for annotations they already carry.
 */
export async function completeCheckRun(
  ctx: GatewayContext,
  input: {
    checkRunId: number;
    conclusion: CheckConclusion;
    output: CheckOutput;
    annotations: CheckAnnotation[];
    reused: boolean;
  },
): Promise<{ requests: number; annotations: number }> {
  const output = fitOutput(input.output);
  let annotations = input.annotations.map(fitAnnotation);
  if (input.reused && annotations.length > 0) {
    const have = await existingAnnotations(ctx, input.checkRunId);
    annotations = annotations.filter((a) => !have.has(annotationKey(a)));
  }
  const batches: CheckAnnotation[][] = [];
  for (let i = 0; i < annotations.length; i += CHECK_RUN_ANNOTATIONS_PER_REQUEST)
    batches.push(annotations.slice(i, i + CHECK_RUN_ANNOTATIONS_PER_REQUEST));
  if (batches.length === 0) batches.push([]);
  for (let i = 0; i < batches.length; i++) {
    const last = i === batches.length - 1;
    const batch = batches[i]!;
    await wrapGitHub(
      () =>
        ctx.octokit.rest.checks.update({
          owner: ctx.owner,
          repo: ctx.repo,
          check_run_id: input.checkRunId,
          output: batch.length > 0 ? { ...output, annotations: batch } : output,
          ...(last
            ? { status: "completed", conclusion: input.conclusion, completed_at: new Date().toISOString() }
            : {}),
        }),
      `complete check run ${input.checkRunId}`,
    );
  }
  ctx.log.info(
    { checkRunId: input.checkRunId, conclusion: input.conclusion, annotations: annotations.length },
    "check run completed",
  );
  return { requests: batches.length, annotations: annotations.length };
}
