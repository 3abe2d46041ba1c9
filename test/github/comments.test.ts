import { describe, expect, it } from "vitest";
import { BODY_TARGET } from "../../src/github/limits.ts";
import { renderMarker } from "../../src/github/markers.ts";
import { api, BOT, HUMAN, makeGateway, REPO_PATH } from "./helpers.ts";

const COMMENTS = `${REPO_PATH}/issues/5/comments`;
const marker = (part?: number, state?: unknown) => renderMarker({ kind: "review", key: "pr-5", part, state });
const url = (id: number) => `https://github.com/octo/app/pull/5#issuecomment-${id}`;
const comment = (id: number, body: string, user = BOT) => ({ id, body, user, html_url: url(id) });

describe("upsertComment", () => {
  it("creates the comment with its marker when none exists", async () => {
    api()
      .get(COMMENTS)
      .query({ per_page: 100 })
      .reply(200, [comment(1, `${marker()}\nnot ours`, HUMAN), comment(2, "unrelated", BOT)]);
    api()
      .post(COMMENTS, { body: `${marker(undefined, { lastReviewedSha: "abc" })}\nHello` })
      .reply(201, comment(10, "x"));
    const res = await makeGateway().upsertComment({
      issueNumber: 5,
      kind: "review",
      key: "pr-5",
      body: "Hello",
      state: { lastReviewedSha: "abc" },
    });
    expect(res).toEqual({ id: 10, url: url(10), created: true, parts: [{ id: 10, url: url(10) }] });
  });

  it("edits Steward's own comment when the body changed", async () => {
    api()
      .get(COMMENTS)
      .query({ per_page: 100 })
      .reply(200, [comment(7, `${marker()}\nold`)]);
    api()
      .patch(`${REPO_PATH}/issues/comments/7`, { body: `${marker()}\nnew` })
      .reply(200, comment(7, "x"));
    const res = await makeGateway().upsertComment({
      issueNumber: 5,
      kind: "review",
      key: "pr-5",
      body: "new",
    });
    expect(res).toMatchObject({ id: 7, created: false });
  });

  it("makes no request beyond the listing when the body is identical", async () => {
    api()
      .get(COMMENTS)
      .query({ per_page: 100 })
      .reply(200, [comment(7, `${marker()}\nsame`)]);
    const res = await makeGateway().upsertComment({
      issueNumber: 5,
      kind: "review",
      key: "pr-5",
      body: "same",
    });
    expect(res).toEqual({ id: 7, url: url(7), created: false, parts: [{ id: 7, url: url(7) }] });
  });

  it("is idempotent: a second identical call finds the first comment and changes nothing", async () => {
    const gw = makeGateway();
    const posted = `${marker()}\nonce`;
    api().get(COMMENTS).query({ per_page: 100 }).reply(200, []);
    api().post(COMMENTS, { body: posted }).reply(201, comment(3, posted));
    api()
      .get(COMMENTS)
      .query({ per_page: 100 })
      .reply(200, [comment(3, posted)]);
    const first = await gw.upsertComment({ issueNumber: 5, kind: "review", key: "pr-5", body: "once" });
    const second = await gw.upsertComment({ issueNumber: 5, kind: "review", key: "pr-5", body: "once" });
    expect(first.created).toBe(true);
    expect(second).toEqual({ ...first, created: false });
  });

  it("ignores a bot comment from another App when appSlug is set", async () => {
    const other = { login: "other-app[bot]", type: "Bot" };
    api()
      .get(COMMENTS)
      .query({ per_page: 100 })
      .reply(200, [comment(4, `${marker()}\nforged`, other)]);
    api()
      .post(COMMENTS, { body: `${marker()}\nmine` })
      .reply(201, comment(11, "x"));
    const res = await makeGateway().upsertComment({
      issueNumber: 5,
      kind: "review",
      key: "pr-5",
      body: "mine",
    });
    expect(res.id).toBe(11);
  });

  it("splits a long body into marked parts, each within the limit", async () => {
    const line = `${"x".repeat(99)}\n`;
    const body = line.repeat(1000); // 100,000 characters
    const bodies: string[] = [];
    api().get(COMMENTS).query({ per_page: 100 }).reply(200, []);
    for (const part of [1, 2]) {
      api()
        .post(COMMENTS, (b: { body: string }) => {
          if (!b.body.startsWith(`${marker(part)}\n_(part ${part}/2)_\n\n`)) return false;
          bodies[part - 1] = b.body;
          return true;
        })
        .reply(201, comment(20 + part, "x"));
    }
    const res = await makeGateway().upsertComment({ issueNumber: 5, kind: "review", key: "pr-5", body });
    expect(res.parts.map((p) => p.id)).toEqual([21, 22]);
    expect(bodies).toHaveLength(2);
    for (const b of bodies) expect(b.length).toBeLessThanOrEqual(BODY_TARGET);
    const content = bodies.map((b) => b.replace(/^<!--.*?-->\n_\(part \d\/2\)_\n\n/, "")).join("");
    expect(content).toBe(body);
  });

  it("edits parts in place and deletes stale parts left by a longer previous version", async () => {
    api()
      .get(COMMENTS)
      .query({ per_page: 100 })
      .reply(200, [
        comment(31, `${marker(1)}\n_(part 1/3)_\n\nold one`),
        comment(32, `${marker(2)}\n_(part 2/3)_\n\nold two`),
        comment(33, `${marker(3)}\n_(part 3/3)_\n\nold three`),
      ]);
    api()
      .patch(`${REPO_PATH}/issues/comments/31`, { body: `${marker()}\nshort now` })
      .reply(200, comment(31, "x"));
    api().delete(`${REPO_PATH}/issues/comments/32`).reply(204);
    api().delete(`${REPO_PATH}/issues/comments/33`).reply(404, { message: "Not Found" });
    const res = await makeGateway().upsertComment({
      issueNumber: 5,
      kind: "review",
      key: "pr-5",
      body: "short now",
    });
    expect(res).toEqual({ id: 31, url: url(31), created: false, parts: [{ id: 31, url: url(31) }] });
  });

  it("re-creates the comment when it was deleted between listing and editing", async () => {
    api()
      .get(COMMENTS)
      .query({ per_page: 100 })
      .reply(200, [comment(7, `${marker()}\nold`)]);
    api()
      .patch(`${REPO_PATH}/issues/comments/7`, { body: `${marker()}\nnew` })
      .reply(404, { message: "Not Found" });
    api()
      .post(COMMENTS, { body: `${marker()}\nnew` })
      .reply(201, comment(8, "x"));
    const res = await makeGateway().upsertComment({
      issueNumber: 5,
      kind: "review",
      key: "pr-5",
      body: "new",
    });
    expect(res).toMatchObject({ id: 8, created: true });
  });

  it("deletes a duplicate left by an earlier race and keeps the oldest", async () => {
    api()
      .get(COMMENTS)
      .query({ per_page: 100 })
      .reply(200, [comment(41, `${marker()}\nsame`), comment(40, `${marker()}\nsame`)]);
    api().delete(`${REPO_PATH}/issues/comments/41`).reply(204);
    const res = await makeGateway().upsertComment({
      issueNumber: 5,
      kind: "review",
      key: "pr-5",
      body: "same",
    });
    expect(res.id).toBe(40);
  });

  it("follows pagination when looking for its comment", async () => {
    const next = `<https://api.github.com${COMMENTS}?per_page=100&page=2>; rel="next"`;
    api()
      .get(COMMENTS)
      .query({ per_page: 100 })
      .reply(200, [comment(1, "a", HUMAN)], { link: next });
    api()
      .get(COMMENTS)
      .query({ per_page: 100, page: 2 })
      .reply(200, [comment(150, `${marker()}\nsame`)]);
    const res = await makeGateway().upsertComment({
      issueNumber: 5,
      kind: "review",
      key: "pr-5",
      body: "same",
    });
    expect(res.id).toBe(150);
  });
});

