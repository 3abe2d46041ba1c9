import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseCommand } from "../../src/tools/commands.ts";

describe("parseCommand", () => {
  it.each([
    ["/review", { name: "review", options: {} }],
    ["  /describe --format=json", { name: "describe", options: { format: "json" } }],
    [
      "please\n/improve --min_score=7 --max-suggestions=3",
      { name: "improve", options: { min_score: 7, max_suggestions: 3 } },
    ],
    ["/help", { name: "help", options: {} }],
    ["/config", { name: "config", options: {} }],
    ["/triage", { name: "triage", options: {} }],
    ["/similar", { name: "similar", options: {} }],
    [
      "/ask why is the cache keyed by user?\nand by org?",
      { name: "ask", question: "why is the cache keyed by user?\nand by org?", options: {} },
    ],
    [
      "/ask --language=German was macht das?",
      { name: "ask", question: "was macht das?", options: { language: "German" } },
    ],
    [
      "/agent fix the flaky test\nin src/a.ts",
      { name: "agent", instructions: "fix the flaky test\nin src/a.ts" },
    ],
    ["/approve run-42 A1B2C3D4", { name: "approve", id: "run-42", prefix: "a1b2c3d4" }],
    ["/deny run-42", { name: "deny", id: "run-42" }],
    ["/incident Resolve", { name: "incident", action: "resolve" }],
  ])("%j", (body, command) => {
    expect(parseCommand(body)).toEqual({ kind: "command", command });
  });

  it.each([
    "no command here",
    "> /review\nquoted only",
    "```\n/review\n```",
    "~~~sh\n/review\n~~~",
    "    /review (indented code)",
    "run /review please",
    "/reviewer",
    "/usr/bin/env node",
    "",
  ])("ignores %j", (body) => {
    expect(parseCommand(body)).toEqual({ kind: "none" });
  });

  it("takes only the first command", () => {
    expect(parseCommand("/describe\n/review")).toEqual({
      kind: "command",
      command: { name: "describe", options: {} },
    });
  });

  it("finds a command after a closed code block", () => {
    expect(parseCommand("```\n/review\n```\n/improve")).toEqual({
      kind: "command",
      command: { name: "improve", options: {} },
    });
  });

  it.each([
    ["/ask", "ask", "`/ask` needs a question, e.g. `/ask why is the cache keyed by user?`"],
    ["/agent", "agent", "`/agent` needs instructions, e.g. `/agent fix the failing test in src/parse.ts`"],
    [
      "/approve run-1",
      "approve",
      "Usage: `/approve <id> <hash-prefix>` — the id and the hex hash prefix shown in the approval request.",
    ],
    [
      "/approve run-1 xyz123",
      "approve",
      "Usage: `/approve <id> <hash-prefix>` — the id and the hex hash prefix shown in the approval request.",
    ],
    ["/deny", "deny", "Usage: `/deny <id>` — the id shown in the approval request."],
    ["/incident delete", "incident", "Usage: `/incident <ignore|resolve|reopen|dispatch>`"],
    [
      "/review now please",
      "review",
      "`/review` takes only `--key=value` options; unexpected text: `now please`",
    ],
    [
      "/review --model=gpt-4",
      "review",
      "`--model` cannot be set from a comment: secrets, URLs, models and budgets are set only in the Steward server environment or .github/steward.yml.",
    ],
  ])("%j is an error", (body, command, message) => {
    expect(parseCommand(body)).toEqual({ kind: "error", command, message });
  });

  it("never throws and always returns a known shape (fuzz)", () => {
    const piece = fc.constantFrom(
      "/review",
      "/ask",
      "/approve",
      "/incident",
      "/agent",
      "> ",
      "```",
      "~~~",
      "    ",
      "--",
      "=",
      '"',
      "'",
      "\n",
      " ",
      "--model=x",
      "--num_findings=",
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(piece, fc.string()), { maxLength: 20 }), (parts) => {
        const r = parseCommand(parts.join(""));
        expect(["none", "command", "error"]).toContain(r.kind);
        if (r.kind === "error") expect(r.message.length).toBeGreaterThan(0);
      }),
      { numRuns: 2000 },
    );
  });

  it("finds /review inserted as its own line in any surrounding prose (fuzz)", () => {
    const prose = fc.string().map((s) => s.replace(/[\n\r`~>/]/g, " "));
    fc.assert(
      fc.property(prose, prose, (before, after) => {
        const r = parseCommand(`${before}\n/review\n${after}`);
        expect(r).toEqual({ kind: "command", command: { name: "review", options: {} } });
      }),
      { numRuns: 500 },
    );
  });
});
