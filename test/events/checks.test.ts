import { describe, expect, it } from "vitest";
import { checkRunRoute } from "../../src/events/checks.ts";
import { toEvent } from "../../src/events/intake.ts";
import { examplePayload } from "../helpers/webhooks.ts";

function rerequested(over: Record<string, unknown>) {
  const p = examplePayload("check_run", "rerequested");
  p.check_run = { ...p.check_run, ...over };
  return toEvent("check_run", "d1", p);
}

describe("checkRunRoute", () => {
  it("the Re-run button on Steward's check → one pr.review per PR of the run, keyed like the automatic review", () => {
    const ev = rerequested({
      name: "Steward review",
      external_id: "steward:review",
      head_sha: "f".repeat(40),
      pull_requests: [{ number: 7 }, { number: 9 }],
    });
    expect(checkRunRoute(ev)).toEqual([
      {
        kind: "pr.review",
        repo: "github/hello-world",
        targetNumber: 7,
        payload: { number: 7, headSha: "f".repeat(40) },
        dedupeKey: "pr.review:github/hello-world#7",
      },
      {
        kind: "pr.review",
        repo: "github/hello-world",
        targetNumber: 9,
        payload: { number: 9, headSha: "f".repeat(40) },
        dedupeKey: "pr.review:github/hello-world#9",
      },
    ]);
  });

  it("ignores other runs, other actions and odd pull_requests entries", () => {
    const prs = [{ number: 7 }];
    expect(
      checkRunRoute(rerequested({ name: "CI", external_id: "steward:review", pull_requests: prs })),
    ).toEqual([]);
    expect(
      checkRunRoute(rerequested({ name: "Steward review", external_id: "", pull_requests: prs })),
    ).toEqual([]);
    expect(
      checkRunRoute(
        rerequested({
          name: "Steward review",
          external_id: "steward:review",
          pull_requests: [{ number: "7" }, { number: -1 }, null, { number: 1.5 }],
        }),
      ),
    ).toEqual([]);
    const created = examplePayload("check_run", "created");
    created.check_run.name = "Steward review";
    created.check_run.external_id = "steward:review";
    expect(checkRunRoute(toEvent("check_run", "d2", created))).toEqual([]);
  });
});
