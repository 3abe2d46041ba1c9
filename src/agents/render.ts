import { type Command, displayCommand, escapeHidden, hiddenCharacters, type Risk } from "./commands.ts";
import { stripHtmlComments } from "./visible.ts";

// Markdown for proposal comments, and the parser that reads the same fields back out of a comment's
// CURRENT body for the integrity check. Steward never renders a checked box: a checked box can only
// come from a human edit.

export interface ProposalView {
  id: string;
  sha256: string;
  risk: Risk;
  command: Command;
  repo: string;
  ticketNumber: number;
  runId: number;
  headSha: string | null;
  /** The PR whose head is pinned (null: the ticket, or nothing pinned). */
  targetNumber?: number | null;
  /** `deploy`: the configured argv that will run. */
  resolvedArgv?: string[] | null;
  expiresAt: number;
}

/** What a `deploy` runs, as configured when proposed; integrity-checked like the command block. */
export function argvLine(argv: string[]): string {
  const json = escapeHidden(JSON.stringify(argv));
  const longest = Math.max(0, ...[...json.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = "`".repeat(longest + 1);
  const pad = json.startsWith("`") || json.endsWith("`") ? " " : "";
  return `- **Runs (argv configured for this environment):** ${ticks}${pad}${json}${pad}${ticks}`;
}

/** The line naming what the command acts on and the PR head it is bound to; integrity-checked. */
export function targetLine(
  p: Pick<ProposalView, "repo" | "headSha" | "targetNumber" | "ticketNumber">,
): string {
  if (!p.headSha) return `- **Target:** \`${p.repo}\``;
  const n = p.targetNumber ?? p.ticketNumber;
  return `- **Target:** \`${p.repo}\` PR #${n} at head \`${p.headSha}\` (refused if #${n}'s head moves before it runs)`;
}

/** A visible warning when the command carries characters the approver could not otherwise see. */
function hiddenWarning(command: Command): string[] {
  const found = hiddenCharacters(command);
  if (found.length === 0) return [];
  return [
    `- **⚠️ Hidden characters:** this command contains invisible, bidirectional-control or non-standard space characters (${found.join(", ")}); they are shown as \`\\uXXXX\` escapes in the block below, exactly as they would reach the worker. Approve only if you meant them.`,
  ];
}

export function fenceFor(content: string): string {
  const longest = Math.max(0, ...[...content.matchAll(/`+/g)].map((m) => m[0].length));
  return "`".repeat(Math.max(3, longest + 1));
}

export function proposalMarker(id: string, sha: string): string {
  return `<!-- steward:proposal id=${id} sha=${sha} -->`;
}

export function approveLine(id: string, sha: string): string {
  return `- [ ] approve ${id} (sha256:${sha.slice(0, 12)})`;
}

const RISK_TEXT: Record<Risk, string> = {
  auto: "read-only (runs without approval)",
  triage: "needs **triage** permission or higher to approve",
  write: "needs **write** permission or higher to approve",
  maintain: "needs **maintain** or **admin** permission to approve",
  admin: "needs **admin** permission to approve",
};

export function renderProposal(p: ProposalView): string {
  const block = displayCommand(p.command);
  const fence = fenceFor(block);
  return [
    proposalMarker(p.id, p.sha256),
    `### Steward proposal \`${p.id}\` · \`${p.command.type}\``,
    "",
    `Worker run #${p.runId} on ${p.repo}#${p.ticketNumber} asks to run this command.`,
    "",
    `- **Risk:** ${p.risk}: ${RISK_TEXT[p.risk]}`,
    targetLine(p),
    ...(p.resolvedArgv ? [argvLine(p.resolvedArgv)] : []),
    ...hiddenWarning(p.command),
    `- **Expires:** ${new Date(p.expiresAt).toISOString()}`,
    `- **sha256:** \`${p.sha256}\``,
    "",
    `${fence}json`,
    block,
    fence,
    "",
    approveLine(p.id, p.sha256),
    "",
    `Tick the box, or comment \`/approve ${p.id} ${p.sha256.slice(0, 12)}\`. Comment \`/deny ${p.id}\` to reject it. ` +
      "Only the exact command above can run; editing it invalidates the proposal.",
  ].join("\n");
}

export interface ApproveBox {
  checked: boolean;
  id: string;
  prefix: string;
}

const BOX =
  /^[ \t]*[-*+][ \t]+\[([ xX])\][ \t]+approve[ \t]+([A-Za-z0-9_-]+)[ \t]+\(sha256:([0-9a-fA-F]+)\)[ \t]*$/;
// Anything that looks like an approval box, even malformed, so a crafted near-duplicate is noticed.
const LOOSE_BOX = /\[[ xX]\][ \t]*approve\b/i;
// The proposal marker counts only as the whole first line of the comment, so text the worker put in a
// command (or anything below the marker) can never add, replace or duplicate it.
const MARKER_LINE =
  /^<!--[ \t]*steward:proposal[ \t]+id=([A-Za-z0-9_-]+)[ \t]+sha=([0-9a-fA-F]+)[ \t]*-->[ \t]*$/;
// On github.com the gateway's own upsert marker (src/github/markers.ts) precedes the rendered body.
const GATEWAY_LINE =
  /^<!-- steward:proposal key=[A-Za-z0-9_%.-]+(?: part=\d+)?(?: state=[A-Za-z0-9_-]+)? -->$/;

/** The marker on the first line of the proposal body (after the gateway's marker line, if any). */
export function proposalMarkerOf(body: string): { id: string; sha: string } | null {
  const lines = body
    .replace(/^\uFEFF/, "")
    .replace(/\r\n?/g, "\n")
    .split("\n", 2);
  const first = GATEWAY_LINE.test(lines[0]!) ? (lines[1] ?? "") : lines[0]!;
  const m = MARKER_LINE.exec(first);
  return m ? { id: m[1]!, sha: m[2]! } : null;
}

export interface ParsedProposalBody {
  markers: Array<{ id: string; sha: string }>;
  boxes: ApproveBox[];
  looseBoxCount: number;
  jsonBlocks: string[];
}

function scan(lines: string[]): { boxes: ApproveBox[]; jsonBlocks: string[]; loose: number } {
  const boxes: ApproveBox[] = [];
  const jsonBlocks: string[] = [];
  let loose = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const m = BOX.exec(line);
    if (m) boxes.push({ checked: m[1] !== " ", id: m[2]!, prefix: m[3]! });
    if (LOOSE_BOX.test(line)) loose++;
    const open = /^(`{3,})json[ \t]*$/.exec(line);
    if (open) {
      const end = lines.indexOf(open[1]!, i + 1);
      if (end === -1) break;
      jsonBlocks.push(lines.slice(i + 1, end).join("\n"));
      i = end;
    }
  }
  return { boxes, jsonBlocks, loose };
}

export function parseProposalBody(body: string): ParsedProposalBody {
  const raw = body.replace(/\r\n?/g, "\n").split("\n");
  // Boxes and the command block count only where GitHub shows them: not inside an HTML comment. Loose
  // look-alikes are counted in the raw text, so a box hidden in a comment still breaks integrity.
  const looseBoxCount = scan(raw).loose;
  const { boxes, jsonBlocks } = scan(stripHtmlComments(body).split("\n"));
  const marker = proposalMarkerOf(body);
  const markers = marker ? [marker] : [];
  return { markers, boxes, looseBoxCount, jsonBlocks };
}

/** Why the body no longer matches the stored proposal, or null when marker, hash, box and block all do. */
export function integrityProblem(
  body: string,
  p: {
    id: string;
    sha256: string;
    command: Command;
    repo?: string;
    headSha?: string | null;
    targetNumber?: number | null;
    ticketNumber?: number;
    resolvedArgv?: string[] | null;
  },
): string | null {
  const parsed = parseProposalBody(body);
  if (parsed.markers.length !== 1) return "the proposal marker is missing from the first line";
  const [marker] = parsed.markers;
  if (marker!.id !== p.id || marker!.sha !== p.sha256)
    return "the proposal marker does not match the stored proposal";
  if (parsed.boxes.length !== 1 || parsed.looseBoxCount !== 1)
    return "the approval checkbox is missing, altered or duplicated";
  const box = parsed.boxes[0]!;
  if (box.id !== p.id || box.prefix !== p.sha256.slice(0, 12))
    return "the approval checkbox names another proposal or hash";
  if (parsed.jsonBlocks.length !== 1 || parsed.jsonBlocks[0] !== displayCommand(p.command))
    return "the command block was edited";
  // The pinned head the approver reads must be the one enforced.
  if (p.headSha && p.repo !== undefined && p.ticketNumber !== undefined) {
    const want = targetLine({
      repo: p.repo,
      headSha: p.headSha,
      targetNumber: p.targetNumber ?? null,
      ticketNumber: p.ticketNumber,
    });
    if (!body.replace(/\r\n?/g, "\n").split("\n").includes(want)) return "the target head line was edited";
  }
  if (p.resolvedArgv && !body.replace(/\r\n?/g, "\n").split("\n").includes(argvLine(p.resolvedArgv)))
    return "the deploy command line was edited";
  return null;
}

/** A retired proposal: the same marker line, the reason, and no checkbox left to tick. */
export function renderRetiredProposal(p: ProposalView, status: string, reason: string): string {
  const block = displayCommand(p.command);
  const fence = fenceFor(block);
  return [
    proposalMarker(p.id, p.sha256),
    `### Steward proposal \`${p.id}\` · \`${p.command.type}\` · ${status}`,
    "",
    `This proposal from worker run #${p.runId} can no longer be approved: ${reason}.`,
    "",
    `- **sha256:** \`${p.sha256}\``,
    "",
    `${fence}json`,
    block,
    fence,
  ].join("\n");
}
