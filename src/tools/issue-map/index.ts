export { extractIssueElements } from "./extract.ts";
export { mapIssueToChanges, LINK_SCORES } from "./map.ts";
export { locateFiles, codeTokens } from "./locate.ts";
export type { ChangeLink, IssueElement, IssueElementKind, IssueMapping, LocateResult } from "./types.ts";
