// The "not reviewed" list from a pack result, with clearer reasons for files that simply have
// nothing to read (pure renames, mode changes).
import type { PackResult } from "../../diff/index.ts";
import type { DiffFile } from "../../diff/types.ts";
import type { NotCovered } from "../markdown.ts";

export function notCovered(files: readonly DiffFile[], packed: PackResult): NotCovered[] {
  const byPath = new Map(files.map((f) => [f.path, f]));
  const out: NotCovered[] = [];
  for (const p of packed.files) {
    const f = byPath.get(p.path);
    if (p.status === "omitted") {
      const pure = f && f.additions + f.deletions === 0 && f.hunks.length === 0 && !f.binary;
      const reason =
        pure && (f.status === "renamed" || f.status === "copied")
          ? `${f.status} from ${f.oldPath} without content changes (nothing to review)`
          : pure
            ? "no content changes (nothing to review)"
            : (p.reason ?? "omitted");
      out.push({ path: p.path, reason });
    } else if (p.reason?.startsWith("partial")) {
      out.push({ path: p.path, reason: `only partly reviewed (${p.reason}; over budget)` });
    }
  }
  return out;
}
