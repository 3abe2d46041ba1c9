// Malformed webhook payloads: the intake, with every route, never throws, no route chokes (a route
// that throws loses its jobs for that delivery), and every job it enqueues has a handler and sane ids.
import { createRequire } from "node:module";
import { Writable } from "node:stream";
import fc from "fast-check";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { routes } from "../../src/events/index.ts";
import { renderHelp } from "../../src/tools/help.ts";
import { intake, toEvent } from "../../src/events/intake.ts";
import { createHandlers } from "../../src/tools/registry.ts";
import { testApp } from "../helpers/app.ts";
import { sqliteTestDb, type TestDb } from "../helpers/db.ts";

const require = createRequire(import.meta.url);
const examples: Array<{
  name: string;
  examples: any[];
}> = require("@octokit/webhooks-examples/api.github.com/index.json");
const EVENT_NAMES = examples.map((e) => e.name);

/** Values of the wrong type where a payload field is expected. */
const junk = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.string(),
  fc.constant("/review"),
  fc.constant("/agent do it"),
  fc.constant("/approve p1 abcdef012345"),
  fc.array(fc.anything(), { maxLength: 3 }),
  fc.dictionary(fc.string(), fc.anything(), { maxKeys: 3 }),
);

/** A real payload for `name` with some fields (at any depth) replaced by junk or deleted. */
function mutated(name: string) {
  const group = examples.find((e) => e.name === name)!;
  return fc
    .tuple(
      fc.nat(group.examples.length - 1),
      fc.array(fc.tuple(fc.nat(), fc.nat(), junk, fc.boolean()), { minLength: 1, maxLength: 6 }),
    )
    .map(([i, edits]) => {
      const p = structuredClone(group.examples[i]);
      for (const [a, b, value, remove] of edits) {
        // Walk to a random object inside the payload, then replace or delete one of its keys.
        let node: any = p;
        for (let depth = 0; depth < (a % 4) + 1; depth++) {
          const keys = node && typeof node === "object" ? Object.keys(node) : [];
          if (keys.length === 0) break;
          const k = keys[(a + depth * b) % keys.length]!;
          if (depth === a % 4 || typeof node[k] !== "object" || node[k] === null) {
            if (remove) delete node[k];
            else node[k] = value;
            break;
          }
          node = node[k];
        }
      }
      return p;
    });
}

describe("intake under malformed payloads", () => {
  let t: TestDb;
  let handlers: Set<string>;
  const warnings: string[] = [];
  const log = pino(
    { level: "warn" },
    new Writable({
      write(chunk, _e, cb) {
        warnings.push(String(chunk));
        cb();
      },
    }),
  );
  let seq = 0;

  beforeAll(async () => {
    t = await sqliteTestDb();
    handlers = new Set(Object.keys(createHandlers(testApp(t.db).services)));
  });
  afterAll(async () => t.cleanup());

  async function check(name: string, payload: unknown): Promise<void> {
    const ev = toEvent(name, `fuzz-${++seq}`, payload);
    const r = await intake(t.db, routes, ev, log);
    // "replay": the fuzzer generated a body it had sent before (under another delivery id).
    expect(["enqueued", "duplicate", "replay", "bot", "ignored"]).toContain(r.outcome);
    for (const id of r.jobIds) {
      const job = await t.db.one<{ kind: string; repo: unknown; target_number: unknown; payload: string }>(
        "SELECT kind, repo, target_number, payload FROM jobs WHERE id = $1",
        [id],
      );
      expect(handlers.has(job!.kind), `no handler for ${job!.kind} from ${name}`).toBe(true);
      expect(job!.repo === null || typeof job!.repo === "string").toBe(true);
      expect(job!.target_number === null || Number.isInteger(Number(job!.target_number))).toBe(true);
      expect(() => JSON.parse(job!.payload)).not.toThrow();
    }
    const thrown = warnings.filter((w) => !w.includes('"msg":"replayed webhook body dropped"'));
    expect(thrown, `a route threw on ${name}: ${thrown.join("")}`).toEqual([]);
  }

  it("arbitrary JSON objects for every event name", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...EVENT_NAMES),
        fc.oneof(
          fc.jsonValue(),
          fc.dictionary(
            fc.constantFrom(
              "action",
              "repository",
              "installation",
              "sender",
              "issue",
              "pull_request",
              "comment",
              "label",
              "changes",
            ),
            junk,
          ),
        ),
        async (name, payload) => check(name, payload),
      ),
      { numRuns: 400 },
    );
  });

  it("real payloads with fields removed or of the wrong type", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...EVENT_NAMES).chain((name) => fc.tuple(fc.constant(name), mutated(name))),
        async ([name, payload]) => check(name, payload),
      ),
      { numRuns: 600 },
    );
  });

  it("the unmodified real payloads enqueue only handled kinds (and some do enqueue)", async () => {
    let enqueued = 0;
    for (const g of examples)
      for (const p of g.examples) {
        const before = seq;
        await check(g.name, structuredClone(p));
        const n = await t.db.one<{ n: number }>("SELECT COUNT(*) AS n FROM jobs WHERE delivery_id = $1", [
          `fuzz-${before + 1}`,
        ]);
        enqueued += Number(n!.n);
      }
    expect(enqueued).toBeGreaterThan(0);
  });

  it("Steward's own help comment, full of command lines, is dropped at the intake", async () => {
    const p = structuredClone(examples.find((e) => e.name === "issue_comment")!.examples[0]);
    p.action = "created";
    p.installation = { id: 42 };
    p.comment.body = `/review\n${renderHelp()}`;
    for (const who of [
      { login: "steward-test[bot]", type: "Bot" },
      { login: "some-app", type: "Bot" },
      { login: "renovate[bot]", type: "User" },
    ]) {
      p.sender = who;
      p.comment.user = who;
      const r = await intake(t.db, routes, toEvent("issue_comment", `bot-${who.login}`, p), log);
      expect(r).toEqual({ outcome: "bot", jobIds: [] });
    }
    // The same body from a person does enqueue (so the drop above is the bot rule, not the body).
    p.sender = p.comment.user = { login: "octocat", type: "User" };
    const r = await intake(t.db, routes, toEvent("issue_comment", "human-1", p), log);
    expect(r.outcome).toBe("enqueued");
  });
});
