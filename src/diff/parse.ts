// Whole-diff parser (`git diff`, `git show`, `.diff` files) and GitHub per-file patches. Never
// throws on input: anything it cannot use becomes a warning, and bytes that are not UTF-8 are
// replaced and the file flagged.
import { decodeSegments } from "./decode.ts";
import { parseHunkHeader, readHunkBody, type LineCursor } from "./hunks.ts";
import { headerPath, splitGitHeader, stripPrefix } from "./paths.ts";
import type { DiffFile, FileStatus, ParsedDiff } from "./types.ts";

const MAX_WARNINGS = 50;

interface Draft {
  file: DiffFile;
  renameOrCopy: "renamed" | "copied" | null;
  newFile: boolean;
  deletedFile: boolean;
  /** Inside a GIT binary patch: skip data lines until the next file. */
  inBinaryPatch: boolean;
}

function emptyFile(): DiffFile {
  return {
    oldPath: null,
    newPath: null,
    path: "",
    status: "modified",
    binary: false,
    hunks: [],
    additions: 0,
    deletions: 0,
  };
}

function finish(d: Draft): DiffFile | null {
  const f = d.file;
  if (f.oldPath === null && f.newPath === null) return null;
  let status: FileStatus = "modified";
  if (d.newFile || (f.oldPath === null && f.newPath !== null)) status = "added";
  else if (d.deletedFile || (f.newPath === null && f.oldPath !== null)) status = "deleted";
  else if (d.renameOrCopy) status = d.renameOrCopy;
  if (status === "added") f.oldPath = null;
  if (status === "deleted") f.newPath = null;
  f.status = status;
  f.path = (f.newPath ?? f.oldPath)!;
  f.additions = 0;
  f.deletions = 0;
  for (const h of f.hunks) {
    for (const l of h.lines) {
      if (l.kind === "add") f.additions++;
      else if (l.kind === "del") f.deletions++;
    }
  }
  return f;
}

/** Parses diff text (or raw bytes) containing any number of files. */
export function parseDiff(input: string | Uint8Array): ParsedDiff {
  const warnings: string[] = [];
  let dropped = 0;
  const warn = (msg: string) => {
    if (warnings.length < MAX_WARNINGS) warnings.push(msg);
    else dropped++;
  };
  const files: DiffFile[] = [];
  for (const seg of decodeSegments(input)) {
    const before = files.length;
    parseText(seg.text, seg.firstLine, files, warn);
    if (seg.invalidUtf8) {
      const fresh = files.slice(before);
      for (const f of fresh) f.invalidUtf8 = true;
      warn(
        fresh.length > 0
          ? `${fresh.map((f) => f.path).join(", ")}: not valid UTF-8; invalid bytes replaced with U+FFFD`
          : `text near line ${seg.firstLine + 1} is not valid UTF-8 and holds no file`,
      );
    }
  }
  if (dropped > 0) warnings.push(`…and ${dropped} more warnings`);
  return { files, warnings };
}

function parseText(text: string, lineOffset: number, out: DiffFile[], warn: (m: string) => void): void {
  const cur: LineCursor = { lines: text.split("\n"), i: 0 };
  let d: Draft | null = null;
  const close = () => {
    if (!d) return;
    const f = finish(d);
    if (f) out.push(f);
    d = null;
  };
  const open = (): Draft => {
    close();
    d = { file: emptyFile(), renameOrCopy: null, newFile: false, deletedFile: false, inBinaryPatch: false };
    return d;
  };
  let skipped = 0;
  while (cur.i < cur.lines.length) {
    const raw = cur.lines[cur.i]!;
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    const at = lineOffset + cur.i + 1;
    if (line.startsWith("diff --git ")) {
      const nd = open();
      const paths = splitGitHeader(line.slice("diff --git ".length));
      if (paths) {
        nd.file.oldPath = paths.oldPath;
        nd.file.newPath = paths.newPath;
      } else warn(`line ${at}: cannot read the paths of "${line.slice(0, 120)}"; waiting for ---/+++`);
      cur.i++;
      continue;
    }
    const dd = d as Draft | null;
    if (dd?.inBinaryPatch) {
      cur.i++;
      continue;
    }
    if (line.startsWith("@@ ") && dd) {
      const header = parseHunkHeader(line);
      cur.i++;
      if (header) dd.file.hunks.push(readHunkBody(header, cur, (m) => warn(`line ${at}: ${m}`)));
      else warn(`line ${at}: unreadable hunk header "${line.slice(0, 80)}" skipped`);
      continue;
    }
    if (line.startsWith("--- ") && cur.lines[cur.i + 1]?.startsWith("+++ ")) {
      // A non-git diff has no "diff --git" line: `---`/`+++` open the file themselves.
      const target = dd && dd.file.hunks.length === 0 && !dd.file.binary ? dd : open();
      target.file.oldPath = stripPrefix(headerPath(line.slice(4)), "a/");
      const plus = cur.lines[cur.i + 1]!.replace(/\r$/, "");
      target.file.newPath = stripPrefix(headerPath(plus.slice(4)), "b/");
      cur.i += 2;
      continue;
    }
    if (dd && readExtendedHeader(line, dd)) {
      cur.i++;
      continue;
    }
    if (line.trim() !== "" && dd) skipped++;
    cur.i++;
  }
  close();
  if (skipped > 0) warn(`${skipped} line(s) outside any hunk were ignored`);
}

