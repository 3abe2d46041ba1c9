import nock from "nock";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidInputError } from "../../src/errors.ts";
import {
  createNotifier,
  type NotificationEvent,
  NotifyError,
  type NotifyRoute,
} from "../../src/notify/index.ts";
import { backends, type TestDb } from "../helpers/db.ts";

const SLACK_PATH = "/services/T000/B000/BACKENDTOKEN";
const LARK_PATH = "/open-apis/bot/v2/hook/ops-token";
const ERRORS_PATH = "/services/T000/B000/ERRORSTOKEN";
const env = {
  STEWARD_NOTIFY_DEV_BACKEND: `https://hooks.slack.com${SLACK_PATH}`,
  STEWARD_NOTIFY_OPS: `https://open.feishu.cn${LARK_PATH}`,
  STEWARD_NOTIFY_OPS_SECRET: "lark-signing-secret",
  STEWARD_NOTIFY_ERRORS: `https://hooks.slack.com${ERRORS_PATH}`,
};
const routes: NotifyRoute[] = [
  { channel: "dev-backend", events: ["pr", "issue"], paths: ["src/backend/**"] },
  { channel: "ops", events: ["incident"] },
  { channel: "triage", events: ["issue"], labels: ["bug"] },
];
const NOW = 1_700_000_000_000; // Lark signs with 1700000000

const prEvent: NotificationEvent = {
  kind: "pr",
  repo: "acme/api",
  number: 42,
  title: "Speed up <users> query",
  url: "https://github.com/acme/api/pull/42",
  paths: ["src/backend/users.ts", "docs/x.md"],
};

function capture(host: string, path: string, status = 200, reply: string | object = "ok") {
  const bodies: unknown[] = [];
  nock(host)
    .post(path, (b) => {
      bodies.push(b);
      return true;
    })
    .reply(status, reply);
  return bodies;
}

function memoryLog() {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level: "debug" }, { write: (s: string) => lines.push(JSON.parse(s)) });
  return { log, lines };
}

