// The diff as the model reads it: one section per file, every line prefixed with its new-file line
// number so the model can cite lines that the anchor check will accept.
import type { DiffFile, Hunk } from "./types.ts";

function describe(file: DiffFile): string {
  const bits: string[] = [file.status];
  if ((file.status === "renamed" || file.status === "copied") && file.oldPath)
    bits.push(`from ${file.oldPath}`);
  if (file.oldMode && file.newMode && file.oldMode !== file.newMode)
    bits.push(`mode ${file.oldMode} → ${file.newMode}`);
  if (file.invalidUtf8) bits.push("not valid UTF-8, bad bytes shown as �");
  return bits.join(", ");
}

export function renderHunk(h: Hunk): string {
  const out = [
    `@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@${h.heading ? ` ${h.heading}` : ""}`,
  ];
  for (const l of h.lines) {
    const num = l.newLine === null ? "" : String(l.newLine);
    const tag = l.kind === "add" ? "+" : l.kind === "del" ? "-" : " ";
    out.push(`${num.padStart(5)} ${tag}${l.text}`);
  }
  return out.join("\n");
}

/** Header line of a file section; `note` says why the section is shorter than the diff. */
export function renderHeader(file: DiffFile, note?: string): string {
  return `## File: ${file.path} (${describe(file)}${note ? `; ${note}` : ""})`;
}

export function renderFile(file: DiffFile, note?: string): string {
  const parts = [renderHeader(file, note)];
  if (file.hunks.length === 0)
    parts.push(file.status === "deleted" ? "(file deleted)" : "(no content changes)");
  for (const h of file.hunks) parts.push(renderHunk(h));
  return parts.join("\n") + "\n\n";
}

/**
 * The list of what the model did not see: `omitted` whole files plus `partly` files whose left-out
 * hunks are named; `entries` may be fewer than both (the rest are counted, not named).
 */
export function renderNotReviewed(
  entries: { path: string; reason: string }[],
  omitted: number,
  partly = 0,
): string {
  const files = (n: number) => `${n} file${n === 1 ? "" : "s"}`;
  const head = `## Not reviewed (${files(omitted)}${partly > 0 ? `; ${partly} more in part` : ""})`;
  const lines = entries.map((e) => `- ${e.path}: ${e.reason}`);
  const rest = omitted + partly - entries.length;
  if (rest > 0) lines.push(`- …and ${rest} more file${rest === 1 ? "" : "s"}`);
  return [head, ...lines].join("\n") + "\n";
}
