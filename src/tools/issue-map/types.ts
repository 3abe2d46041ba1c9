export type IssueElementKind = "path" | "frame" | "identifier" | "error";

export interface IssueElement {
  kind: IssueElementKind;
  /** Path, `func @ file:line`, identifier or error message. */
  value: string;
  /** The text it came from, one line. */
  evidence: string;
  /** Frames (and paths with a `:line`) carry where they point. */
  file?: string;
  func?: string;
  line?: number;
}

export interface ChangeLink {
  element: IssueElement;
  path: string;
  hunk?: { newStart: number; newLines: number };
  /** 0–1; path match 1 > basename 0.7 > frame function in hunk 0.55 > identifier 0.4 > error 0.3. */
  score: number;
  evidence: string;
}

export interface IssueMapping {
  links: ChangeLink[];
  unaddressed: IssueElement[];
  /** Share of elements with at least one link; 0 when the issue names nothing mappable. */
  coverage: number;
}

export interface LocateResult {
  path: string;
  score: number;
  evidence: string[];
}
