// What Steward already posted inline on a PR, read back from the PR itself. The persistent
// comment's marker state is only a fast path: it is written AFTER the review (a crash in between
// loses it) and is capped by the marker size. The review comments are the record that cannot lie,
// so before posting, the jobs scan Steward's own review comments for the hidden id markers.
import type { GitHubGateway } from "../../github/index.ts";
import { parsePostedFingerprints } from "../improve/fingerprint.ts";

/** Leads every inline finding comment, so a retried or later review can recognise it. */
export function findingMarker(id: string): string {
  return `<!-- steward:finding id=${id} -->`;
}

const FINDING_RE = /<!-- steward:finding id=([0-9a-f]{8,64}) -->/g;

/** Finding ids found in the hidden markers of earlier comments. */
export function parsePostedFindings(bodies: Iterable<string | null | undefined>): Set<string> {
  const out = new Set<string>();
  for (const body of bodies) {
    if (!body) continue;
    for (const m of body.matchAll(FINDING_RE)) out.add(m[1]!);
  }
  return out;
}

export interface PostedOnPr {
  findings: Set<string>;
  suggestions: Set<string>;
}

/** Ids of findings and suggestions in Steward's own review comments (all pages, no cap). */
export async function postedOnPr(gw: GitHubGateway, pullNumber: number): Promise<PostedOnPr> {
  const own = (await gw.listReviewComments(pullNumber)).filter((c) => c.own).map((c) => c.body);
  return { findings: parsePostedFindings(own), suggestions: parsePostedFingerprints(own) };
}
