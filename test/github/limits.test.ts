import { describe, expect, it } from "vitest";
import { fitBody, truncateBody } from "../../src/github/body.ts";
import { renderParts } from "../../src/github/comments.ts";
import * as L from "../../src/github/limits.ts";

describe("GitHub limits", () => {
  it("holds the documented numbers", () => {
    expect({
      body: L.BODY_MAX,
      checkRunText: L.CHECK_RUN_TEXT_MAX,
      annotations: L.CHECK_RUN_ANNOTATIONS_PER_REQUEST,
      labelName: L.LABEL_NAME_MAX,
      labelDescription: L.LABEL_DESCRIPTION_MAX,
      title: L.TITLE_MAX,
      deliveryTimeout: L.DELIVERY_TIMEOUT_MS,
      concurrent: L.SECONDARY_MAX_CONCURRENT,
      perMinute: L.SECONDARY_CONTENT_CREATING_PER_MINUTE,
      perHour: L.SECONDARY_CONTENT_CREATING_PER_HOUR,
      secondaryWait: L.SECONDARY_LIMIT_MIN_WAIT_MS,
      perPage: L.PER_PAGE_MAX,
      pullFiles: L.PULL_FILES_MAX,
    }).toEqual({
      body: 65_536,
      checkRunText: 65_535,
      annotations: 50,
      labelName: 50,
      labelDescription: 100,
      title: 256,
      deliveryTimeout: 10_000,
      concurrent: 100,
      perMinute: 80,
      perHour: 500,
      secondaryWait: 60_000,
      perPage: 100,
      pullFiles: 3_000,
    });
    expect(L.REACTIONS).toContain(L.ACK_REACTION);
    expect(L.ACK_REACTION).toBe("eyes");
  });

  it("keeps Steward's own target safely below every body limit", () => {
    expect(L.BODY_TARGET).toBeLessThan(L.BODY_MAX);
    expect(L.BODY_TARGET).toBeLessThan(L.CHECK_RUN_TEXT_MAX);
  });

  it("a body one character over the hard limit is split or truncated to the target", () => {
    const body = "x".repeat(L.BODY_MAX + 1);
    expect(fitBody(body).every((p) => p.length <= L.BODY_TARGET)).toBe(true);
    expect(truncateBody(body).length).toBeLessThanOrEqual(L.BODY_TARGET);
  });

  it("marked comment parts, state included, stay under the target", () => {
    const body = `${"y".repeat(120)}\n`.repeat(2_000);
    const parts = renderParts({
      issueNumber: 1,
      kind: "review",
      key: "pr-1",
      body,
      state: { sha: "f".repeat(40) },
    });
    expect(parts.length).toBe(4);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(L.BODY_TARGET);
  });
});
