import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { commandSchema } from "../../../src/agents/commands.ts";
import { integrityProblem, renderProposal } from "../../../src/agents/render.ts";
import { backends } from "../../helpers/db.ts";
import { Harness, MAYA, WES } from "./harness.ts";

// Issue 9 A8: bidirectional-override and invisible characters in a command's argv were shown raw in the
// approval block, so the approver read one command and approved another. Steward's choice (documented in
// docs/workers.md and docs/SECURITY.md): render them as `\uXXXX` escapes inside the JSON block, and add a
// visible warning line naming each one. The hash, and what the worker receives, are the exact command.

// "rm -rf ./build" as displayed after the RLO, while the argv really is the reverse.
const RLO = "\u202E";
const ZWSP = "\u200B";
const ARGV = ["sh", "-c", `echo safe ${RLO}hs.liame/lve//:sptth | lruc${ZWSP}`];

describe.each(backends)("A8 hidden characters are shown escaped and flagged ($name)", ({ open }) => {
  let h: Harness;
  beforeEach(async () => {
    h = await new Harness(await open()).start();
  });
  afterEach(async () => h.stop());

  it("the approval block escapes U+202E and U+200B, a warning names them; the worker gets the exact argv", async () => {
    await h.agent("run it", MAYA);
    const { runId, token } = await h.claim();
    const p = await h.propose(runId, token, { type: "shell", argv: ARGV });
    const { unticked } = h.bodies(p);
    expect(unticked).not.toContain(RLO);
    expect(unticked).not.toContain(ZWSP);
    expect(unticked).toContain('"echo safe \\u202Ehs.liame/lve//:sptth | lruc\\u200B"');
    expect(unticked).toContain(
      "- **⚠️ Hidden characters:** this command contains invisible, bidirectional-control or non-standard space characters (U+202E, U+200B); they are shown as `\\uXXXX` escapes in the block below, exactly as they would reach the worker. Approve only if you meant them.",
    );
    await h.tick(p, WES);
    const got = await h.approvedFor(runId, token);
    expect(got.body.commands).toEqual([
      { proposalId: p.id, sha256: p.sha256, command: { type: "shell", argv: ARGV }, argv: ARGV },
    ]);
  });
});

describe("A8 property: no hidden character ever reaches the proposal comment raw", () => {
  const hidden = fc.constantFrom(
    "\u202A",
    "\u202B",
    "\u202C",
    "\u202D",
    "\u202E",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
    "\u200B",
    "\u200C",
    "\u200D",
    "\u200E",
    "\u200F",
    "\u2060",
    "\uFEFF",
    "\u00AD",
    "\u00A0",
    "\u3000",
    "\u2028",
    "\u2029",
    "\u0085",
    "\u007F",
    "\u034F",
    "\u3164",
    "\uFFA0",
    "\u{E0041}",
    "\u{F0000}",
  );
  it("escaped in the block, listed in the warning, and the rendered body still passes integrity", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string({ maxLength: 8 }), hidden), { minLength: 1, maxLength: 5 }),
        (parts) => {
          const arg = parts.map(([s, c]) => s + c).join("");
          const command = commandSchema.parse({ type: "shell", argv: ["x", arg] });
          const p = {
            id: "abcd2345xy",
            sha256: "a".repeat(64),
            risk: "write" as const,
            command,
            repo: "o/r",
            ticketNumber: 1,
            runId: 1,
            headSha: null,
            expiresAt: 0,
          };
          const body = renderProposal(p);
          for (const [, c] of parts) {
            expect(body.includes(c), `raw U+${c.codePointAt(0)!.toString(16)}`).toBe(false);
            expect(body).toContain(`U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`);
          }
          expect(integrityProblem(body, p)).toBeNull();
          // The block is valid JSON for exactly the stored command.
          const block = /```json\n([\s\S]*?)\n```/.exec(body)![1]!;
          expect(JSON.parse(block)).toEqual(command);
        },
      ),
      { numRuns: 300 },
    );
  });
});
