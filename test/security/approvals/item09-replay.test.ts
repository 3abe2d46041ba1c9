import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { listRuns } from "../../../src/agents/runs.ts";
import { BODY_REPLAY_WINDOW_MS } from "../../../src/store/deliveries.ts";
import { backends } from "../../helpers/db.ts";
import { examplePayload, sign } from "../../helpers/webhooks.ts";
import { Harness, INSTALLATION, ISSUE, REPO, WEBHOOK_SECRET } from "./harness.ts";

// Issue 9 A9: a captured signed body (a public smee channel, a proxy log) re-sent with a fresh
// X-GitHub-Delivery started a second worker run through the label trigger. The intake now drops a body
// it has seen within the replay window (30 days), whatever its delivery id.

function labeled(updatedAt: string) {
  const p = examplePayload("issues", "labeled");
  p.installation = { id: INSTALLATION };
  p.issue.number = ISSUE;
  p.issue.updated_at = updatedAt;
  p.label = { ...p.label, name: "agent" };
  p.sender = { ...p.sender, login: "maya", id: 11, type: "User" };
  return p;
}

describe.each(backends)("A9 a replayed signed body starts nothing ($name)", ({ open }) => {
  let h: Harness;
  beforeEach(async () => {
    h = await new Harness(await open()).start();
    h.gh.config = "agents:\n  label: agent\n";
  });
  afterEach(async () => h.stop());

  const runs = () => listRuns(h.t.db, REPO, ISSUE);

  it("the same signed labeled body under new delivery ids: one run, one job, replays recorded", async () => {
    const body = JSON.stringify(labeled("2026-03-01T10:00:00Z"));
    await h.sendRaw("issues", body, "delivery-original");
    await h.drain();
    expect((await runs()).map((r) => [r.state, r.requestedBy])).toEqual([["queued", "maya"]]);

    // The attacker re-sends the captured bytes (valid signature) with fresh ids, while the run is queued…
    await h.sendRaw("issues", body, "delivery-replay-1");
    expect(await h.drain()).toBe(0);
    // …and after it finished, when a replay would otherwise start a brand-new run.
    const { runId, token } = await h.claim();
    await h.call(`/runs/${runId}/result`, token, { status: "completed", summary: "done" });
    await h.sendRaw("issues", body, "delivery-replay-2");
    expect(await h.drain()).toBe(0);

    const all = await runs();
    expect(all).toHaveLength(1);
    expect(all[0]!.instructions).toBe("Work on this ticket (label `agent` added by @maya).");
    expect(
      await h.t.db.query("SELECT kind, delivery_id FROM jobs WHERE kind = 'agents.label' ORDER BY id"),
    ).toEqual([{ kind: "agents.label", delivery_id: "delivery-original" }]);
    const seen = await h.t.db.query<{
      delivery_id: string;
      event: string;
      received_at: unknown;
      expires_at: unknown;
    }>("SELECT delivery_id, event, received_at, expires_at FROM delivery_bodies");
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ delivery_id: "delivery-original", event: "issues.labeled" });
    expect(Number(seen[0]!.expires_at) - Number(seen[0]!.received_at)).toBe(BODY_REPLAY_WINDOW_MS);
  });

  it("a genuinely new labeled event (GitHub's new updated_at) still starts a run; a forged signature is rejected", async () => {
    await h.sendRaw("issues", JSON.stringify(labeled("2026-03-01T10:00:00Z")));
    await h.drain();
    const first = await h.claim();
    await h.call(`/runs/${first.runId}/result`, first.token, { status: "completed", summary: "done" });
    await h.sendRaw("issues", JSON.stringify(labeled("2026-03-02T09:30:00Z")));
    await h.drain();
    expect((await runs()).map((r) => r.state)).toEqual(["completed", "queued"]);

    const forged = JSON.stringify(labeled("2026-03-03T00:00:00Z"));
    await expect(
      h.app.probot.webhooks.verifyAndReceive({
        id: "forged",
        name: "issues",
        payload: forged,
        signature: sign(forged, `not-${WEBHOOK_SECRET}`),
      }),
    ).rejects.toThrow(/signature does not match/i);
    expect(await runs()).toHaveLength(2);
  });
});
