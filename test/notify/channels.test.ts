import nock from "nock";
import { describe, expect, it } from "vitest";
import { parseLarkAnswer, resolveChannel, type Transport } from "../../src/notify/channels.ts";
import { NotifyError } from "../../src/notify/errors.ts";
import type { MessageInput } from "../../src/notify/format.ts";

const SLACK = "https://hooks.slack.com/services/T000/B000/XXXXSECRETTOKEN";
const LARK = "https://open.feishu.cn/open-apis/bot/v2/hook/0000-lark-token";
const msg: MessageInput = {
  kind: "issue",
  repo: "acme/api",
  number: 7,
  title: "Crash on start",
  url: "https://github.com/acme/api/issues/7",
};

function transport(
  env: Record<string, string>,
  channel = "dev",
  extra: { now?: () => number; timeoutMs?: number; fetch?: typeof fetch } = {},
): Transport {
  const r = resolveChannel(channel, { env, ...extra });
  if (!r.ok) throw new Error(`unexpected: ${r.reason}`);
  return r.transport;
}

async function sendError(t: Transport): Promise<NotifyError> {
  const err = await t.send(msg).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(NotifyError);
  return err as NotifyError;
}

describe("resolveChannel", () => {
  it("reports an unset variable by name", () => {
    expect(resolveChannel("dev-backend", { env: {} })).toEqual({
      ok: false,
      reason: "unconfigured",
      envKey: "STEWARD_NOTIFY_DEV_BACKEND",
    });
  });

  it.each([
    ["http://hooks.slack.com/services/T/B/X"],
    ["https://hooks.slack.com.evil.example/services/T/B/X"],
    ["https://hooks.slack.com/workflows/T/B/X"],
    ["https://open.feishu.cn/open-apis/bot/v2/hook/"],
    ["https://open.feishu.cn/other/path"],
    ["https://user:pw@open.feishu.cn/open-apis/bot/v2/hook/x"],
    ["not a url at all"],
  ])("rejects %s without echoing it", (url) => {
    const r = resolveChannel("dev", { env: { STEWARD_NOTIFY_DEV: url } });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toBe("invalid_config");
    expect(r.problem).toBe(
      "STEWARD_NOTIFY_DEV: expected a Slack incoming-webhook URL (https://hooks.slack.com/services/…) or a Lark/Feishu bot webhook URL (https://open.feishu.cn/open-apis/bot/v2/hook/… or https://open.larksuite.com/open-apis/bot/v2/hook/…)",
    );
  });

  it("classifies Slack, Feishu and Lark Suite URLs", () => {
    expect(transport({ STEWARD_NOTIFY_DEV: SLACK }).kind).toBe("slack");
    expect(transport({ STEWARD_NOTIFY_DEV: LARK }).kind).toBe("lark");
    expect(
      transport({ STEWARD_NOTIFY_DEV: "https://open.larksuite.com/open-apis/bot/v2/hook/abc" }).kind,
    ).toBe("lark");
  });

  it("rejects an unknown _FORMAT", () => {
    const r = resolveChannel("dev", {
      env: { STEWARD_NOTIFY_DEV: SLACK, STEWARD_NOTIFY_DEV_FORMAT: "html" },
    });
    expect(r).toEqual({
      ok: false,
      reason: "invalid_config",
      envKey: "STEWARD_NOTIFY_DEV",
      problem: 'STEWARD_NOTIFY_DEV_FORMAT: expected "rich" or "text"',
    });
  });
});

describe("Slack transport", () => {
  it("posts the plain-text format when _FORMAT=text", async () => {
    const bodies: unknown[] = [];
    nock("https://hooks.slack.com")
      .post("/services/T000/B000/XXXXSECRETTOKEN", (b) => {
        bodies.push(b);
        return true;
      })
      .reply(200, "ok");
    await transport({ STEWARD_NOTIFY_DEV: SLACK, STEWARD_NOTIFY_DEV_FORMAT: "text" }).send(msg);
    expect(bodies).toEqual([
      {
        text: "📝 *<https://github.com/acme/api/issues/7|Issue #7: Crash on start>* in `acme/api`",
        unfurl_links: false,
      },
    ]);
  });

  it.each([
    [500, true],
    [503, true],
    [429, true],
    [400, false],
    [404, false],
  ])("wraps HTTP %i (transient: %s) without the URL", async (status, transient) => {
    nock("https://hooks.slack.com")
      .post("/services/T000/B000/XXXXSECRETTOKEN")
      .reply(status, "invalid_payload");
    const err = await sendError(transport({ STEWARD_NOTIFY_DEV: SLACK }));
    expect(err.status).toBe(status);
    expect(err.transient).toBe(transient);
    expect(err.message).toBe(`Slack webhook for "dev" answered HTTP ${status}: invalid_payload`);
  });

  // A fetch that never answers and honours the abort signal: nock's delayed replies crash undici on abort.
  const hanging: typeof fetch = (_url, init) =>
    new Promise((_resolve, reject) =>
      init?.signal?.addEventListener("abort", () => reject(init.signal?.reason)),
    );

  it("turns a timeout into a transient error", async () => {
    const err = await sendError(
      transport({ STEWARD_NOTIFY_DEV: SLACK }, "dev", { timeoutMs: 20, fetch: hanging }),
    );
    expect(err.message).toBe('Slack webhook for "dev" could not be reached: timed out');
    expect(err.transient).toBe(true);
  });
});

