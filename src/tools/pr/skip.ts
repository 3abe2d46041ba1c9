// Which PRs the automatic tools leave alone. Pure: decided from the event payload and the config.
import picomatch from "picomatch";
import { CAPS, capText } from "../../caps.ts";
import type { RepoConfig } from "../../config/schema.ts";
import type { PrEventPayload } from "../../events/pr.ts";

/** Why the automatic tools skip this PR, or null to run them. */
export function skipReason(p: PrEventPayload, config: RepoConfig): string | null {
  const ig = config.pr.ignore;
  if (p.authorType === "Bot" || /\[bot\]$/i.test(p.author)) return `author ${p.author} is a bot`;
  if (p.draft && !config.pr.drafts) return "draft pull request (set pr.drafts: true to review drafts)";
  const title = capText(p.title, CAPS.configPatternInput);
  // redos-ok: a maintainer's pattern from pr.ignore.title in .github/steward.yml (cannot be checked at build time); it sees at most CAPS.configPatternInput characters of the title
  for (const re of ig.title) if (new RegExp(re).test(title)) return `title matches pr.ignore.title ${re}`;
  const labels = new Set(p.labels.map((l) => l.toLowerCase()));
  for (const l of ig.labels) if (labels.has(l.toLowerCase())) return `label ${l} is in pr.ignore.labels`;
  for (const a of ig.authors)
    if (a.toLowerCase() === p.author.toLowerCase()) return `author ${p.author} is in pr.ignore.authors`;
  for (const b of ig.branches)
    if (picomatch(b)(p.headRef) || picomatch(b)(p.baseRef)) return `branch matches pr.ignore.branches ${b}`;
  return null;
}
