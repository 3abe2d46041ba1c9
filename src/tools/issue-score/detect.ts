// Content detectors: each returns a short evidence quote when the element is in the text, or null.
// They read prose (code and headings removed), code blocks, or every line, and run one bounded
// regex per line, so the cost is linear in the (capped) body.

import { scanTraces, type TraceScan } from "./frames.ts";
import { type PreparedText, snippet } from "./text.ts";

export interface DetectContext {
  title: string;
  text: PreparedText;
  traces: TraceScan;
}

export type Detector = (ctx: DetectContext) => string | null;

export function makeContext(title: string, text: PreparedText): DetectContext {
  return { title, text, traces: scanTraces(text.allLines) };
}

function firstLine(lines: readonly string[], re: RegExp): string | null {
  for (const line of lines) {
    const m = re.exec(line);
    if (m) return snippet(m.index > 20 ? line.slice(m.index - 20) : line);
  }
  return null;
}

// "1." / "1)" / "Step 1:", or a bare "1 Open …" when the next item is numbered 2 (Bugzilla-style text
// and some parsers drop the period, so a consecutive number is required to trust a bare digit).
const NUMBERED = /^\s*(?:\d{1,2}[.)]|step \d{1,2}:?)\s+\S/i;
// `\s*[-:]?\s+` split the same whitespace two ways (quadratic); each branch below reads it once.
const BARE_NUMBER = /^\s*(\d{1,2})(?:\s*[-:]\s+|\s+)[A-Za-z]/;
const BULLET = /^\s*[-*+]\s+\S/;
const STEPS_CUE = /reproduc|\bsteps?\b|\brepro\b|\bas follows\s*:|\bscenario\s*:/i;
const ACTION_VERB =
  "(?:click|open|run|type|press|select|go|navigate|try|attempt|use|create|add|enter|set|start|launch|install|load|call|execute|drag|change|save|switch|remove|delete|visit|upload|download|import|export|build|compile|deploy|restart|stop|close|edit|insert|paste|copy|scroll|hover|submit|log ?in|sign ?in|configure|define|update|upgrade|apply|invoke|send|request|move|rename|choose|check|uncheck|expand|resize|right-click|double-click|tap|refresh|reload|debug|launch|mount|pull|push|connect|access|browse|search|share|post|make)";
// An action the reporter (or "you") performs, then what happens: Chaparro et al.'s conditional S2R.
// redos-ok: lines are cut to MAX_LINE_CHARS (2,000) by prepareText and bodies to MAX_SCAN_CHARS; assembled from the constant ACTION_VERB list; test/security/redos-dynamic.test.ts checks the assembled pattern with recheck
export const COND_ACTION = new RegExp(
  `\\b(?:when(?:ever)?|if|after|once|each time|every time)\\s+(?:I|you|we|the user|a user|users|one)\\s+(?:(?:then|just|first|simply|also|try to|tried to|attempt to|want to|\\w+ly)\\s+)?${ACTION_VERB}(?:s|ed|ing)?\\b|\\b(?:when|after|while|upon|on)\\s+(?:using|running|trying|clicking|opening|selecting|calling|creating|installing|upgrading|executing|adding|loading|starting|building|switching|typing|pressing|entering|saving|changing|deleting|removing|importing|dragging|launching|navigating)\\b`,
  "i",
);
// A line that starts with an action verb and an object ("Open the file"), not "configure: error" or code.
// redos-ok: lines are cut to MAX_LINE_CHARS (2,000) by prepareText and bodies to MAX_SCAN_CHARS; assembled from the constant ACTION_VERB list; test/security/redos-dynamic.test.ts checks the assembled pattern with recheck
export const IMPERATIVE = new RegExp(
  `^\\s*(?:[-*+]\\s+)?(?:then\\s+|and\\s+|now\\s+)?${ACTION_VERB}\\s+(?![\\s:=(])[^;{}]*$`,
  "i",
);

/** Only numbered lines look ahead (past blank lines), so the scan stays linear. */
function numberedRun(lines: readonly string[], i: number): boolean {
  const dotted = NUMBERED.test(lines[i]!);
  const bare = dotted ? null : BARE_NUMBER.exec(lines[i]!);
  if (!dotted && !bare) return false;
  let j = i + 1;
  while (j < lines.length && lines[j]!.trim() === "") j++;
  if (j >= lines.length) return false;
  if (dotted) return NUMBERED.test(lines[j]!);
  const next = BARE_NUMBER.exec(lines[j]!);
  return !!next && Number(next[1]) === Number(bare![1]) + 1;
}

