// The same outside view with the store on Postgres (DATABASE_URL=postgres://…, a fresh schema): a PR
// opened runs describe and review, a command is acknowledged and answered once, and a redelivery is
// dropped by delivery id. Skipped without TEST_DATABASE_URL (CI always sets it).
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { PG_URL } from "../helpers/db.ts";
import { startWorld, type World } from "./harness.ts";
import { issueCommentPayload, prFiles, pullRequestPayload, userComments } from "./payloads.ts";
import type { SimRepo } from "./sim/state.ts";

describe.skipIf(!PG_URL)("e2e on Postgres: PR opened, a command, a redelivery", { timeout: 240_000 }, () => {
  let w: World;
  let repo: SimRepo;
  const bot = (n: number) => w.sim.state.commentsOn(repo, n).filter((c) => c.user.login === w.sim.botLogin);

  beforeAll(async () => {
    w = await startWorld({ store: "postgres" });
    repo = w.sim.state.addRepo("acme/pg");
    repo.permissions.set("alice", "write");
  });
  afterEach(() => w.assertClean());
  afterAll(async () => {
    await w?.stop();
  });

  it("a PR opened gets its description and one review; the jobs are rows in Postgres", async () => {
    expect(w.env.DATABASE_URL).toMatch(/^postgres/);
    const pr = w.sim.state.openPull(repo, {
      title: "Query method",
      body: "Adds ky.query().",
      author: "alice",
      head: "q",
      files: prFiles("ky-query-method"),
    });
    await w.deliver("pull_request", pullRequestPayload(w, repo, pr, "opened"));
    await w.idle();
    expect(pr.body).toMatch(/^Adds ky\.query\(\)\.\n[\s\S]*<!-- steward:describe:start -->/);
    const review = bot(pr.number);
    expect(review).toHaveLength(1);
    expect(review[0]?.body).toContain("## Steward review");
    const kinds = (
      await w.db.query<{ kind: string }>("SELECT kind FROM jobs WHERE state = 'done' ORDER BY id")
    ).map((r) => r.kind);
    expect(kinds).toEqual(expect.arrayContaining(["pr.auto", "pr.describe", "pr.review"]));
  });

  it("/help is answered once, and the same delivery again does nothing", async () => {
    const pr = w.sim.state.openPull(repo, {
      title: "Help",
      author: "alice",
      head: "h",
      files: prFiles("express-rename-only"),
    });
    const first = await userComments(w, repo, pr.number, "alice", "/help", "pg-delivery-1");
    await w.idle();
    expect(bot(pr.number)).toHaveLength(1);
    const again = await w.deliver("issue_comment", issueCommentPayload(w, repo, first.comment, "created"), {
      id: "pg-delivery-1",
    });
    expect(again.status).toBeLessThan(300);
    await w.idle();
    expect(bot(pr.number)).toHaveLength(1);
    expect(w.sim.calls("issues/create-comment")).toHaveLength(2);
  });
});
