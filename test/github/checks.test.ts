import { describe, expect, it } from "vitest";
import type { CheckAnnotation } from "../../src/github/index.ts";
import { api, makeGateway, REPO_PATH } from "./helpers.ts";

const SHA = "a".repeat(40);
const OUTPUT = { title: "2 findings", summary: "Reviewed." };

function annotation(i: number): CheckAnnotation {
  return {
    path: "src/a.ts",
    start_line: i + 1,
    end_line: i + 1,
    annotation_level: "warning",
    title: `minor: finding ${i}`,
    message: `explanation ${i}`,
  };
}

function listRuns(runs: unknown[]) {
  api()
    .get(`${REPO_PATH}/commits/${SHA}/check-runs`)
    .query({ check_name: "Steward review", filter: "all", per_page: "100" })
    .reply(200, { total_count: runs.length, check_runs: runs });
}

describe("startCheckRun", () => {
  it("creates an in_progress run with the external id when the SHA has none of Steward's", async () => {
    // Another app's run of the same name, and an older run of Steward's on another external id, are not reused.
    listRuns([
      { id: 1, html_url: "u1", external_id: "steward:review", app: { slug: "other-app" } },
      { id: 2, html_url: "u2", external_id: "something-else", app: { slug: "steward" } },
    ]);
    let sent: any;
    api()
      .post(`${REPO_PATH}/check-runs`, (b) => {
        sent = b;
        return true;
      })
      .reply(201, { id: 77, html_url: "https://github.com/octo/app/runs/77" });
    const ref = await makeGateway().startCheckRun({
      name: "Steward review",
      headSha: SHA,
      externalId: "steward:review",
      output: { title: "Review in progress", summary: "Reviewing." },
    });
    expect(ref).toEqual({ id: 77, url: "https://github.com/octo/app/runs/77", created: true });
    expect(sent).toMatchObject({
      name: "Steward review",
      head_sha: SHA,
      external_id: "steward:review",
      status: "in_progress",
      output: { title: "Review in progress", summary: "Reviewing." },
    });
    expect(Date.parse(sent.started_at)).toBeGreaterThan(0);
  });

  it("restarts Steward's existing run for the SHA instead of creating another (the newest when several)", async () => {
    listRuns([
      { id: 5, html_url: "u5", external_id: "steward:review", app: { slug: "steward" } },
      { id: 9, html_url: "u9", external_id: "steward:review", app: { slug: "steward" } },
    ]);
    api()
      .patch(`${REPO_PATH}/check-runs/9`, (b) => b.status === "in_progress" && b.output.title === "Again")
      .reply(200, { id: 9 });
    const ref = await makeGateway().startCheckRun({
      name: "Steward review",
      headSha: SHA,
      externalId: "steward:review",
      output: { title: "Again", summary: "Reviewing." },
    });
    expect(ref).toEqual({ id: 9, url: "u9", created: false });
  });
});

describe("completeCheckRun", () => {
  it("sends 120 annotations in batches of 50, 50 and 20; the conclusion only with the last", async () => {
    const bodies: any[] = [];
    api()
      .patch(`${REPO_PATH}/check-runs/77`, (b) => {
        bodies.push(b);
        return true;
      })
      .times(3)
      .reply(200, { id: 77 });
    const annotations = Array.from({ length: 120 }, (_, i) => annotation(i));
    const r = await makeGateway().completeCheckRun({
      checkRunId: 77,
      conclusion: "failure",
      output: OUTPUT,
      annotations,
      reused: false,
    });
    expect(r).toEqual({ requests: 3, annotations: 120 });
    expect(bodies.map((b) => b.output.annotations.length)).toEqual([50, 50, 20]);
    expect(bodies.map((b) => b.conclusion ?? null)).toEqual([null, null, "failure"]);
    expect(bodies.map((b) => b.status ?? null)).toEqual([null, null, "completed"]);
    // Every request carries the output's title and summary (GitHub requires them with annotations).
    for (const b of bodies) expect(b.output).toMatchObject(OUTPUT);
    expect(bodies.flatMap((b) => b.output.annotations)).toEqual(annotations);
  });

  it("without annotations: one request, no annotations key", async () => {
    api()
      .patch(
        `${REPO_PATH}/check-runs/77`,
        (b) => b.status === "completed" && b.conclusion === "neutral" && !("annotations" in b.output),
      )
      .reply(200, { id: 77 });
    expect(
      await makeGateway().completeCheckRun({
        checkRunId: 77,
        conclusion: "neutral",
        output: OUTPUT,
        annotations: [],
        reused: false,
      }),
    ).toEqual({ requests: 1, annotations: 0 });
  });

  it("a reused run gets only the annotations it does not have yet (GitHub appends on every update)", async () => {
    const have = [annotation(0), annotation(1)];
    api()
      .get(`${REPO_PATH}/check-runs/77/annotations`)
      .query({ per_page: "100" })
      .reply(
        200,
        have.map((a) => ({ ...a, start_column: null, end_column: null, raw_details: null, blob_href: "x" })),
      );
    let sent: any;
    api()
      .patch(`${REPO_PATH}/check-runs/77`, (b) => {
        sent = b;
        return true;
      })
      .reply(200, { id: 77 });
    const r = await makeGateway().completeCheckRun({
      checkRunId: 77,
      conclusion: "neutral",
      output: OUTPUT,
      annotations: [annotation(0), annotation(1), annotation(2)],
      reused: true,
    });
    expect(r).toEqual({ requests: 1, annotations: 1 });
    expect(sent.output.annotations).toEqual([annotation(2)]);
  });

  it("caps titles (255), messages and the summary to what GitHub accepts", async () => {
    let sent: any;
    api()
      .patch(`${REPO_PATH}/check-runs/77`, (b) => {
        sent = b;
        return true;
      })
      .reply(200, { id: 77 });
    await makeGateway().completeCheckRun({
      checkRunId: 77,
      conclusion: "neutral",
      output: { title: "t".repeat(400), summary: "s\n".repeat(40_000) },
      annotations: [{ ...annotation(0), title: "x".repeat(400), message: "m".repeat(10_000) }],
      reused: false,
    });
    expect(sent.output.title).toHaveLength(255);
    expect(sent.output.summary.length).toBeLessThanOrEqual(65_535);
    expect(sent.output.summary).toMatch(/truncated/);
    expect(sent.output.annotations[0].title).toHaveLength(255);
    expect(sent.output.annotations[0].message.length).toBeLessThanOrEqual(4_001);
  });
});