export const steps: Detector = ({ text }) => {
  const lines = text.prose;
  for (let i = 0; i < lines.length; i++) {
    if (numberedRun(lines, i)) return `numbered steps: "${snippet(lines[i]!, 60)}"`;
    if (STEPS_CUE.test(lines[i]!)) {
      let items = 0;
      for (let j = i + 1; j < lines.length && j <= i + 8; j++) {
        if (BULLET.test(lines[j]!) || IMPERATIVE.test(lines[j]!)) items++;
        else if (lines[j]!.trim() !== "") break;
      }
      if (items >= 2) return `steps listed after "${snippet(lines[i]!, 50)}"`;
    }
    if (IMPERATIVE.test(lines[i]!) && i + 1 < lines.length && IMPERATIVE.test(lines[i + 1]!))
      return `action sequence: "${snippet(lines[i]!, 60)}"`;
  }
  const cond = firstLine(lines, COND_ACTION);
  return cond ? `actions described: "${cond}"` : null;
};

// "works as expected" / "than expected" report what happened, not what should have.
const NOT_EXPECTATION = /\b(?:as|than) (?:I )?expected\b|\bunexpected/gi;
// redos-ok: lines are cut to MAX_LINE_CHARS (2,000) by prepareText and bodies to MAX_SCAN_CHARS; alternatives of bounded length after a word boundary; the one unbounded word (`\w{2,}`) is read once per `should`
const EXPECTED_CUE =
  /\bexpect(?:ed|ing|s|ation)?\b|\bshould(?:n't| not)?\s+(?!I\b|we\b|you\b|it\?)(?:\w+ly\s+)?\w{2,}|\bsupposed to\b|\bought to\b|\bwould (?:be|have been) (?:nice|ideal|better|great|neat|good|preferable|correct|useful|expected|appropriate)\b|\b(?:needs?|has|have) to (?:be|work|show|return|handle|accept|perform|use)\b|\bmust(?: not|n't)?\s+(?:be|not|never|always|work|return|show|have|accept|use|start)\b|\binstead of\b|\brather than\b|\bcorrect (?:behaviou?r|result|output|value)\b/i;

export const expected: Detector = ({ text }) => {
  for (const line of text.prose) {
    const m = EXPECTED_CUE.exec(line.replace(NOT_EXPECTATION, " "));
    if (m) return snippet(m.index > 20 ? line.slice(m.index - 20) : line);
  }
  return null;
};

