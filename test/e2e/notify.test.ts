// Notifications from the outside (docs/notify.md): an issue opened with a routed label and a routed path
// is announced, after the grace window, on the Slack and Lark channels its repository's
// .github/steward.yml names, at the URLs only the server's environment holds. The webhooks are real
// HTTPS requests to hooks.slack.com and open.feishu.cn, tunnelled by a local CONNECT proxy to a local
// fake with a throwaway CA (tls-proxy.ts), so Steward's HTTPS-on-Slack/Lark-hosts validation stays as is.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startWorld, waitFor, type World } from "./harness.ts";
import { issuesPayload } from "./payloads.ts";
import type { SimRepo } from "./sim/state.ts";
import { type ChatFake, startChatFake } from "./tls-proxy.ts";

const SLACK_PATH = "/services/T0E2E0001/B0E2E0001/e2eTriageToken";
const SLACK_UNROUTED_PATH = "/services/T0E2E0001/B0E2E0002/e2eFrontendToken";
const LARK_PATH = "/open-apis/bot/v2/hook/0b1c2d3e-e2e-backend";

const CONFIG = `issues:
  grace_minutes: 0.03
notify:
  routes:
    - channel: "#triage"
      events: [issue]
      labels: [BUG]
    - channel: dev-backend
      events: [issue]
      paths: ["src/backend/**"]
    - channel: frontend
      events: [issue]
      labels: [ui]
      paths: ["src/frontend/**"]
`;

describe("e2e: notifications", { timeout: 240_000 }, () => {
  let w: World;
  let chat: ChatFake;
  let repo: SimRepo;

  beforeAll(async () => {
    chat = await startChatFake();
    w = await startWorld({
      env: {
        ...chat.env,
        STEWARD_NOTIFY_TRIAGE: `https://hooks.slack.com${SLACK_PATH}`,
        STEWARD_NOTIFY_DEV_BACKEND: `https://open.feishu.cn${LARK_PATH}`,
        STEWARD_NOTIFY_FRONTEND: `https://hooks.slack.com${SLACK_UNROUTED_PATH}`,
      },
    });
    repo = w.sim.state.addRepo("acme/api");
    repo.permissions.set("reporter", "read");
    repo.files.set(".github/steward.yml", CONFIG);
    repo.files.set("src/backend/users.ts", "export function listUsers() {}\n");
  });
  afterEach(() => w.assertClean());
  afterAll(async () => {
    await w?.stop();
    await chat?.stop();
  });

  it("an issue labelled bug that names a backend file goes to #triage (Slack) and dev-backend (Lark), once", async () => {
    const title = "Crash listing <users> & <!channel>\nin the admin page";
    const issue = w.sim.state.openIssue(repo, {
      title,
      body: [
        "Listing users crashes since yesterday's deploy.",
        "",
        "```",
        "TypeError: Cannot read properties of undefined (reading 'id')",
        "    at listUsers (src/backend/users.ts:1:17)",
        "```",
        "",
        "Steps to reproduce: open /admin/users. Expected: the list. Actual: a 500.",
      ].join("\n"),
      author: "reporter",
      labels: ["bug"],
    });
    const payload = issuesPayload(w, repo, issue, "opened");
    const { status, id } = await w.deliver("issues", payload);
    expect(status).toBeLessThan(300);
    // Nothing during the grace window (about 2 s).
    await new Promise((r) => setTimeout(r, 700));
    expect(chat.received).toEqual([]);
    await w.idle();
    await waitFor(async () => (chat.received.length >= 2 ? true : undefined), "two webhook posts", 20_000);

    const link = `${w.sim.origin}/acme/api/issues/${issue.number}`;
    const head = `Issue #${issue.number}: Crash listing &lt;users&gt; &amp; &lt;!channel&gt; in the admin page`;

    const slack = chat.received.filter((r) => r.host === "hooks.slack.com");
    expect(slack.map((r) => `${r.method} ${r.path}`)).toEqual([`POST ${SLACK_PATH}`]);
    const sm = slack[0]?.json as { text: string; unfurl_links: boolean; blocks: Array<Record<string, any>> };
    expect(sm.text).toBe(`📝 [acme/api] ${head}`);
    expect(sm.unfurl_links).toBe(false);
    expect(sm.blocks[0]).toEqual({
      type: "section",
      text: { type: "mrkdwn", text: `📝 *<${link}|${head}>* in \`acme/api\`` },
    });
    const context = sm.blocks.at(-1) as { type: string; elements: Array<{ text: string }> };
    expect(context.type).toBe("context");
    expect(context.elements[0]?.text).toMatch(/Labels: bug\b/);
    expect(context.elements[0]?.text).toContain("Paths: src/backend/users.ts");
    // The raw title never reaches Slack unescaped.
    expect(slack[0]?.body).not.toContain("<!channel>");

    const lark = chat.received.filter((r) => r.host === "open.feishu.cn");
    expect(lark.map((r) => `${r.method} ${r.path}`)).toEqual([`POST ${LARK_PATH}`]);
    const lm = lark[0]?.json as { msg_type: string; card: Record<string, any> };
    expect(lm.msg_type).toBe("interactive");
    expect(lm.card.header).toEqual({
      template: "green",
      title: {
        tag: "plain_text",
        content: `📝 [acme/api] Issue #${issue.number}: Crash listing <users> & <!channel> in the admin page`,
      },
    });
    const elements = lm.card.elements as Array<Record<string, any>>;
    expect(elements.at(-1)).toEqual({
      tag: "action",
      actions: [
        {
          tag: "button",
          text: { tag: "plain_text", content: "Open on GitHub" },
          type: "primary",
          url: link,
        },
      ],
    });
    // Untrusted text only in plain_text elements.
    expect(JSON.stringify(lm.card)).not.toContain("lark_md");

    // Through the proxy, to the real host names, on 443; the unrouted frontend channel got nothing.
    expect([...new Set(chat.connects)].sort()).toEqual(["hooks.slack.com:443", "open.feishu.cn:443"]);
    expect(chat.received.some((r) => r.path === SLACK_UNROUTED_PATH)).toBe(false);

    // A redelivery (same id) and a second delivery of "opened" (new id) notify nobody again.
    expect((await w.deliver("issues", payload, { id })).status).toBeLessThan(300);
    expect((await w.deliver("issues", payload)).status).toBeLessThan(300);
    await new Promise((r) => setTimeout(r, 2500));
    await w.idle();
    expect(chat.received).toHaveLength(2);
    // The webhook URLs are credentials: never in the server's log.
    expect(w.proc?.output()).not.toContain("e2eTriageToken");
    expect(w.proc?.output()).not.toContain("0b1c2d3e-e2e-backend");
  });
});