describe("Lark transport", () => {
  it("posts a signed text message with the timestamp in seconds", async () => {
    const bodies: unknown[] = [];
    nock("https://open.feishu.cn")
      .post("/open-apis/bot/v2/hook/0000-lark-token", (b) => {
        bodies.push(b);
        return true;
      })
      .matchHeader("content-type", "application/json; charset=utf-8")
      .reply(200, { code: 0, msg: "success", data: {} });
    const t = transport(
      {
        STEWARD_NOTIFY_DEV: LARK,
        STEWARD_NOTIFY_DEV_SECRET: "test-secret",
        STEWARD_NOTIFY_DEV_FORMAT: "text",
      },
      "dev",
      { now: () => 1599360473_999 },
    );
    await t.send(msg);
    expect(bodies).toEqual([
      {
        timestamp: "1599360473",
        sign: "wSds2BzzFIIGf/WrhUO+NI1q/9j+FRJd3JNHKAq0NZY=",
        msg_type: "text",
        content: { text: "📝 [acme/api] Issue #7: Crash on start\nhttps://github.com/acme/api/issues/7" },
      },
    ]);
  });

  it("sends no timestamp or sign without a secret", async () => {
    const bodies: Record<string, unknown>[] = [];
    nock("https://open.feishu.cn")
      .post("/open-apis/bot/v2/hook/0000-lark-token", (b) => {
        bodies.push(b);
        return true;
      })
      .reply(200, { StatusCode: 0, StatusMessage: "success" });
    await transport({ STEWARD_NOTIFY_DEV: LARK }).send(msg);
    expect(Object.keys(bodies[0]!)).toEqual(["msg_type", "card"]);
  });

  it("fails permanently when Lark refuses the signature (HTTP 200, code 19021)", async () => {
    nock("https://open.feishu.cn").post("/open-apis/bot/v2/hook/0000-lark-token").reply(200, {
      code: 19021,
      msg: "sign match fail or timestamp is not within one hour from current time",
      data: {},
    });
    const err = await sendError(transport({ STEWARD_NOTIFY_DEV: LARK, STEWARD_NOTIFY_DEV_SECRET: "s" }));
    expect(err.transient).toBe(false);
    expect(err.message).toBe(
      'Lark webhook for "dev" refused the message: code 19021 sign match fail or timestamp is not within one hour from current time',
    );
  });

  it("treats Lark's frequency limit code as transient", async () => {
    nock("https://open.feishu.cn")
      .post("/open-apis/bot/v2/hook/0000-lark-token")
      .reply(200, { code: 9499, msg: "too many request" });
    expect((await sendError(transport({ STEWARD_NOTIFY_DEV: LARK }))).transient).toBe(true);
  });

  it("wraps HTTP 502 as transient and a refused connection as transient, never quoting the URL", async () => {
    nock("https://open.feishu.cn").post("/open-apis/bot/v2/hook/0000-lark-token").reply(502, "bad gateway");
    const e1 = await sendError(transport({ STEWARD_NOTIFY_DEV: LARK }));
    expect([e1.status, e1.transient, e1.message]).toEqual([
      502,
      true,
      'Lark webhook for "dev" answered HTTP 502',
    ]);
    nock("https://open.feishu.cn")
      .post("/open-apis/bot/v2/hook/0000-lark-token")
      .replyWithError(`connect ECONNREFUSED ${LARK}`);
    const e2 = await sendError(transport({ STEWARD_NOTIFY_DEV: LARK }));
    expect(e2.transient).toBe(true);
    expect(e2.message).toMatch(/^Lark webhook for "dev" could not be reached: /);
    expect(e2.message).not.toContain("0000-lark-token");
  });
});

describe("Lark timeout", () => {
  it("aborts after the timeout and reports a transient error", async () => {
    const hanging: typeof fetch = (_url, init) =>
      new Promise((_resolve, reject) =>
        init?.signal?.addEventListener("abort", () => reject(init.signal?.reason)),
      );
    const err = await sendError(
      transport({ STEWARD_NOTIFY_DEV: LARK }, "dev", { timeoutMs: 20, fetch: hanging }),
    );
    expect([err.transient, err.message]).toEqual([
      true,
      'Lark webhook for "dev" could not be reached: timed out',
    ]);
  });
});

describe("parseLarkAnswer", () => {
  it("reads both answer shapes and flags unreadable bodies", () => {
    expect(parseLarkAnswer('{"code":0,"msg":"success"}')).toEqual({ code: 0, msg: "success" });
    expect(parseLarkAnswer('{"StatusCode":0,"StatusMessage":"success"}')).toEqual({
      code: 0,
      msg: "success",
    });
    expect(parseLarkAnswer("")).toEqual({ code: 0, msg: "" });
    expect(parseLarkAnswer("<html>")).toEqual({ code: -1, msg: "unreadable answer" });
  });
});
