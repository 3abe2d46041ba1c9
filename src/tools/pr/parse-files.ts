// Pure: GitHub's listed PR files → parsed DiffFiles. Runs inside the compute pool (src/compute/tasks.ts).
import { type GitHubPullFile, parsePatch } from "../../diff/index.ts";
import type { DiffFile } from "../../diff/types.ts";

export type { GitHubPullFile };

export function parsePullFiles(raw: readonly GitHubPullFile[]): { files: DiffFile[]; warnings: string[] } {
  const files: DiffFile[] = [];
  const warnings: string[] = [];
  for (const f of raw) {
    const { warnings: w, ...file } = parsePatch({
      filename: f.filename,
      previous_filename: f.previous_filename,
      status: f.status,
      patch: f.patch ?? undefined,
      additions: f.additions,
      deletions: f.deletions,
    });
    // GitHub's JSON carries text, so bytes that were not UTF-8 arrive already replaced by U+FFFD;
    // flag the file as the byte parser would, so the model is told why it sees "�".
    if (f.patch?.includes("\uFFFD")) {
      file.invalidUtf8 = true;
      w.push(`${f.filename}: not valid UTF-8; invalid bytes replaced with U+FFFD`);
    }
    files.push(file);
    warnings.push(...w);
  }
  return { files, warnings };
}
