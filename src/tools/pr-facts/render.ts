// Markdown for the deterministic facts, shown in the review comment and usable on its own when no
// LLM is configured.
import { cell, code, plural } from "../markdown.ts";
import type { PrFacts } from "./types.ts";

const MAX_ROWS = 15;

function more(n: number): string {
  return n > 0 ? `\n- …and ${n} more` : "";
}

export function renderFacts(facts: PrFacts): string {
  const out: string[] = [];
  const t = facts.totals;
  out.push(`**Changed:** ${plural(t.files, "file")}, +${t.additions} −${t.deletions}`);

  if (facts.areas.length > 0) {
    const rows = facts.areas
      .slice(0, MAX_ROWS)
      .map((a) => `| ${cell(a.area)} | ${a.files} | +${a.additions} −${a.deletions} |`);
    if (facts.areas.length > MAX_ROWS) rows.push(`| …${facts.areas.length - MAX_ROWS} more areas | | |`);
    out.push(["| Area | Files | Lines |", "|---|---:|---:|", ...rows].join("\n"));
  }

  const tests = facts.tests;
  if (tests.sourceFiles.length === 0) {
    out.push("**Tests:** no source files changed.");
  } else if (tests.untested.length === 0) {
    out.push(
      `**Tests:** ✅ every changed source file has a matching test change (${plural(tests.testFiles.length, "test file")}).`,
    );
  } else {
    const items = tests.untested
      .slice(0, MAX_ROWS)
      .map((u) => `- ${code(u.file)} (expected e.g. ${code(u.expected[0] ?? "a test file")})`);
    out.push(
      `**Tests:** ⚠️ ${tests.untested.length} of ${plural(tests.sourceFiles.length, "changed source file")} ` +
        `have no matching test change (${plural(tests.testFiles.length, "test file")} changed):\n` +
        items.join("\n") +
        more(tests.untested.length - MAX_ROWS),
    );
  }

  const added = facts.dependencies.filter((d) => d.change === "added");
  const changed = facts.dependencies.filter((d) => d.change === "changed");
  const removed = facts.dependencies.filter((d) => d.change === "removed");
  if (facts.dependencies.length === 0) {
    out.push("**Dependencies:** no manifest changes.");
  } else {
    const lines: string[] = [];
    for (const d of added.slice(0, MAX_ROWS)) {
      const where = d.section ? ` (${cell(d.section)})` : "";
      lines.push(
        `- ➕ ${code(d.name)}${d.version ? ` ${code(d.version)}` : ""}${where} in ${code(d.manifest)}`,
      );
    }
    if (added.length > MAX_ROWS) lines.push(`- …and ${added.length - MAX_ROWS} more new`);
    if (changed.length > 0)
      lines.push(
        `- ${plural(changed.length, "version change")}: ${changed
          .slice(0, 8)
          // Versions come from the PR's manifests, written by whoever opened it.
          .map((d) => `${code(d.name)} ${d.from ? code(d.from) : "?"} → ${d.version ? code(d.version) : "?"}`)
          .join(", ")}${changed.length > 8 ? ", …" : ""}`,
      );
    if (removed.length > 0)
      lines.push(
        `- ${plural(removed.length, "removal")}: ${removed
          .slice(0, 8)
          .map((d) => code(d.name))
          .join(", ")}${removed.length > 8 ? ", …" : ""}`,
      );
    out.push(
      `**Dependencies:** ${plural(added.length, "new dependency", "new dependencies")}\n${lines.join("\n")}`,
    );
  }

  if (facts.risky.length > 0) {
    const items = facts.risky.slice(0, MAX_ROWS).map((r) => `- ${code(r.path)} — ${cell(r.reason)}`);
    out.push(`**Risky paths:**\n${items.join("\n")}${more(facts.risky.length - MAX_ROWS)}`);
  }

  if (facts.secrets.length > 0) {
    const items = facts.secrets
      .slice(0, MAX_ROWS)
      .map((s) => `- ${code(`${s.file}:${s.line}`)} — ${cell(s.kind)}: ${code(s.preview)}`);
    out.push(
      `**🔐 Possible secrets added:** rotate any real credential; removing it from the branch is not enough.\n` +
        items.join("\n") +
        more(facts.secrets.length - MAX_ROWS),
    );
  }

  if (facts.large.length > 0) {
    const items = facts.large
      .slice(0, MAX_ROWS)
      .map(
        (l) =>
          `- ${code(l.path)} — ${cell(l.reason)}${l.reason === "binary" ? "" : `, ${l.changedLines} lines`}`,
      );
    out.push(
      `**Large, generated or binary files:**\n${items.join("\n")}${more(facts.large.length - MAX_ROWS)}`,
    );
  }
  return out.join("\n\n");
}