export const actual: Detector = ({ text }) =>
  firstLine(
    text.prose,
    /\bactual(?:ly)?\b|\binstead\b|\bbut (?:it|I|the|this|that|we|got|nothing|when|then|now|get)\b|\bcurrently\b|\bwhat happens\b|\b(?:I|we) (?:get|got|see|saw|receive|received)\b|\bresults? in\b|\b(?:throws?|threw|crash(?:es|ed)?|fails?|failed|breaks?|hangs?|freezes?)\b|\b(?:doesn't|does not|isn't|is not|won't|not) (?:work|working|compile|load|render|show|run|build|found)\b/i,
  );

// redos-ok: lines are cut to MAX_LINE_CHARS (2,000) by prepareText and bodies to MAX_SCAN_CHARS; keyword alternatives, a bounded gap ({0,40}) and one version number per keyword
const ENV_KEYWORD =
  /\b(?:version|node(?:\.?js)?|npm|yarn|pnpm|deno|bun|python|java|jdk|go|rustc?|cargo|ruby|php|dotnet|\.net|os|windows|win|mac ?os|os ?x|darwin|linux|ubuntu|debian|fedora|centos|alpine|android|ios|chrome|chromium|firefox|safari|edge|electron|webpack|babel|typescript|react|vue|angular|eslint|docker|kernel|kotlin|gradle|maven)\b[^\n]{0,40}?\bv?\d+(?:\.\d+)+/i;
// redos-ok: lines are cut to MAX_LINE_CHARS (2,000) by prepareText and bodies to MAX_SCAN_CHARS; every repeat is bounded ({1,100})
const PKG_AT_VERSION = /(?:^|[\s`'"(])@?[\w.-]{1,100}(?:\/[\w.-]{1,100})?@[\^~]?\d+\.\d+/;
const ENVINFO = /^\s*(?:System|Binaries|Browsers|npmPackages|OS|Platform|Runtime):\s*/;

export const environment: Detector = ({ text }) =>
  firstLine(text.allLines, ENV_KEYWORD) ??
  firstLine(text.allLines, PKG_AT_VERSION) ??
  firstLine(text.allLines, ENVINFO);

export const stackTrace: Detector = ({ traces }) => {
  if (traces.headers.length > 0) return snippet(traces.headers[0]!);
  if (traces.frames.length >= 2)
    return `${traces.frames.length} stack frames, e.g. "${snippet(traces.frames[0]!.raw, 60)}"`;
  if (traces.errors.length > 0) return `error message "${snippet(traces.errors[0]!.raw, 60)}"`;
  return null;
};

const LOG_LANGS = new Set([
  "log",
  "logs",
  "console",
  "text",
  "txt",
  "output",
  "shell-session",
  "plaintext",
  "stderr",
]);
// redos-ok: lines are cut to MAX_LINE_CHARS (2,000) by prepareText and bodies to MAX_SCAN_CHARS; fixed-width alternatives (recheck times out on the alternation, it does not report growth)
const LOG_LINE =
  /\d{4}-\d\d-\d\d[ T]\d\d:\d\d|\[(?:INFO|WARN(?:ING)?|ERROR|DEBUG|TRACE)\]|^\s*(?:INFO|WARN|ERROR|DEBUG)\b|npm ERR!/;
// redos-ok: lines are cut to MAX_LINE_CHARS (2,000) by prepareText and bodies to MAX_SCAN_CHARS; every repeat is bounded ({0,200}, {1,500}, {1,400})
const IMAGE =
  /!\[[^\]]{0,200}\]\([^)]{1,500}\)|https?:\/\/\S{1,400}\.(?:png|jpe?g|gif|webp|mp4|mov|webm)\b|github\.com\/user-attachments\/|user-images\.githubusercontent\.com|https?:\/\/\S{1,400}\.(?:log|txt|zip|har)\b|gist\.github\.com\//i;

export const logsOrScreenshots: Detector = ({ text }) => {
  const img = firstLine(text.allLines, IMAGE);
  if (img) return img;
  for (const block of text.code) {
    if (LOG_LANGS.has(block.lang) && block.text.trim() !== "") return `\`\`\`${block.lang} block`;
    let hits = 0;
    for (const l of block.text.split("\n", 200))
      if (LOG_LINE.test(l) && ++hits >= 2) return "log lines in a code block";
  }
  return null;
};

// redos-ok: lines are cut to MAX_LINE_CHARS (2,000) by prepareText and bodies to MAX_SCAN_CHARS; every repeat that can overlap is bounded ({0,200})
const TEST_CODE =
  /\b(?:it|test|describe)\s*\(\s*['"`]|\bdef test_|@Test\b|#\[test\]|\bfunc Test\w*\(|\bassert(?:Equals|That|_eq!)?\s*\(|\bexpect\(.{0,200}\)\.(?:to|not)/;
// redos-ok: lines are cut to MAX_LINE_CHARS (2,000) by prepareText and bodies to MAX_SCAN_CHARS; host labels are read once per `http` and end at a dot
const PLAYGROUND =
  /https?:\/\/(?:[\w-]+\.)*(?:stackblitz\.com|codesandbox\.io|jsfiddle\.net|codepen\.io|jsbin\.com|replit\.com|repl\.it|glitch\.com|plnkr\.co|play\.golang\.org|go\.dev\/play|play\.rust-lang\.org|typescriptlang\.org\/play|godbolt\.org|snack\.expo\.dev|svelte\.dev\/(?:repl|playground)|play\.vuejs\.org|sfc\.vuejs\.org|babeljs\.io\/repl|astexplorer\.net|prettier\.io\/playground|eslint\.org\/play|runkit\.com|dotnetfiddle\.net|ideone\.com|colab\.research\.google\.com)\S{0,300}/i;
// redos-ok: lines are cut to MAX_LINE_CHARS (2,000) by prepareText and bodies to MAX_SCAN_CHARS; the gap is bounded ({0,80}) and each URL part ends at a slash
const REPRO_REPO =
  /(?:repro|reproduc|minimal|example|demo|sample|showcase).{0,80}https?:\/\/(?:github\.com|gitlab\.com|bitbucket\.org)\/[\w.-]+\/[\w.-]+|https?:\/\/(?:github\.com|gitlab\.com)\/[\w.-]+\/[\w.-]*(?:repro|reproduc|example|demo|sample|bug|issue)[\w.-]*/i;

export const reproduction: Detector = ({ text }) => {
  const link = firstLine(text.allLines, PLAYGROUND) ?? firstLine(text.prose, REPRO_REPO);
  if (link) return link;
  for (const block of text.code) {
    const m = TEST_CODE.exec(block.text);
    if (m) return `test code: "${snippet(m[0], 40)}"`;
  }
  return firstLine(
    text.prose,
    /\b(?:minimal|reproducible|reduced) (?:reproduction|repro|example|test case)\b.{0,200}\S/i,
  );
};

const CODE_CHARS =
  /[{};=()<>[\]]|^\s*(?:import|from|const|let|var|def|class|function|fn|func|public|package|#include|SELECT)\b/;

export const codeSample: Detector = ({ text }) => {
  for (const block of text.code) {
    if (block.text.trim() === "" || LOG_LANGS.has(block.lang)) continue;
    const lines = block.text.split("\n", 50);
    const traceLike = lines.filter((l) => /^\s*at |^\s*File "/.test(l)).length;
    if (traceLike > lines.length / 2) continue;
    if (block.lang || lines.some((l) => CODE_CHARS.test(l)))
      return `\`\`\`${block.lang || ""} block (${lines.length} lines)`;
  }
  // Four-space indented code, the Markdown that predates fences.
  let run = 0;
  for (const line of text.prose) {
    run = /^ {4,}\S/.test(line) && CODE_CHARS.test(line) ? run + 1 : 0;
    if (run >= 2) return "indented code block";
  }
  return null;
};

export const description: Detector = ({ text }) => {
  let words = 0;
  for (const line of text.prose) {
    words += line.split(/\s+/).filter((w) => /[a-z]{2}/i.test(w)).length;
    if (words >= 15) return `${words}+ words of description`;
  }
  return null;
};

export const questionStated: Detector = ({ title, text }) => {
  if (
    /\?\s*$/.test(title) ||
    /^(?:how|what|why|where|when|which|is there|is it|can i|could i|does|do i|should i)\b/i.test(title)
  )
    return `title asks: "${snippet(title, 60)}"`;
  return firstLine(
    text.prose,
    /\?(?:\s|$)|\b(?:how (?:do|can|to|should) (?:i|we)|is (?:it|there) (?:a |any )?(?:way|possible))\b/i,
  );
};

export const tried: Detector = ({ text }) =>
  firstLine(
    text.prose,
    /\b(?:I|we)(?:'ve| have)? (?:already )?(?:tried|attempted|looked|searched|read|checked|followed|googled|added|changed|installed|configured|wrote|written|created|set up)\b|\btried\b|\bso far\b|\b(?:didn't|did not|doesn't|does not) (?:seem to )?work\b|\bI(?:'m| am) (?:using|trying)\b/i,
  );

export const questionContext: Detector = (ctx) =>
  environment(ctx) ??
  firstLine(
    ctx.text.prose,
    /\b(?:I(?:'m| am) (?:using|building|working|developing|writing)|my (?:setup|config|configuration|project|app|code|environment|use case)|in (?:my|our) (?:project|app|codebase))\b/i,
  );

export const motivation: Detector = ({ text }) =>
  // redos-ok: lines are cut to MAX_LINE_CHARS (2,000) by prepareText and bodies to MAX_SCAN_CHARS; word alternatives of bounded length after a word boundary
  firstLine(
    text.prose,
    /\b(?:because|currently|at the moment|right now|frustrat\w*|annoying|pain|problem|the issue is|difficult|hard to|tedious|cumbersome|no way to|there(?: is|'s) no|impossible|unable to|can't|cannot|limitation|lack(?:s|ing)?|in order to|so that|motivation)\b/i,
  );

export const solution: Detector = ({ text }) =>
  firstLine(
    text.prose,
    /\b(?:propos(?:e|al|ed)|suggest(?:ion|ed)?|I(?:'d| would) (?:like|love)|would (?:be )?(?:nice|great|helpful|useful|awesome)|it'd be|add(?:ing)? (?:a|an|the|support|option)|support for|should (?:support|allow|have|accept|provide|expose|be able)|could (?:add|support|have|allow|provide|expose)|allow(?:ing)? (?:users?|us|to|for|me)|ability to|option to|introduce|implement)\b/i,
  );

export const alternatives: Detector = ({ text }) =>
  firstLine(
    text.prose,
    /\b(?:alternatives?|work-?arounds?|considered|otherwise|currently (?:I|we) (?:use|have to|do|work)|for now (?:I|we)|other (?:options|approaches|solutions)|another (?:option|approach|way))\b/i,
  );

export const useCase: Detector = (ctx) =>
  firstLine(
    ctx.text.prose,
    /\b(?:use[- ]cases?|for example|for instance|e\.g\.|such as|scenario|imagine|in my (?:app|project|case)|my (?:app|project|team|case)|we (?:have|use|build))\b/i,
  ) ?? codeSample(ctx);

export const references: Detector = (ctx) =>
  environment(ctx) ??
  // redos-ok: lines are cut to MAX_LINE_CHARS (2,000) by prepareText and bodies to MAX_SCAN_CHARS; one URL or reference per start; every other repeat is bounded ({1,7})
  firstLine(ctx.text.allLines, /https?:\/\/\S{4,}|(?:^|\s)#\d{1,7}\b|\b[\w.-]+\/[\w.-]+#\d{1,7}\b/) ??
  logsOrScreenshots(ctx);
