import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { getProposal, type Proposal } from "../../../src/agents/proposals.ts";
import { extraRoutes } from "../../../src/server/extra-routes.ts";
import { FakeGitHub } from "../../agents/github.ts";
import { type TestApp, testApp } from "../../helpers/app.ts";
import type { TestDb } from "../../helpers/db.ts";
import { examplePayload, sign } from "../../helpers/webhooks.ts";

// The attacker's view of Steward for the approval attack tests: signed webhook bodies verified by the
// real Probot (the same verifyAndReceive its HTTP middleware calls) into the real app (intake → routes
// → jobs → the real GitHubGateway), the real worker HTTP API on a loopback port, and a stateful fake
// GitHub over nock that answers like github.com (409 on a stale merge sha, issue state, GraphQL
// isMinimized) and records every request.

export const REPO = "Codertocat/Hello-World";
export const INSTALLATION = 42;
export const SECRET = "worker-secret-for-approval-tests";
export const WEBHOOK_SECRET = "secret"; // testApp's
export const HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
export const PUSHED = "0badc0de0badc0de0badc0de0badc0de0badc0de";
export const ISSUE = 1;
export const PR = 2;
export const MAYA = { login: "maya", id: 11 }; // maintain
export const WES = { login: "wes", id: 12 }; // write
export const MO = { login: "mo", id: 13 }; // admin
export const MALLORY = { login: "mallory", id: 66 }; // read

type User = { login: string; id: number };

let seq = 0;
const stamp = () => new Date(Date.UTC(2026, 0, 1) + ++seq * 1000).toISOString();

export class Harness {
  readonly t: TestDb;
  readonly app: TestApp;
  readonly gh: FakeGitHub;
  private server: Server | undefined;
  base = "";

  constructor(t: TestDb, env: Record<string, string> = {}) {
    this.t = t;
    this.app = testApp(t.db, { WORKER_SHARED_SECRET: SECRET, ...env });
    this.gh = new FakeGitHub(REPO, INSTALLATION);
    this.gh.perms.set("maya", "maintain").set("wes", "write").set("mo", "admin").set("mallory", "read");
    this.gh.issues.set(ISSUE, { title: "Crash on start", body: "It crashes." });
    this.gh.issues.set(PR, { title: "Fix the parser", body: "Parser fix." });
    this.gh.pulls.set(PR, { sha: HEAD, ref: "fix/parser" });
  }

  async start(): Promise<this> {
    const handlers = extraRoutes(this.app.services, { sweepEveryMs: null });
    this.server = createServer((req, res) => {
      void (async () => {
        for (const h of handlers) if (await h(req, res, new URL(req.url!, "http://x"))) return;
        res.writeHead(404).end();
      })();
    });
    await new Promise<void>((r) => this.server!.listen(0, "127.0.0.1", r));
    this.base = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/api/workers`;
    return this;
  }

  async stop(): Promise<void> {
    if (this.server) await new Promise((r) => this.server!.close(r));
    await this.t.cleanup();
  }

  /** A webhook body signed with the App's webhook secret, verified by Probot, then handled. */
  async sendRaw(name: string, body: string, deliveryId = `d-${++seq}`): Promise<void> {
    await this.app.probot.webhooks.verifyAndReceive({
      id: deliveryId,
      name: name as never,
      payload: body,
      signature: sign(body, WEBHOOK_SECRET),
    });
  }

  async send(name: string, payload: unknown, deliveryId?: string): Promise<string> {
    const body = JSON.stringify(payload);
    await this.sendRaw(name, body, deliveryId);
    return body;
  }

  drain(): Promise<number> {
    return this.app.drain();
  }

  async call(path: string, auth: string, body?: unknown, method = "POST") {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: { authorization: `Bearer ${auth}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }

  // ── payloads ─────────────────────────────────────────────────────────────────────────────────

