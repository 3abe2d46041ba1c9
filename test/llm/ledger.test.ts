import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BudgetExceededError } from "../../src/errors.ts";
import {
  assertWithinBudget,
  costUsd,
  recordUsage,
  tokensUsedToday,
  type UsageEntry,
  usageByJob,
  usageSummary,
  utcDay,
} from "../../src/llm/ledger.ts";
import { backends, type TestDb } from "../helpers/db.ts";

const NOON = Date.UTC(2025, 5, 14, 12, 0, 0);
const LATE_YESTERDAY = Date.UTC(2025, 5, 13, 23, 59, 59);
const JUST_AFTER_MIDNIGHT = Date.UTC(2025, 5, 14, 0, 0, 0);

const entry = (over: Partial<UsageEntry>): UsageEntry => ({
  tool: "review",
  model: "gpt-4o-mini",
  promptTokens: 100,
  completionTokens: 10,
  costUsd: 0.001,
  outcome: "ok",
  ...over,
});

describe("utcDay and costUsd", () => {
  it("uses the UTC calendar day", () => {
    expect(utcDay(LATE_YESTERDAY)).toBe("2025-06-13");
    expect(utcDay(JUST_AFTER_MIDNIGHT)).toBe("2025-06-14");
  });
  it("prices per million tokens, zero when prices are unset", () => {
    expect(costUsd(2_000_000, 1_000_000, { priceInputPerMTok: 0.15, priceOutputPerMTok: 0.6 })).toBeCloseTo(
      0.9,
      10,
    );
    expect(costUsd(5_000, 5_000, {})).toBe(0);
  });
});

describe.each(backends)("ledger on $name", ({ open }) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await open();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it("counts only the installation's tokens of the current UTC day", async () => {
    await recordUsage(
      t.db,
      entry({ installationId: 1, promptTokens: 1_000, completionTokens: 200 }),
      LATE_YESTERDAY,
    );
    await recordUsage(
      t.db,
      entry({ installationId: 1, promptTokens: 300, completionTokens: 30 }),
      JUST_AFTER_MIDNIGHT,
    );
    await recordUsage(
      t.db,
      entry({ installationId: 1, promptTokens: 50, completionTokens: 5, outcome: "invalid" }),
      NOON,
    );
    await recordUsage(t.db, entry({ installationId: 2, promptTokens: 7_000, completionTokens: 0 }), NOON);
    await recordUsage(t.db, entry({ installationId: undefined, promptTokens: 9_000 }), NOON);

    expect(await tokensUsedToday(t.db, 1, NOON)).toBe(385);
    expect(await tokensUsedToday(t.db, 1, LATE_YESTERDAY)).toBe(1_200);
    expect(await tokensUsedToday(t.db, 2, NOON)).toBe(7_000);
    expect(await tokensUsedToday(t.db, 3, NOON)).toBe(0);
  });

  it("enforces the daily budget: equal is allowed, over is refused, 0 is unlimited", async () => {
    await recordUsage(t.db, entry({ installationId: 5, promptTokens: 900, completionTokens: 50 }), NOON);
    await expect(assertWithinBudget(t.db, 5, 50, 1_000, NOON)).resolves.toBeUndefined();
    const err = await assertWithinBudget(t.db, 5, 51, 1_000, NOON).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BudgetExceededError);
    expect((err as BudgetExceededError).transient).toBe(false);
    expect((err as BudgetExceededError).userMessage).toBe(
      "Steward's daily LLM budget for this installation (1000 tokens) is spent; it resets at 00:00 UTC. Raise LLM_DAILY_TOKEN_BUDGET to allow more.",
    );
    await expect(assertWithinBudget(t.db, 5, 10_000_000, 0, NOON)).resolves.toBeUndefined();
    // The next UTC day starts from zero.
    await expect(assertWithinBudget(t.db, 5, 1_000, 1_000, NOON + 24 * 3600_000)).resolves.toBeUndefined();
  });

  it("lists a job's calls in order with every column", async () => {
    await recordUsage(t.db, entry({ jobId: 11, installationId: 4, outcome: "invalid" }), NOON);
    await recordUsage(t.db, entry({ jobId: 12, installationId: 4 }), NOON + 1);
    await recordUsage(
      t.db,
      entry({ jobId: 11, installationId: 4, promptTokens: 180, completionTokens: 40 }),
      NOON + 2,
    );
    const rows = await usageByJob(t.db, 11);
    expect(rows.map(({ id: _id, ...rest }) => rest)).toEqual([
      {
        jobId: 11,
        installationId: 4,
        tool: "review",
        model: "gpt-4o-mini",
        day: "2025-06-14",
        promptTokens: 100,
        completionTokens: 10,
        costUsd: 0.001,
        outcome: "invalid",
        createdAt: NOON,
      },
      {
        jobId: 11,
        installationId: 4,
        tool: "review",
        model: "gpt-4o-mini",
        day: "2025-06-14",
        promptTokens: 180,
        completionTokens: 40,
        costUsd: 0.001,
        outcome: "ok",
        createdAt: NOON + 2,
      },
    ]);
  });

  it("summarises per day, installation, tool and model, with filters", async () => {
    await recordUsage(t.db, entry({ installationId: 1 }), LATE_YESTERDAY);
    await recordUsage(t.db, entry({ installationId: 1 }), NOON);
    await recordUsage(
      t.db,
      entry({ installationId: 1, outcome: "error", promptTokens: 0, completionTokens: 0 }),
      NOON,
    );
    await recordUsage(t.db, entry({ installationId: 1, tool: "describe", costUsd: 0.5 }), NOON);
    await recordUsage(t.db, entry({ installationId: 2 }), NOON);
    await recordUsage(t.db, entry({ installationId: undefined, tool: "cli" }), NOON);

    const all = await usageSummary(t.db);
    expect(all.map((r) => [r.day, r.installationId, r.tool, r.calls, r.failures, r.promptTokens])).toEqual([
      ["2025-06-14", undefined, "cli", 1, 0, 100],
      ["2025-06-14", 1, "describe", 1, 0, 100],
      ["2025-06-14", 1, "review", 2, 1, 100],
      ["2025-06-14", 2, "review", 1, 0, 100],
      ["2025-06-13", 1, "review", 1, 0, 100],
    ]);
    const one = await usageSummary(t.db, { installationId: 1, sinceDay: "2025-06-14" });
    expect(one).toEqual([
      {
        day: "2025-06-14",
        installationId: 1,
        tool: "describe",
        model: "gpt-4o-mini",
        calls: 1,
        failures: 0,
        promptTokens: 100,
        completionTokens: 10,
        costUsd: 0.5,
      },
      {
        day: "2025-06-14",
        installationId: 1,
        tool: "review",
        model: "gpt-4o-mini",
        calls: 2,
        failures: 1,
        promptTokens: 100,
        completionTokens: 10,
        costUsd: 0.002,
      },
    ]);
  });
});