describe("findComment / getComment / deleteComment", () => {
  it("returns the first part with its state", async () => {
    api()
      .get(COMMENTS)
      .query({ per_page: 100 })
      .reply(200, [
        comment(51, `${marker(1, { lastReviewedSha: "f00" })}\npart one`),
        comment(52, `${marker(2)}\npart two`),
      ]);
    const found = await makeGateway().findComment(5, "review", "pr-5");
    expect(found).toEqual({
      id: 51,
      url: url(51),
      body: `${marker(1, { lastReviewedSha: "f00" })}\npart one`,
      state: { lastReviewedSha: "f00" },
      parts: 2,
    });
  });

  it("returns undefined when there is no such comment", async () => {
    api()
      .get(COMMENTS)
      .query({ per_page: 100 })
      .reply(200, [comment(1, `${marker()}\nx`, HUMAN)]);
    expect(await makeGateway().findComment(5, "review", "pr-5")).toBeUndefined();
  });

  it("getComment returns undefined for a deleted comment", async () => {
    api().get(`${REPO_PATH}/issues/comments/99`).reply(404, { message: "Not Found" });
    expect(await makeGateway().getComment(99)).toBeUndefined();
  });

  it("getComment returns the comment", async () => {
    api()
      .get(`${REPO_PATH}/issues/comments/98`)
      .reply(200, {
        ...comment(98, "/approve", HUMAN),
        created_at: "2025-01-01T00:00:00Z",
        updated_at: "2025-01-02T00:00:00Z",
      });
    expect(await makeGateway().getComment(98)).toEqual({
      id: 98,
      body: "/approve",
      url: url(98),
      user: HUMAN,
      createdAt: "2025-01-01T00:00:00Z",
      updatedAt: "2025-01-02T00:00:00Z",
    });
  });

  it("deleteComment propagates errors other than 404", async () => {
    api()
      .delete(`${REPO_PATH}/issues/comments/97`)
      .reply(403, { message: "Resource not accessible by integration" });
    await expect(makeGateway().deleteComment(97)).rejects.toMatchObject({ status: 403, transient: false });
  });
});
