// Item 12: every renderer that builds a Steward comment, walked with the hostile corpus in EVERY free
// string field of its input (a path, a version, a title, a worker's branch, a log message, the
// model's prose …), judged by an independent GFM parser: no live image, link, mention, task box,
// raw HTML or marker that came from that text. The end-to-end tests beside this one drive the
// webhook, worker API and CLI paths; this one makes sure no renderer was forgotten.
import { describe, expect, it } from "vitest";
import { renderProposal, renderRetiredProposal } from "../../src/agents/render.ts";
import { renderRunStatus } from "../../src/agents/status.ts";
import { renderConfigNotice, renderFailure } from "../../src/app/notices.ts";
import { renderRejected } from "../../src/github/reviews.ts";
import { issueBody, resolvedSummary, statsBody, statusComment } from "../../src/incidents/github/render.ts";
import { renderAnalysis } from "../../src/tools/analyze/render.ts";
import { renderAsk } from "../../src/tools/ask/render.ts";
import { renderDescribeSection } from "../../src/tools/describe/render.ts";
import { renderConfig } from "../../src/tools/help.ts";
import { renderImproveComment, suggestionCommentBody } from "../../src/tools/improve/render.ts";
import { renderMapping } from "../../src/tools/issues/map-render.ts";
import { renderFacts } from "../../src/tools/pr-facts/render.ts";
import { renderFindingComment, renderReviewComment } from "../../src/tools/review/render.ts";
import { renderSimilarComment } from "../../src/tools/similar/render.ts";
import { HOSTILE, liveConstructs } from "../helpers/markdown-oracle.ts";

// Enum-like values (severity, likelihood, status …) stay, so each renderer takes its normal path;
// every other string is replaced by the next hostile sample.
const ENUMISH = /^[a-z_-]{1,20}$/;

function poison<T>(value: T, sample: string): T {
  if (typeof value === "string") return (ENUMISH.test(value) ? value : sample) as T;
  if (Array.isArray(value)) return value.map((v) => poison(v, sample)) as T;
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, poison(v, sample)])) as T;
  return value;
}

// Steward's own structure in these comments: the tags, links and checkboxes it writes itself.
const OWN_TAGS = new Set([
  ...["h2", "h3", "table", "thead", "tbody", "tr", "th", "td", "details", "summary", "sub", "hr"],
  ...["a", "input"], // links and boxes are judged on their own below
]);
const OWN_LINK = /^https:\/\/github\.com\/o\/r\/blob\//;

function expectInert(name: string, body: string, ownBoxes = 0, verbatimBlock = false): void {
  const live = liveConstructs(body);
  const where = `${name}:\n${body}`;
  expect(live.images, where).toEqual([]);
  expect(
    live.links.filter((l) => !OWN_LINK.test(l)),
    where,
  ).toEqual([]);
  // A blob link's path comes from the text; resolved as a browser would, it stays in o/r's blobs.
  for (const l of live.links) expect(new URL(l).href, where).toMatch(OWN_LINK);
  expect(live.mentions, where).toEqual([]);
  expect(live.boxes, where).toBe(ownBoxes);
  expect(
    // The text's own "<!-- steward:" lose their colon (꞉), so a remaining one is Steward's.
    live.comments.filter((c) => !c.startsWith("<!-- steward:")),
    where,
  ).toEqual([]);
  expect(
    live.tags.filter((t) => !OWN_TAGS.has(t)),
    where,
  ).toEqual([]);
  expect(live.invisible, where).toEqual([]);
  // Markers are Steward's: exactly the ones it wrote, never one from the text (even in code). A
  // proposal's command block is the exception: the approver must see the exact JSON that runs
  // (Steward reads a proposal's marker from its first line only).
  if (!verbatimBlock) {
    const markers = body.match(/<!--\s*steward:/gi) ?? [];
    expect(markers.length, where).toBe(live.comments.length);
  }
}

const SHA = "0123456789abcdef0123456789abcdef01234567";
const REPO = { owner: "o", repo: "r" };

const facts = {
  totals: { files: 2, additions: 3, deletions: 1 },
  areas: [{ area: "src area", files: 1, additions: 1, deletions: 0 }],
  tests: {
    sourceFiles: ["src/a.ts"],
    testFiles: [],
    untested: [{ file: "src/a.ts", expected: ["src/a.test.ts"] }],
  },
  dependencies: [
    {
      manifest: "package.json",
      ecosystem: "npm",
      name: "left pad",
      change: "added",
      version: "1.0 x",
      section: "deps x",
    },
    {
      manifest: "package.json",
      ecosystem: "npm",
      name: "zod x",
      change: "changed",
      version: "2 x",
      from: "1 x",
    },
    { manifest: "package.json", ecosystem: "npm", name: "old x", change: "removed" },
  ],
  risky: [{ path: "src/auth.ts", reason: "auth path" }],
  secrets: [{ file: "src/k.ts", line: 2, kind: "AWS access key id", preview: "AKIA…" }],
  large: [{ path: "dist/x.js", reason: "generated", changedLines: 900 }],
};

