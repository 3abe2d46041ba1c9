import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../../src/errors.ts";
import { api, makeGateway, REPO_PATH } from "./helpers.ts";

describe("react", () => {
  it("puts 👀 on an issue comment", async () => {
    api().post(`${REPO_PATH}/issues/comments/5/reactions`, { content: "eyes" }).reply(201, { id: 1 });
    await makeGateway().react({ issueCommentId: 5 });
  });

  it("reacts on review comments and issues", async () => {
    api().post(`${REPO_PATH}/pulls/comments/6/reactions`, { content: "eyes" }).reply(201, { id: 2 });
    api().post(`${REPO_PATH}/issues/7/reactions`, { content: "rocket" }).reply(201, { id: 3 });
    const gw = makeGateway();
    await gw.react({ reviewCommentId: 6 }, "eyes");
    await gw.react({ issueNumber: 7 }, "rocket");
  });

  it("ignores 422 (already reacted) but not other failures", async () => {
    api().post(`${REPO_PATH}/issues/comments/5/reactions`).reply(422, { message: "Validation Failed" });
    await makeGateway().react({ issueCommentId: 5 });
    api()
      .post(`${REPO_PATH}/issues/comments/5/reactions`)
      .reply(403, { message: "Resource not accessible by integration" });
    await expect(makeGateway().react({ issueCommentId: 5 })).rejects.toMatchObject({ status: 403 });
  });
});

describe("issues and labels", () => {
  it("createIssue clips the title and truncates the body with a note", async () => {
    const body = `${"b".repeat(99)}\n`.repeat(700);
    api()
      .post(`${REPO_PATH}/issues`, (b: { title: string; body: string; labels: string[] }) => {
        return (
          b.title === `${"t".repeat(255)}…` &&
          b.body.length <= 65_000 &&
          /\n\n…truncated: \d+ characters omitted$/.test(b.body) &&
          b.labels.join() === "incident"
        );
      })
      .reply(201, { number: 12, id: 120, html_url: "i12", state: "open" });
    const ref = await makeGateway().createIssue({ title: "t".repeat(300), body, labels: ["incident"] });
    expect(ref).toEqual({ number: 12, id: 120, url: "i12", state: "open" });
  });

  it("closeIssue and reopenIssue send state and reason", async () => {
    api()
      .patch(`${REPO_PATH}/issues/3`, { state: "closed", state_reason: "not_planned" })
      .reply(200, { number: 3, id: 30, html_url: "i3", state: "closed" });
    api()
      .patch(`${REPO_PATH}/issues/3`, { state: "open", state_reason: "reopened" })
      .reply(200, { number: 3, id: 30, html_url: "i3", state: "open" });
    const gw = makeGateway();
    expect((await gw.closeIssue(3, "not_planned")).state).toBe("closed");
    expect((await gw.reopenIssue(3)).state).toBe("open");
  });

  it("updateIssue sends only what changes", async () => {
    api()
      .patch(`${REPO_PATH}/issues/3`, { title: "New title" })
      .reply(200, { number: 3, id: 30, html_url: "i3", state: "open" });
    await makeGateway().updateIssue(3, { title: "New title" });
  });

  it("addLabels and removeLabel (404 is fine)", async () => {
    api()
      .post(`${REPO_PATH}/issues/3/labels`, { labels: ["needs-info"] })
      .reply(200, []);
    api().delete(`${REPO_PATH}/issues/3/labels/needs%20info`).reply(404, { message: "Label does not exist" });
    const gw = makeGateway();
    await gw.addLabels(3, ["needs-info"]);
    await gw.removeLabel(3, "needs info");
  });

  it("ensureLabel creates a missing label and accepts one created concurrently", async () => {
    api().get(`${REPO_PATH}/labels/steward%3Aincident`).reply(404, { message: "Not Found" });
    api()
      .post(`${REPO_PATH}/labels`, {
        name: "steward:incident",
        color: "d73a4a",
        description: "Raised by Steward",
      })
      .reply(201, {});
    api().get(`${REPO_PATH}/labels/bug`).reply(404, { message: "Not Found" });
    api()
      .post(`${REPO_PATH}/labels`)
      .reply(422, {
        message: "Validation Failed",
        errors: [{ resource: "Label", code: "already_exists", field: "name" }],
      });
    api().get(`${REPO_PATH}/labels/ok`).reply(200, { name: "ok" });
    const gw = makeGateway();
    expect(await gw.ensureLabel("steward:incident", "#d73a4a", "Raised by Steward")).toBe("created");
    expect(await gw.ensureLabel("bug", "ee0701")).toBe("exists");
    expect(await gw.ensureLabel("ok", "ee0701")).toBe("exists");
  });

  it("ensureLabel validates name and color before calling GitHub", async () => {
    const gw = makeGateway();
    await expect(gw.ensureLabel("x".repeat(51), "ffffff")).rejects.toThrow(InvalidInputError);
    await expect(gw.ensureLabel("fine", "red")).rejects.toThrow(/six hex digits/);
  });
});