  commentCreated(body: string, user: User, number = PR, commentId = 500 + ++seq) {
    const p = examplePayload("issue_comment", "created");
    p.installation = { id: INSTALLATION };
    p.issue.number = number;
    if (number === PR) p.issue.pull_request = { url: `https://api.github.com/repos/${REPO}/pulls/${PR}` };
    else delete p.issue.pull_request;
    p.comment.id = commentId;
    p.comment.body = body;
    p.comment.created_at = p.comment.updated_at = stamp();
    p.comment.user = { ...p.comment.user, login: user.login, id: user.id, type: "User" };
    p.sender = { ...p.sender, login: user.login, id: user.id, type: "User" };
    return p;
  }

  /** An edit of Steward's comment `id` from `from` to `body` by `user`, as GitHub sends it. */
  commentEdited(id: number, from: string, body: string, user: User, number = PR) {
    const p = examplePayload("issue_comment", "edited");
    p.installation = { id: INSTALLATION };
    p.issue.number = number;
    if (number === PR) p.issue.pull_request = { url: `https://api.github.com/repos/${REPO}/pulls/${PR}` };
    else delete p.issue.pull_request;
    p.comment.id = id;
    p.comment.node_id = `IC_node${id}`;
    p.comment.body = body;
    p.comment.updated_at = stamp();
    p.comment.user = { ...p.comment.user, login: "steward-test[bot]", type: "Bot" };
    p.comment.performed_via_github_app = { id: 1, slug: "steward-test" };
    p.changes = { body: { from } };
    p.sender = { ...p.sender, login: user.login, id: user.id, type: "User" };
    return p;
  }

  // ── flows ────────────────────────────────────────────────────────────────────────────────────

  /** `/agent <text>` by `user` on `number`, posted on GitHub and delivered. */
  async agent(text: string, user: User, number = PR): Promise<number> {
    const p = this.commentCreated(`/agent ${text}`, user, number);
    this.gh.userComment(number, user.login, p.comment.body, p.comment.id);
    await this.send("issue_comment", p);
    await this.drain();
    return p.comment.id;
  }

  async claim(): Promise<{ runId: number; token: string; body: any }> {
    const r = await this.call("/claim", SECRET, { workerId: "w1", waitMs: 1000 });
    if (r.status !== 200) throw new Error(`claim: ${r.status} ${JSON.stringify(r.body)}`);
    return { runId: r.body.run.id, token: r.body.token, body: r.body };
  }

  async propose(runId: number, token: string, command: unknown): Promise<Proposal> {
    const r = await this.call(`/runs/${runId}/proposals`, token, { commands: [command] });
    if (r.status !== 201) throw new Error(`propose: ${r.status} ${JSON.stringify(r.body)}`);
    await settle();
    return (await getProposal(this.t.db, r.body.proposals[0].id))!;
  }

  /** The proposal comment as GitHub holds it now, and the same body with the box ticked. */
  bodies(p: Proposal): { unticked: string; ticked: string } {
    const unticked = this.gh.comments.get(p.commentId!)!.body;
    return { unticked, ticked: unticked.replace("- [ ] approve", "- [x] approve") };
  }

  /** `user` ticks the box of proposal `p` in the browser: GitHub stores the edit and sends the event. */
  async tick(p: Proposal, user: User, opts: { drain?: boolean } = {}): Promise<void> {
    const { unticked, ticked } = this.bodies(p);
    this.gh.comments.get(p.commentId!)!.body = ticked;
    await this.send(
      "issue_comment",
      this.commentEdited(p.commentId!, unticked, ticked, user, p.ticketNumber),
    );
    if (opts.drain !== false) await this.drain();
  }

  approvedFor(runId: number, token: string) {
    return this.call(`/runs/${runId}/approved`, token, undefined, "GET");
  }

  merges() {
    return this.gh.requests.filter((r) => r.method === "PUT" && r.path.endsWith("/merge"));
  }

  /** Bodies of Steward's reply comments (agent-reply), without the marker line. */
  replies(): string[] {
    return this.gh.own("agent-reply").map((c) => c.body.split("\n").slice(1).join("\n"));
  }
}

/** Lets the worker API's fire-and-forget status updates reach the fake before asserting. */
export const settle = () => new Promise((r) => setTimeout(r, 50));