for (const backend of backends) {
  describe(`notifier (${backend.name})`, () => {
    let t: TestDb;
    let clock = NOW;
    beforeAll(async () => {
      t = await backend.open();
    });
    afterAll(async () => {
      await t.cleanup();
    });
    const make = (extra: { env?: Record<string, string> } = {}) => {
      const { log, lines } = memoryLog();
      return { notifier: createNotifier({ db: t.db, env: extra.env ?? env, log, now: () => clock }), lines };
    };

    it("routes a PR by changed path to the Slack channel with the exact Block Kit body", async () => {
      const bodies = capture("https://hooks.slack.com", SLACK_PATH);
      const { notifier } = make();
      expect(await notifier.notify(prEvent, routes, 20)).toEqual({ sent: ["dev-backend"], skipped: [] });
      expect(bodies).toEqual([
        {
          text: "🔀 [acme/api] PR #42: Speed up &lt;users&gt; query",
          unfurl_links: false,
          blocks: [
            {
              type: "section",
              text: {
                type: "mrkdwn",
                text: "🔀 *<https://github.com/acme/api/pull/42|PR #42: Speed up &lt;users&gt; query>* in `acme/api`",
              },
            },
            {
              type: "context",
              elements: [{ type: "mrkdwn", text: "Paths: src/backend/users.ts, docs/x.md" }],
            },
          ],
        },
      ]);
    });

    it("sends nothing for a PR outside every route", async () => {
      const { notifier } = make();
      expect(await notifier.notify({ ...prEvent, number: 43, paths: ["web/app.tsx"] }, routes, 20)).toEqual({
        sent: [],
        skipped: [],
      });
    });

    it("sends an incident to Lark as a signed card", async () => {
      const bodies = capture("https://open.feishu.cn", LARK_PATH, 200, { code: 0, msg: "success", data: {} });
      const { notifier } = make();
      const r = await notifier.notify(
        {
          kind: "incident",
          repo: "acme/api",
          number: 9,
          title: "TypeError in checkout",
          url: "https://github.com/acme/api/issues/9",
          severity: "high",
          summary: "37 events in 5 min",
        },
        routes,
        20,
      );
      expect(r).toEqual({ sent: ["ops"], skipped: [] });
      expect(bodies).toEqual([
        {
          timestamp: "1700000000",
          sign: "mTbs2QhmX4HahQVW/x257j8K9fwJQXcmQrPXioJ/RwQ=",
          msg_type: "interactive",
          card: {
            config: { wide_screen_mode: true },
            header: {
              template: "orange",
              title: { tag: "plain_text", content: "🚨 [acme/api] Incident #9: TypeError in checkout" },
            },
            elements: [
              { tag: "div", text: { tag: "plain_text", content: "37 events in 5 min" } },
              { tag: "note", elements: [{ tag: "plain_text", content: "Severity: high" }] },
              {
                tag: "action",
                actions: [
                  {
                    tag: "button",
                    text: { tag: "plain_text", content: "Open on GitHub" },
                    type: "primary",
                    url: "https://github.com/acme/api/issues/9",
                  },
                ],
              },
            ],
          },
        },
      ]);
      expect(JSON.stringify(bodies)).not.toContain("lark-signing-secret");
    });

    it("skips an unconfigured channel, logs it once per notifier, and still sends to the others", async () => {
      const { notifier, lines } = make();
      const issue: NotificationEvent = {
        kind: "issue",
        repo: "acme/api",
        number: 5,
        title: "Crash",
        url: "https://github.com/acme/api/issues/5",
        labels: ["bug"],
        paths: ["src/backend/a.ts"],
      };
      const bodies = capture("https://hooks.slack.com", SLACK_PATH);
      const r1 = await notifier.notify(issue, routes, 20);
      expect(r1).toEqual({ sent: ["dev-backend"], skipped: [{ channel: "triage", reason: "unconfigured" }] });
      expect(bodies).toHaveLength(1);
      const r2 = await notifier.notify({ ...issue, number: 6, paths: [] }, routes, 20);
      expect(r2).toEqual({ sent: [], skipped: [{ channel: "triage", reason: "unconfigured" }] });
      const warnings = lines.filter((l) => l.msg === "notification channel skipped");
      expect(warnings).toEqual([
        expect.objectContaining({
          level: 40,
          channel: "triage",
          envKey: "STEWARD_NOTIFY_TRIAGE",
          problem: "STEWARD_NOTIFY_TRIAGE is not set",
        }),
      ]);
    });

    it("skips a channel whose variable is not a webhook URL, without logging the value", async () => {
      const bad = "https://evil.example/collect?token=abc";
      const { notifier, lines } = make({ env: { ...env, STEWARD_NOTIFY_TRIAGE: bad } });
      const r = await notifier.notify(
        { kind: "issue", repo: "acme/api", number: 11, title: "x", labels: ["bug"] },
        routes,
        20,
      );
      expect(r).toEqual({ sent: [], skipped: [{ channel: "triage", reason: "invalid_config" }] });
      expect(JSON.stringify(lines)).not.toContain("evil.example");
    });

    it("deduplicates identical messages across two notifiers sharing the store, within the window", async () => {
      const a = make().notifier;
      const b = make().notifier;
      const event = { ...prEvent, number: 50 };
      const bodies = capture("https://hooks.slack.com", SLACK_PATH);
      expect(await a.notify(event, routes, 20)).toEqual({ sent: ["dev-backend"], skipped: [] });
      expect(await b.notify(event, routes, 20)).toEqual({
        sent: [],
        skipped: [{ channel: "dev-backend", reason: "duplicate" }],
      });
      expect(bodies).toHaveLength(1);
      // A different message is not a duplicate.
      const other = capture("https://hooks.slack.com", SLACK_PATH);
      expect((await b.notify({ ...event, title: "Renamed" }, routes, 20)).sent).toEqual(["dev-backend"]);
      expect(other).toHaveLength(1);
      // After the 10-minute window the same message goes out again.
      clock += 10 * 60_000;
      const again = capture("https://hooks.slack.com", SLACK_PATH);
      expect((await b.notify(event, routes, 20)).sent).toEqual(["dev-backend"]);
      expect(again).toHaveLength(1);
    });

    it("rate-limits a channel across two notifiers and refills with time", async () => {
      clock += 60 * 60_000;
      const a = make().notifier;
      const b = make().notifier;
      const bodies = capture("https://hooks.slack.com", SLACK_PATH);
      nock("https://hooks.slack.com").post(SLACK_PATH).reply(200, "ok");
      const ev = (n: number) => ({ ...prEvent, number: 100 + n });
      expect((await a.notify(ev(1), routes, 2)).sent).toEqual(["dev-backend"]);
      expect((await b.notify(ev(2), routes, 2)).sent).toEqual(["dev-backend"]);
      expect(await a.notify(ev(3), routes, 2)).toEqual({
        sent: [],
        skipped: [{ channel: "dev-backend", reason: "rate_limited" }],
      });
      expect(bodies).toHaveLength(1);
      // The rate-limited message was not marked as sent: after a refill (2/min → 30 s per token) it goes out.
      clock += 30_000;
      capture("https://hooks.slack.com", SLACK_PATH);
      expect((await b.notify(ev(3), routes, 2)).sent).toEqual(["dev-backend"]);
    });

    it("surfaces a 500 as a transient failure in the result, and a retry sends it", async () => {
      clock += 60 * 60_000;
      const { notifier, lines } = make();
      nock("https://hooks.slack.com").post(SLACK_PATH).reply(500, "internal_error");
      const event = { ...prEvent, number: 200 };
      const r = await notifier.notify(event, routes, 20);
      expect(r.sent).toEqual([]);
      expect(r.skipped).toHaveLength(1);
      const s = r.skipped[0]!;
      expect([s.channel, s.reason]).toEqual(["dev-backend", "failed"]);
      expect(s.error).toBeInstanceOf(NotifyError);
      expect([s.error!.transient, s.error!.status, s.error!.message]).toEqual([
        true,
        500,
        'Slack webhook for "dev-backend" answered HTTP 500: internal_error',
      ]);
      expect(JSON.stringify(lines)).not.toContain("BACKENDTOKEN");
      capture("https://hooks.slack.com", SLACK_PATH);
      expect(await notifier.notify(event, routes, 20)).toEqual({ sent: ["dev-backend"], skipped: [] });
    });

    it("sends failures to the errors channel and, on a job retry, skips channels that already got it", async () => {
      clock += 60 * 60_000;
      const r2: NotifyRoute[] = [{ channel: "ops", events: ["failure"] }];
      const { notifier } = make();
      const failure: NotificationEvent = {
        kind: "failure",
        repo: "acme/api",
        number: 42,
        title: "review failed after 5 attempts",
        url: "https://github.com/acme/api/pull/42",
      };
      const errBodies = capture("https://hooks.slack.com", ERRORS_PATH);
      nock("https://open.feishu.cn").post(LARK_PATH).reply(503, "busy");
      const first = await notifier.notify(failure, r2, 20);
      expect(first.sent).toEqual(["errors"]);
      expect(first.skipped.map((s) => [s.channel, s.reason, s.error?.transient])).toEqual([
        ["ops", "failed", true],
      ]);
      expect(errBodies).toHaveLength(1);
      capture("https://open.feishu.cn", LARK_PATH, 200, { code: 0, msg: "success" });
      const retry = await notifier.notify(failure, r2, 20);
      expect(retry).toEqual({ sent: ["ops"], skipped: [{ channel: "errors", reason: "duplicate" }] });
    });

    it("rejects a malformed event with a message naming the field", async () => {
      const { notifier } = make();
      await expect(notifier.notify({ ...prEvent, repo: "not-a-repo" }, routes, 20)).rejects.toThrow(
        new InvalidInputError('notification event: repo: expected "owner/name"'),
      );
      await expect(notifier.notify(prEvent, routes, 0)).rejects.toThrow(
        "notify.rate_per_minute: expected at least 1",
      );
    });

    it("stores dedupe and rate state only in the notify namespace", async () => {
      const rows = await t.db.query<{ namespace: string; key: string }>(
        "SELECT namespace, key FROM kv ORDER BY key",
      );
      expect(new Set(rows.map((r) => r.namespace))).toEqual(new Set(["notify"]));
      expect(
        rows
          .filter((r) => r.key.startsWith("rate:"))
          .map((r) => r.key)
          .sort(),
      ).toEqual(["rate:DEV_BACKEND", "rate:ERRORS", "rate:OPS"]);
      expect(rows.every((r) => /^(rate:[A-Z0-9_]+|dedupe:[A-Z0-9_]+:[0-9a-f]{32})$/.test(r.key))).toBe(true);
    });
  });
}