const finding = {
  file: "src/a.ts",
  startLine: 1,
  endLine: 2,
  severity: "major",
  title: "A title",
  explanation: "An explanation.",
};

const suggestion = {
  file: "src/a.ts",
  startLine: 1,
  endLine: 1,
  existingCode: "",
  improvedCode: "const x = 1;",
  label: "possible bug",
  score: 8,
  summary: "A summary.",
};

const incident = {
  id: 7,
  fingerprint: "f".repeat(32),
  fpVersion: "steward:2026-11",
  service: "api svc",
  exceptionType: "Type Error",
  title: "Error: boom now",
  firstSeen: 1_700_000_000_000,
  lastSeen: 1_700_000_100_000,
  count: 3,
  status: "regressed",
  regressionCount: 1,
  issueNumber: 5,
  repo: "o/r",
  linkedPrs: [],
  sample: {
    message: "boom message",
    stack: "Error: boom\n    at x (a.js:1:1)",
    method: "POST",
    path: "/login path",
    traceId: "trace id",
    release: "v1 x",
    record: { msg: "a record" },
  },
  lastRelease: "v2 x",
  fixRelease: "v3 x",
  fixMergedAt: 1_700_000_050_000,
  resolvedAt: 1_700_000_090_000,
  regressedAt: null,
  statsCommentAt: null,
  statsCount: 0,
  syncedStatus: null,
  createdAt: 0,
  updatedAt: 0,
};

const run = {
  id: 3,
  repo: "o/r",
  installationId: 1,
  ticketNumber: 1,
  state: "completed",
  instructions: "Do it",
  requestedBy: "maya",
  requesters: ["maya"],
  triggerCommentId: 1,
  coalescedCommentIds: [],
  deliveredCommentIds: [],
  context: {},
  branch: "fix branch",
  headSha: null,
  statusCommentId: null,
  workerId: "w1",
  leaseUntil: null,
  followUpPending: false,
  attempts: 1,
  createdAt: 0,
  updatedAt: 0,
  startedAt: 0,
  finishedAt: 0,
  result: { summary: "Summary text.", branch: "fix branch", commit: "abc1234", error: "Error text." },
};

type Renderer = [
  name: string,
  render: (sample: string) => string,
  ownBoxes?: number,
  verbatimBlock?: boolean,
];

