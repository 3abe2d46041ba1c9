import { describe, expect, it } from "vitest";
import {
  escapeSlack,
  larkSign,
  LIMITS,
  type MessageInput,
  renderLark,
  renderSlack,
} from "../../src/notify/format.ts";

const pr: MessageInput = {
  kind: "pr",
  repo: "acme/api",
  number: 42,
  title: "Fix <!channel> & friends > here",
  url: "https://github.com/acme/api/pull/42",
  paths: ["src/backend/a.ts"],
  labels: ["bug"],
  summary: "Touches *auth* <@U123>",
  severity: "high",
};

describe("larkSign", () => {
  // Expected values computed independently with Python's hmac (key = "<ts>\n<secret>", empty message).
  it("matches HMAC-SHA256 keyed with timestamp\\nsecret over an empty message, base64", () => {
    expect(larkSign(1599360473, "test-secret")).toBe("wSds2BzzFIIGf/WrhUO+NI1q/9j+FRJd3JNHKAq0NZY=");
    expect(larkSign(1700000000, "lark-signing-secret")).toBe("mTbs2QhmX4HahQVW/x257j8K9fwJQXcmQrPXioJ/RwQ=");
  });
});

describe("renderSlack", () => {
  it("builds Block Kit with escaped untrusted text and a link", () => {
    expect(renderSlack(pr, "rich")).toEqual({
      text: "🔀 [acme/api] PR #42: Fix &lt;!channel&gt; &amp; friends &gt; here",
      unfurl_links: false,
      blocks: [
        {
          type: "section",
          text: {
            type: "mrkdwn",
            text: "🔀 *<https://github.com/acme/api/pull/42|PR #42: Fix &lt;!channel&gt; &amp; friends &gt; here>* in `acme/api`",
          },
        },
        { type: "section", text: { type: "mrkdwn", text: "Touches *auth* &lt;@U123&gt;" } },
        {
          type: "context",
          elements: [{ type: "mrkdwn", text: "Severity: high · Labels: bug · Paths: src/backend/a.ts" }],
        },
      ],
    });
  });

  it("builds plain text with a link", () => {
    expect(
      renderSlack(
        {
          kind: "issue",
          repo: "acme/api",
          number: 7,
          title: "Crash",
          url: "https://github.com/acme/api/issues/7",
        },
        "text",
      ),
    ).toEqual({
      text: "📝 *<https://github.com/acme/api/issues/7|Issue #7: Crash>* in `acme/api`",
      unfurl_links: false,
    });
  });

  it("renders a failure without a URL or number", () => {
    expect(
      renderSlack({ kind: "failure", repo: "acme/api", title: "job maintenance.purge dead-lettered" }, "text")
        .text,
    ).toBe("❌ *Failure: job maintenance.purge dead-lettered* in `acme/api`");
  });

  it("keeps a title on one line, masks credentials and truncates", () => {
    const m = renderSlack(
      {
        kind: "incident",
        repo: "a/b",
        title: `boom\n*fake line* token=ghp_${"a".repeat(36)} ${"x".repeat(400)}`,
      },
      "text",
    );
    const line = m.text.split("\n")[0]!;
    expect(line.startsWith("🚨 *Incident: boom *fake line* token=[redacted] xxx")).toBe(true);
    expect(m.text).not.toContain("ghp_");
    expect(m.text).toContain("…*");
    expect(m.text.split("\n")).toHaveLength(1);
  });

  it("lists at most LIMITS.paths paths with a count of the rest", () => {
    const paths = Array.from({ length: 8 }, (_, i) => `f${i}.ts`);
    const m = renderSlack({ kind: "pr", repo: "a/b", title: "t", paths }, "text");
    expect(m.text.split("\n")[1]).toBe(`Paths: ${paths.slice(0, LIMITS.paths).join(", ")} (+3 more)`);
  });

  it("percent-encodes | in URLs so a link cannot be split", () => {
    const m = renderSlack({ kind: "pr", repo: "a/b", title: "t", url: "https://example.com/x|y" }, "text");
    expect(m.text).toContain("<https://example.com/x%7Cy|");
  });

  it("escapes exactly &, < and >", () => {
    expect(escapeSlack("a&b<c>d*e_")).toBe("a&amp;b&lt;c&gt;d*e_");
  });
});

describe("renderLark", () => {
  it("builds an interactive card with untrusted text only in plain_text", () => {
    expect(renderLark(pr, "rich")).toEqual({
      msg_type: "interactive",
      card: {
        config: { wide_screen_mode: true },
        header: {
          template: "blue",
          title: { tag: "plain_text", content: "🔀 [acme/api] PR #42: Fix <!channel> & friends > here" },
        },
        elements: [
          { tag: "div", text: { tag: "plain_text", content: "Touches *auth* <@U123>" } },
          {
            tag: "note",
            elements: [
              { tag: "plain_text", content: "Severity: high · Labels: bug · Paths: src/backend/a.ts" },
            ],
          },
          {
            tag: "action",
            actions: [
              {
                tag: "button",
                text: { tag: "plain_text", content: "Open on GitHub" },
                type: "primary",
                url: "https://github.com/acme/api/pull/42",
              },
            ],
          },
        ],
      },
    });
  });

  it("builds a text message with <at> tags neutralised and the link last", () => {
    const m = renderLark(
      {
        kind: "incident",
        repo: "acme/api",
        number: 9,
        title: '<at user_id="all">everyone</at>',
        url: "https://github.com/acme/api/issues/9",
      },
      "text",
    );
    expect(m).toEqual({
      msg_type: "text",
      content: {
        text: '🚨 [acme/api] Incident #9: &lt;at user_id="all"&gt;everyone&lt;/at&gt;\nhttps://github.com/acme/api/issues/9',
      },
    });
  });

  it("uses the red template for failures and omits the button without a URL", () => {
    const m = renderLark({ kind: "failure", repo: "acme/api", title: "job x dead-lettered" }, "rich");
    expect(m).toEqual({
      msg_type: "interactive",
      card: {
        config: { wide_screen_mode: true },
        header: {
          template: "red",
          title: { tag: "plain_text", content: "❌ [acme/api] Failure: job x dead-lettered" },
        },
        elements: [],
      },
    });
  });
});
