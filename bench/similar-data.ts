// Loads the duplicate-detection fixtures (fixtures/similar/, see its README for the source).
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import type { IndexDoc } from "../src/search/types.ts";

const DIR = new URL("../fixtures/similar/", import.meta.url);

export interface Project {
  name: string;
  docs: IndexDoc[];
  duplicates: Array<{ number: number; duplicateOf: number[] }>;
  nonDuplicates: number[];
}

export function loadProjects(): Project[] {
  const lines = (buf: string) =>
    buf
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  const corpus = lines(gunzipSync(readFileSync(new URL("corpus.jsonl.gz", DIR))).toString("utf8"));
  const dups = lines(readFileSync(new URL("duplicates.jsonl", DIR), "utf8"));
  const non = lines(readFileSync(new URL("non-duplicates.jsonl", DIR), "utf8"));
  const names = [...new Set(corpus.map((d: { project: string }) => d.project))] as string[];
  return names.map((name) => ({
    name,
    docs: corpus
      .filter((d: { project: string }) => d.project === name)
      .map((d: { number: number; title: string; body: string; created_at: string }) => ({
        number: d.number,
        kind: "issue" as const,
        title: d.title,
        body: d.body,
        comments: "",
        createdAt: Date.parse(d.created_at),
      })),
    duplicates: dups
      .filter((q: { project: string }) => q.project === name)
      .map((q: { number: number; duplicate_of: number[] }) => ({
        number: q.number,
        duplicateOf: q.duplicate_of,
      })),
    nonDuplicates: non
      .filter((q: { project: string }) => q.project === name)
      .map((q: { number: number }) => q.number),
  }));
}
