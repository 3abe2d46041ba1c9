// Model answers shared by the PR-tool tests.

export const REVIEW = {
  effort: 2,
  summary: "Adds QUERY to the methods req.fresh validates.",
  findings: [
    {
      file: "lib/request.js",
      startLine: 475,
      endLine: 476,
      severity: "minor",
      title: "Comment and condition must stay in sync",
      explanation: "The method list is duplicated in the comment.",
    },
    {
      file: "lib/request.js",
      startLine: 12,
      endLine: 12,
      severity: "major",
      title: "Unrelated line outside the diff",
      explanation: "This line is not part of any hunk.",
    },
  ],
  securityConcerns: [],
  tests: { assessment: "Two tests cover QUERY with and without a matching ETag." },
  canBeSplit: { possible: false, suggestions: [] },
};
