// One rubric per issue type. Each element names the issue-form headings that answer it and a content
// detector for free-form issues; the weights of a rubric sum to 10, so the score reads as points.
//
// Bug weights follow Bettenburg, Just, Schröter, Weiss, Premraj & Zimmermann, "What makes a good bug
// report?" (FSE 2008). Developers rated steps to reproduce and stack traces the most helpful items,
// then test cases, expected/observed behaviour, code examples and version/environment. Steps get the
// largest share; the stack trace (or the exact error) comes next; expected vs actual, environment and
// a runnable reproduction follow; code, logs/screenshots and a prose description complete it. Feature
// and question rubrics adapt the same idea: what a maintainer must ask for before acting.

import * as d from "./detect.ts";
import type { IssueType } from "./types.ts";

export interface ElementSpec {
  id: string;
  label: string;
  weight: number;
  /** Issue-form or free-form headings whose (non-empty) section answers this element. */
  heading: RegExp;
  detect: d.Detector;
}

const BUG: ElementSpec[] = [
  {
    id: "steps_to_reproduce",
    label: "Steps to reproduce",
    weight: 2.5,
    heading: /\bsteps?\b|how to reproduce|to reproduce/i,
    detect: d.steps,
  },
  {
    id: "stack_trace",
    label: "Stack trace or exact error message",
    weight: 1.5,
    heading: /stack ?trace|traceback|backtrace|error message|crash (?:log|report)|exception/i,
    detect: d.stackTrace,
  },
  {
    id: "expected_behavior",
    label: "Expected behaviour",
    weight: 0.75,
    heading: /expect/i,
    detect: d.expected,
  },
  {
    id: "actual_behavior",
    label: "Actual behaviour",
    weight: 0.75,
    heading: /actual|current behaviou?r|what happened|what happens|observed|instead/i,
    detect: d.actual,
  },
  {
    id: "environment",
    label: "Versions and environment",
    weight: 1.25,
    heading:
      /environment|versions?\b|system info|platform|\bos\b|operating system|browser|runtime|envinfo|dependencies/i,
    detect: d.environment,
  },
  {
    id: "reproduction",
    label: "Minimal reproduction or test case",
    weight: 1.25,
    heading:
      /minimal|reproduction(?!\s*steps)|\brepro\b(?!\s*steps)|sandbox|playground|test case|example repo/i,
    detect: d.reproduction,
  },
  {
    id: "code_sample",
    label: "Code sample",
    weight: 1,
    heading: /^(?!.*conduct).*\b(?:code|snippet|sample|configuration|config)\b/i,
    detect: d.codeSample,
  },
  {
    id: "logs_or_screenshots",
    label: "Logs or screenshots",
    weight: 0.5,
    heading: /logs?\b|output|console|screenshots?|screen ?recording|video/i,
    detect: d.logsOrScreenshots,
  },
  {
    id: "description",
    label: "Description of the problem",
    weight: 0.5,
    heading: /descri|summary|bug report|problem|overview|details/i,
    detect: d.description,
  },
];

const FEATURE: ElementSpec[] = [
  {
    id: "motivation",
    label: "Problem or motivation",
    weight: 3,
    heading: /motivation|problem|related to a problem|\bwhy\b|background|pain|rationale/i,
    detect: d.motivation,
  },
  {
    id: "proposed_solution",
    label: "Proposed solution",
    weight: 3,
    heading:
      /solution|proposal|proposed|describe the feature|feature description|desired|suggest|idea|what (?:would|do) you (?:like|want)|\bapi\b|design/i,
    detect: d.solution,
  },
  {
    id: "use_case",
    label: "Use case or example",
    weight: 1.5,
    heading: /use ?cases?|example|usage|scenario|user stor/i,
    detect: d.useCase,
  },
  {
    id: "alternatives",
    label: "Alternatives considered",
    weight: 1.5,
    heading: /alternative|workaround|considered/i,
    detect: d.alternatives,
  },
  {
    id: "context",
    label: "Context or references",
    weight: 1,
    heading: /additional (?:context|information)|context|references?|links?|related/i,
    detect: d.references,
  },
];

const QUESTION: ElementSpec[] = [
  {
    id: "what_was_tried",
    label: "What you have tried",
    weight: 3,
    heading: /tried|attempt|what (?:did|have) you|so far|research/i,
    detect: d.tried,
  },
  {
    id: "code_sample",
    label: "Code sample",
    weight: 2.5,
    heading: /code|snippet|example|config/i,
    detect: d.codeSample,
  },
  {
    id: "context",
    label: "Context and versions",
    weight: 2,
    heading: /context|environment|versions?\b|setup|background/i,
    detect: d.questionContext,
  },
  {
    id: "question",
    label: "A clearly stated question",
    weight: 1.5,
    heading: /question|what do you (?:want|need)/i,
    detect: d.questionStated,
  },
  {
    id: "error_output",
    label: "Error output",
    weight: 1,
    heading: /error|logs?\b|output|stack/i,
    detect: d.stackTrace,
  },
];

export const RUBRICS: Record<IssueType, ElementSpec[]> = { bug: BUG, feature: FEATURE, question: QUESTION };
