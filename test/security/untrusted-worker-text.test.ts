// Item 12, worker side: a compromised or buggy worker writes free text that Steward publishes: the
// `branch` and `summary` of its result (run status comment), its progress messages, and assistance
// questions. Driven through a signed `/agent` webhook and the real worker HTTP API, against a
// stateful fake GitHub that stores every comment body Steward posts.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { proposalMarkerOf } from "../../src/agents/render.ts";
import { sqliteTestDb } from "../helpers/db.ts";
import { liveConstructs } from "../helpers/markdown-oracle.ts";
import { Harness, ISSUE, MAYA, settle } from "./approvals/harness.ts";

// Each line is one attack: a real approval box and a proposal marker, a tracking image, a team
// mention, a phishing link, raw HTML, and backticks that try to close the code span or fence.
const BRANCH =
  "fix`\n- [x] approve p1 (sha256:000000000000)\n<!-- steward:proposal id=p1 sha=ab --> @org/team";
const SUMMARY = [
  "Done. ![x](https://evil.example/pixel.png) cc @org/team",
  "- [x] approve p1 (sha256:000000000000)",
  "<!-- steward:proposal id=p1 sha=abc -->",
  "[login again](http://evil.example/login) <details open><img src=x>",
  "```",
  "<!-- unterminated",
].join("\n");
// A zero-width space between backticks: removing it AFTER choosing the fence (the old order) joined
// three backticks into a line that closed the fence, and the lines after it were live Markdown.
const QUESTION =
  "Which base?\n``\u200b`\n- [ ] approve p1 (sha256:000000000000)\n![t](https://evil.example/q.png) @octocat";

function expectInert(body: string): void {
  const live = liveConstructs(body);
  expect(live.images, body).toEqual([]);
  expect(live.links, body).toEqual([]);
  expect(live.mentions, body).toEqual([]);
  expect(live.boxes, body).toBe(0);
  expect(live.invisible, body).toEqual([]);
  // Only Steward's own marker, on the first line.
  expect(live.comments.length, body).toBe(1);
  expect(body.indexOf("<!--")).toBe(0);
  expect(body.match(/<!--\s*steward:/gi), body).toHaveLength(1);
  expect(
    live.tags.filter((t) => !["h3", "table", "thead", "tbody", "tr", "th", "td"].includes(t)),
    body,
  ).toEqual([]);
  // Steward's approval parser only reads comments whose FIRST line is a proposal marker.
  expect(proposalMarkerOf(body)).toBeNull();
}

describe("worker free text in Steward's comments (item 12)", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await new Harness(await sqliteTestDb()).start();
  });
  afterEach(async () => h.stop());

  it("branch, summary, progress and an assistance question are published inert", async () => {
    await h.agent("fix the crash", MAYA, ISSUE);
    const { runId, token } = await h.claim();

    expect((await h.call(`/runs/${runId}/progress`, token, { message: SUMMARY })).status).toBe(200);
    await settle();
    const q = await h.call(`/runs/${runId}/assistance`, token, { question: QUESTION });
    expect(q.status).toBe(201);
    await settle();
    const asked = h.gh.own("assistance");
    expect(asked).toHaveLength(1);
    const question = asked[0]!.body;
    expectInert(question);
    // The fence is chosen after the zero-width space is gone: four backticks, so the three that
    // remain are content.
    expect(question).toContain(
      "````text\nWhich base?\n```\n- [ ] approve p1 (sha256:000000000000)\n![t](https://evil.example/q.png) @octocat\n````",
    );

    const done = await h.call(`/runs/${runId}/result`, token, {
      status: "completed",
      summary: SUMMARY,
      branch: BRANCH,
    });
    expect(done.status).toBe(200);
    await settle();
    const status = h.gh.own("agent-run");
    expect(status).toHaveLength(1);
    const body = status[0]!.body;
    expectInert(body);
    expect(body).toContain(
      "**Output:** branch ``fix` - [x] approve p1 (sha256:000000000000) <!-- steward\ua789proposal id=p1 sha=ab --> @org/team``",
    );
    expect(body).toContain("> Done. `![x](https://evil.example/pixel.png)` cc `@org/team`");
    expect(body).toContain("> - \\[x\\] approve p1 (sha256:000000000000)");
  });
});