/** git's extended header lines; returns false for anything else. */
function readExtendedHeader(line: string, d: Draft): boolean {
  const f = d.file;
  const sp = line.indexOf(" ");
  const key = sp < 0 ? line : line.slice(0, sp);
  const after = (prefix: string) => line.slice(prefix.length);
  if (line.startsWith("new file mode ")) {
    d.newFile = true;
    f.newMode = after("new file mode ");
  } else if (line.startsWith("deleted file mode ")) {
    d.deletedFile = true;
    f.oldMode = after("deleted file mode ");
  } else if (line.startsWith("old mode ")) f.oldMode = after("old mode ");
  else if (line.startsWith("new mode ")) f.newMode = after("new mode ");
  else if (line.startsWith("rename from ") || line.startsWith("copy from ")) {
    d.renameOrCopy = key === "rename" ? "renamed" : "copied";
    f.oldPath = headerPath(line.slice(line.indexOf(" from ") + 6));
  } else if (line.startsWith("rename to ") || line.startsWith("copy to ")) {
    d.renameOrCopy = key === "rename" ? "renamed" : "copied";
    f.newPath = headerPath(line.slice(line.indexOf(" to ") + 4));
  } else if (line.startsWith("similarity index ")) {
    const n = Number.parseInt(after("similarity index "), 10);
    if (Number.isFinite(n)) f.similarity = n;
  } else if (line.startsWith("dissimilarity index ") || line.startsWith("index ")) {
    // Blob ids are not needed by any consumer.
  } else if (line.startsWith("Binary files ") && line.endsWith(" differ")) {
    f.binary = true;
  } else if (line === "GIT binary patch") {
    f.binary = true;
    d.inBinaryPatch = true;
  } else return false;
  return true;
}

/** A file as GitHub's `pulls.listFiles` returns it. */
export interface GitHubPullFile {
  filename: string;
  previous_filename?: string;
  status: string;
  patch?: string;
  additions?: number;
  deletions?: number;
}

const GITHUB_STATUS: Record<string, FileStatus> = {
  added: "added",
  removed: "deleted",
  modified: "modified",
  changed: "modified",
  unchanged: "modified",
  renamed: "renamed",
  copied: "copied",
};

/**
 * Parses one GitHub per-file patch. A missing patch means GitHub would not diff the file (binary,
 * or too large); it is kept with no hunks and `patchMissing` set.
 */
export function parsePatch(gh: GitHubPullFile): DiffFile & { warnings: string[] } {
  const status = GITHUB_STATUS[gh.status] ?? "modified";
  const warnings: string[] = [];
  const file: DiffFile = {
    ...emptyFile(),
    oldPath: status === "added" ? null : (gh.previous_filename ?? gh.filename),
    newPath: status === "deleted" ? null : gh.filename,
    path: gh.filename,
    status,
  };
  if (gh.patch === undefined || gh.patch === null) {
    file.patchMissing = true;
    const changed = (gh.additions ?? 0) + (gh.deletions ?? 0);
    // Renames without edits also come without a patch; only a changed file can be binary.
    file.binary = changed === 0 && status !== "renamed" && status !== "copied";
    file.additions = gh.additions ?? 0;
    file.deletions = gh.deletions ?? 0;
    return { ...file, warnings };
  }
  const cur: LineCursor = { lines: gh.patch.split("\n"), i: 0 };
  while (cur.i < cur.lines.length) {
    const line = cur.lines[cur.i]!.replace(/\r$/, "");
    cur.i++;
    if (!line.startsWith("@@ ")) {
      if (line.trim() !== "") warnings.push(`${gh.filename}: line ${cur.i} outside any hunk ignored`);
      continue;
    }
    const header = parseHunkHeader(line);
    if (!header) {
      warnings.push(`${gh.filename}: unreadable hunk header "${line.slice(0, 80)}"`);
      continue;
    }
    file.hunks.push(readHunkBody(header, cur, (m) => warnings.push(`${gh.filename}: ${m}`)));
  }
  for (const h of file.hunks) {
    for (const l of h.lines) {
      if (l.kind === "add") file.additions++;
      else if (l.kind === "del") file.deletions++;
    }
  }
  return { ...file, warnings };
}