const RENDERERS: Renderer[] = [
  ["pr-facts renderFacts", (s) => renderFacts(poison(facts, s) as never)],
  [
    "review renderReviewComment",
    (s) =>
      renderReviewComment({
        repo: REPO,
        headSha: SHA,
        review: poison(
          {
            effort: 2,
            summary: "Summary.",
            findings: [finding],
            securityConcerns: ["A concern."],
            tests: { assessment: "An assessment.", missing: ["A missing test."] },
            canBeSplit: { possible: true, suggestions: [{ title: "Part one", files: ["src/a.ts"] }] },
          },
          s,
        ) as never,
        findings: [
          { finding: poison(finding, s) as never, anchorError: null },
          { finding: poison(finding, s) as never, anchorError: "not in the diff" },
        ],
        facts: poison(facts, s) as never,
        notReviewed: [poison({ path: "big.sql", reason: "over budget" }, s)],
        llmNote: "No model.",
      }),
  ],
  ["review renderFindingComment", (s) => renderFindingComment(poison(finding, s) as never)],
  [
    "describe renderDescribeSection",
    (s) =>
      renderDescribeSection({
        describe: poison(
          {
            types: ["feature"],
            title: "A title",
            summary: ["A summary line."],
            walkthrough: [{ file: "src/a.ts", summary: "Changed a." }],
            diagram: `flowchart LR\n  A-->B\n  click A "${s}"`,
          },
          s,
        ) as never,
        notReviewed: [poison({ path: "big.sql", reason: "over budget" }, s)],
      }),
  ],
  [
    "improve renderImproveComment",
    (s) =>
      renderImproveComment({
        repo: REPO,
        headSha: SHA,
        posted: [poison(suggestion, s) as never],
        rest: [{ ...poison(suggestion, s), why: s } as never],
        duplicates: 0,
        threshold: 7,
        notReviewed: [poison({ path: "big.sql", reason: "over budget" }, s)],
      }),
  ],
  [
    "improve suggestionCommentBody (outside the suggestion block)",
    (s) => {
      const r = suggestionCommentBody(
        { ...poison(suggestion, s), fingerprint: "v1:0123456789abcdef0123" } as never,
        ["const x = 0;"],
      );
      // The committable block is the feature (the model's code, verbatim, for a human to accept);
      // everything around it must be inert.
      return r.ok ? r.body.replace(/^(`{3,})suggestion\n[\s\S]*?\n\1$/m, "") : r.reason;
    },
  ],
  [
    "ask renderAsk",
    (s) =>
      renderAsk({
        repo: REPO,
        headSha: SHA,
        question: s,
        answer: poison(
          { answer: "An answer.", references: [{ file: "src/a.ts", line: 3 }, { file: "x y" }] },
          s,
        ) as never,
        changedFiles: ["src/a.ts", s],
        notReviewed: [poison({ path: "big.sql", reason: "over budget" }, s)],
      }),
  ],
  [
    "analyze renderAnalysis",
    (s) =>
      renderAnalysis(
        poison(
          {
            summary: "Summary.",
            facts: ["A fact."],
            assumptions: ["An assumption."],
            unknowns: ["An unknown."],
            components: [{ name: "A name", role: "A role." }],
            hypotheses: [
              { statement: "A statement.", likelihood: "high", evidence: "Evidence.", test: "A test." },
            ],
            path: ["A step."],
          },
          s,
        ) as never,
      ),
  ],
  [
    "similar renderSimilarComment",
    (s) =>
      renderSimilarComment(
        {
          duplicates: [
            { number: 4, title: s, kind: "issue", state: "open", score: 0.9, closedBy: [5], shared: [s] },
          ],
          related: [{ number: 6, title: s, kind: "pr", state: "open", score: 0.4, closedBy: [], shared: [] }],
        } as never,
        { duplicateLabel: "duplicate" },
      ) ?? "",
  ],
  [
    "issue map renderMapping",
    (s) =>
      renderMapping([
        {
          number: 9,
          title: s,
          source: "closing-keyword",
          relation: s,
          mapping: poison(
            {
              links: [
                {
                  element: { kind: "path", value: "src/a.ts", evidence: "see src/a.ts" },
                  path: "src/a.ts",
                  hunk: { newStart: 1, newLines: 2 },
                  score: 1,
                  evidence: "path match",
                },
              ],
              unaddressed: [{ kind: "error", value: "TypeError x", evidence: "TypeError x" }],
              coverage: 0.5,
            },
            s,
          ) as never,
        },
      ]),
  ],
  ["incidents issueBody", (s) => issueBody(poison(incident, s) as never, { minPermission: "triage" })],
  ["incidents statsBody", (s) => statsBody(poison(incident, s) as never, 1_700_000_200_000)],
  ["incidents resolvedSummary", (s) => resolvedSummary(poison(incident, s) as never)],
  [
    "incidents statusComment (regressed)",
    (s) => statusComment(poison(incident, s) as never, { verificationHours: 24 })?.body ?? "",
  ],
  [
    "agents renderRunStatus",
    (s) =>
      renderRunStatus(poison(run, s) as never, {
        progress: s,
        proposals: [{ id: "p1", status: "pending", type: "open_pr" }],
      }),
  ],
  [
    "agents renderProposal (worker's command)",
    (s) =>
      renderProposal({
        id: "p1",
        sha256: "a".repeat(64),
        risk: "write",
        command: { type: "open_pr", head: s, base: "main", title: s, body: s } as never,
        repo: "o/r",
        ticketNumber: 1,
        runId: 3,
        headSha: null,
        expiresAt: 0,
      }),
    1,
    true,
  ],
  [
    "agents renderRetiredProposal",
    (s) =>
      renderRetiredProposal(
        {
          id: "p1",
          sha256: "a".repeat(64),
          risk: "write",
          command: { type: "open_pr", head: s, base: "main", title: s, body: s } as never,
          repo: "o/r",
          ticketNumber: 1,
          runId: 3,
          headSha: null,
          expiresAt: 0,
        },
        "expired",
        "it expired",
      ),
    0,
    true,
  ],
  ["config notice", (s) => renderConfigNotice([s, `review.max_findings: ${s}`])],
  [
    "job failure notice",
    (s) =>
      renderFailure(
        { id: 1, kind: "pr.review", attempts: 3, deliveryId: "d1" } as never,
        `Unexpected error: ${s}`,
        "Retry.",
      ),
  ],
  ["/config body", (s) => renderConfig({ review: { extra_instructions: s, [s]: s } }, ".github/steward.yml")],
  [
    "unplaced review comments",
    (s) =>
      renderRejected([
        {
          comment: {
            path: s,
            line: 1,
            side: "RIGHT",
            body: renderFindingComment(poison(finding, s) as never),
          },
          reason: "outside the diff",
        },
      ]),
  ],
];

describe("every renderer, with the hostile corpus in every free field", () => {
  const samples = [...HOSTILE, HOSTILE.join("\n"), HOSTILE.join(" ")];
  for (const [name, render, ownBoxes, verbatimBlock] of RENDERERS) {
    it(name, () => {
      for (const s of samples) expectInert(name, render(s), ownBoxes ?? 0, verbatimBlock ?? false);
    });
  }
});
